/**
 * Entry point: wires the views to the router. The SDK client is created lazily, on the
 * first visit to the patient view, so the dashboard never starts the SDK's worker.
 */
import './styles.css';
import { createPatientClient } from './patient-client.ts';
import { startRouter } from './router.ts';
import { dashboardView } from './views/dashboard.ts';
import { patientView } from './views/patient.ts';
import { portalView, withPortalBanner } from './views/portal.ts';
import { simulatorView } from './views/simulator.ts';
import { tradeoffsView } from './views/tradeoffs.ts';
import { patientClients } from './verified-client.ts';

// Issue 17: signed in to the demo portal, the patient view uses the campaign that requires tokens.
const clients = patientClients(createPatientClient);

startRouter(document.getElementById('main')!, {
  patient: withPortalBanner(patientView(clients.get), clients),
  dashboard: dashboardView(),
  simulator: simulatorView(),
  tradeoffs: tradeoffsView(),
  portal: portalView(clients),
});
