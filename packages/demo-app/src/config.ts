/**
 * Where the demo finds the collector, and the tokens it uses.
 *
 * DEMO VALUES ONLY: the read token and ingest key below are fixed, public, documented in the
 * README and set by `pnpm demo` (scripts/demo.mjs). A real deployment keeps the read token on a
 * server (a product-team dashboard behind login), never in a patient-facing bundle.
 */
export const DEMO_READ_TOKEN = 'demo-read-token-not-a-secret';
export const DEMO_INGEST_KEY = 'demo-ingest-key';

export const collectorUrl = (import.meta.env.VITE_PP_COLLECTOR_URL ?? 'http://localhost:8787').replace(/\/$/, '');
export const readToken = import.meta.env.VITE_PP_READ_TOKEN ?? DEMO_READ_TOKEN;
export const ingestKey = import.meta.env.VITE_PP_INGEST_KEY ?? DEMO_INGEST_KEY;
