#!/usr/bin/env node
// `pnpm demo`: the collector on embedded SQLite at http://localhost:8787 with the demo campaign
// published, and the app at http://localhost:5173. Ctrl-C stops both.
// `--keep-data` keeps the previous run's database (packages/demo-app/.demo-data/).
import { startStack } from './stack.mjs';

const keepData = process.argv.includes('--keep-data');
console.log('Starting the collector and the app…');
let stack;
try {
  stack = await startStack({ keepData });
} catch (error) {
  console.error(`pnpm demo: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Are ports 8787 and 5173 free? Stop other demo instances and retry.');
  process.exit(1);
}
console.log(`
  Collector  ${stack.collectorUrl}   (API docs: ${stack.collectorUrl}/docs; demo campaign "daily-checkin" published)
  App        ${stack.appUrl}

  Patient view  ${stack.appUrl}/#/patient      Dashboard  ${stack.appUrl}/#/dashboard
  Simulator     ${stack.appUrl}/#/simulator    Trade-offs ${stack.appUrl}/#/tradeoffs

  Demo tokens (public, for this demo only): admin demo-admin-token-not-a-secret, read demo-read-token-not-a-secret;
  the campaign's publishable ingest key: demo-ingest-key-publishable.
  Press Ctrl-C to stop both.
`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  });
}
