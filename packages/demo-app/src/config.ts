/**
 * Where the demo finds the collector, the token it reads estimates with, and the campaign's
 * ingest key.
 *
 * DEMO VALUE ONLY: the read token below is fixed, public, documented in the README and set by
 * `pnpm demo` (scripts/stack.mjs). A real deployment keeps the read token on a server (a
 * product-team dashboard behind login), never in a patient-facing bundle.
 *
 * The ingest key is publishable by design (it ships in every patient's app and only lets a client
 * post reports to this campaign); `pnpm demo` publishes the campaign with it. The SDK sends it as
 * `?key=`, and so does the simulator. It is fixed so that re-publishing on a kept database is an
 * identical (unchanged) publish.
 */
export const DEMO_READ_TOKEN = 'demo-read-token-not-a-secret';
export const DEMO_INGEST_KEY = 'demo-ingest-key-publishable';

export const collectorUrl = (import.meta.env.VITE_PP_COLLECTOR_URL ?? 'http://localhost:8787').replace(/\/$/, '');
export const readToken = import.meta.env.VITE_PP_READ_TOKEN ?? DEMO_READ_TOKEN;
export const ingestKey: string = import.meta.env.VITE_PP_INGEST_KEY ?? DEMO_INGEST_KEY;
/** The demo database's identity (scripts/stack.mjs); the simulated truth is kept per database. */
export const databaseId: string | undefined = import.meta.env.VITE_PP_DATABASE_ID || undefined;
