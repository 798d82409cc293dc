/**
 * Where the demo finds the collector, and the token it reads estimates with.
 *
 * DEMO VALUE ONLY: the read token below is fixed, public, documented in the README and set by
 * `pnpm demo` (scripts/stack.mjs). A real deployment keeps the read token on a server (a
 * product-team dashboard behind login), never in a patient-facing bundle.
 *
 * The demo campaign is published without an ingest key: the SDK's transport has no option to
 * send one yet. Set VITE_PP_INGEST_KEY when the simulator targets a campaign that has one.
 */
export const DEMO_READ_TOKEN = 'demo-read-token-not-a-secret';

export const collectorUrl = (import.meta.env.VITE_PP_COLLECTOR_URL ?? 'http://localhost:8787').replace(/\/$/, '');
export const readToken = import.meta.env.VITE_PP_READ_TOKEN ?? DEMO_READ_TOKEN;
export const ingestKey: string | undefined = import.meta.env.VITE_PP_INGEST_KEY;
