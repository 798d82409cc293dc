/**
 * The dashboard as a library, for a host page that has its own navigation (the demo's dashboard
 * route): `mountDashboard(element, { collectorUrl, token, … })` renders the same dashboard as the
 * package's own app, with the token the host gives it. Import `@practical-privacy/dashboard/base.css`
 * once for the shared house style; the dashboard's own rules come with the module.
 */
export { mountDashboard, type DashboardHandle, type DashboardOptions, type Reference } from './views/dashboard.ts';
export { CollectorError, collectorError } from './api.ts';
export { append, h } from './dom.ts';
