#!/usr/bin/env node
// `pnpm demo`: the collector on embedded SQLite at http://localhost:8787 with the demo campaign
// published, and the app at http://localhost:5173. Ctrl-C (SIGINT) or SIGTERM stops both and
// exits 0 — also during start-up.
// `--keep-data` keeps the previous run's database (packages/demo-app/.demo-data/).
// PP_DEMO_COLLECTOR_PORT, PP_DEMO_APP_PORT and PP_DEMO_DATA_DIR move it (test/demo-script.test.ts
// runs it on free ports in a temporary directory).
//
// The package script is `exec node scripts/demo.mjs`: without `exec`, pnpm runs it under `sh -c`,
// and Debian's sh (dash) dies of the terminal's SIGINT at once, so pnpm reported "Command failed
// with signal SIGINT" whatever this script did.
import { startStack } from './stack.mjs';

const keepData = process.argv.includes('--keep-data');
const port = (name, fallback) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    console.error(`pnpm demo: ${name} must be a port number (1–65535), got "${value}"`);
    process.exit(1);
  }
  return n;
};
const collectorPort = port('PP_DEMO_COLLECTOR_PORT', 8787);
const appPort = port('PP_DEMO_APP_PORT', 5173);
const dataDir = process.env.PP_DEMO_DATA_DIR || undefined;

/** @type {Promise<{ collectorUrl: string, appUrl: string, issuerUrl: string, stop: () => Promise<void> }> | undefined} */
let starting;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the collector and the app…');
    // A stack still starting is stopped once it is up (or has failed, and stopped itself).
    void (starting ?? Promise.resolve(undefined))
      .then((stack) => stack?.stop(), () => undefined)
      .then(() => {
        console.log('Stopped.');
        process.exit(0);
      });
  });
}

console.log('Starting the collector and the app…');
starting = startStack({ keepData, collectorPort, appPort, ...(dataDir === undefined ? {} : { dataDir }) });
let stack;
try {
  stack = await starting;
} catch (error) {
  if (stopping) await new Promise(() => {}); // the signal handler exits
  console.error(`pnpm demo: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`Are ports ${collectorPort} and ${appPort} free? Stop other demo instances and retry.`);
  process.exit(1);
}
if (stopping) await new Promise(() => {});
console.log(`
  Collector   ${stack.collectorUrl}  (API docs: ${stack.collectorUrl}/docs)
              demo campaign "daily-checkin" published
  App         ${stack.appUrl}

  Patient view   ${stack.appUrl}/#/patient
  Dashboard      ${stack.appUrl}/#/dashboard
  Simulator      ${stack.appUrl}/#/simulator
  Trade-offs     ${stack.appUrl}/#/tradeoffs
  Portal         ${stack.appUrl}/#/portal  (fake login: check-ins with anonymous Privacy Pass tokens)

  Token issuer   ${stack.issuerUrl}  (reference issuer; campaign "daily-checkin-verified" requires its tokens)

  Demo tokens — public, for this demo only, never reuse them:
    admin token     demo-admin-token-not-a-secret
    read token      demo-read-token-not-a-secret
    metrics token   demo-metrics-token-not-a-secret
    ingest key      demo-ingest-key-publishable  (publishable: it ships in the app)
    issuer secret   demo-issuer-secret-not-a-secret-0123456789  (portal to issuer; never in the app)

  Press Ctrl-C to stop both.
`);
