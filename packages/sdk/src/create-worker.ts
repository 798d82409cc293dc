/**
 * Creates the module worker with the one pattern Vite and webpack both bundle with zero
 * configuration. The source says `./worker.ts` (Vite resolves it in the workspace); the build step
 * (scripts/build.mjs) rewrites it to `./worker.js` in dist. An app that serves the worker itself
 * passes `workerUrl`.
 */
export function createSdkWorker(workerUrl?: string | URL): Worker {
  if (workerUrl !== undefined) return new Worker(workerUrl, { type: 'module' });
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

// Not a literal in `new URL(…, import.meta.url)`, so bundlers do not copy the file as an asset.
const WORKER_FILE = './worker.ts';

/**
 * The URL the default worker is loaded from, for error messages. Unbundled (dist/) it is exact; a
 * bundler rewrites the worker's URL, so there it names the module's directory, not the bundled chunk.
 */
export function sdkWorkerUrl(): string {
  return new URL(WORKER_FILE, import.meta.url).href;
}
