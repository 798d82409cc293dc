import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
// @ts-expect-error -- plain ESM script without type declarations
import { demoPortal } from './scripts/portal.mjs';

// The SDK's worker (its TypeScript source, through the workspace condition). Vite's dependency
// scanner starts from index.html and does not follow `new Worker(new URL(…, import.meta.url))`, so
// the worker's own dependencies (idb) were found only when the worker first loaded — Vite then
// re-optimized and reloaded the page (issue 15; e2e/dev-no-reload.e2e.ts). Scanning the worker as
// a second entry optimizes them before the first page load. (An app using the published package
// needs none of this: its dist/worker.js is bundled, with no dependency left to discover.)
const sdkWorker = fileURLToPath(new URL('../sdk/src/worker.ts', import.meta.url));

// Workspace packages resolve to their TypeScript sources through the custom export condition
// (see tsconfig.base.json), so the demo needs no prior build of core or the SDK.
export default defineConfig({
  // The demo's fake-login patient portal (/portal/*), the app's backend for Privacy Pass tokens.
  plugins: [demoPortal()],
  resolve: { conditions: ['@practical-privacy/source', ...defaultClientConditions] },
  optimizeDeps: { entries: ['index.html', sdkWorker] },
  server: { port: 5173, strictPort: true, host: 'localhost' },
  preview: { port: 5173, strictPort: true, host: 'localhost' },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
