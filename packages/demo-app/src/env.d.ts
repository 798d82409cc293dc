/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the collector (default http://localhost:8787). */
  readonly VITE_PP_COLLECTOR_URL?: string;
  /** Read token of the collector's read API. The default is the documented demo value. */
  readonly VITE_PP_READ_TOKEN?: string;
  /** The campaign's publishable ingest key (default: the demo's, set by `pnpm demo`). */
  readonly VITE_PP_INGEST_KEY?: string;
  /** Identity of the demo database (set by scripts/stack.mjs): ties the simulated truth to it. */
  readonly VITE_PP_DATABASE_ID?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
