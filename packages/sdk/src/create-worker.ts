/**
 * Creates the module worker with the one pattern Vite and webpack both bundle with zero
 * configuration: `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`. The
 * source says `./worker.ts` (Vite resolves it in the workspace); the build step
 * (scripts/build.mjs) rewrites it to `./worker.js` in dist, and bundles dist/worker.js with all its
 * dependencies (no import left), so it runs from wherever it is served. An app that serves the
 * worker itself passes `workerUrl`.
 *
 * Dev-server pre-bundling: Vite 7's esbuild optimizer copies this module into
 * `node_modules/.vite/deps/` and leaves the URL relative to that copy, where no worker.js exists
 * (vitejs/vite#8427). There the worker is loaded from the package's own dist/ instead, which the
 * dev server serves under `/node_modules/` — self-contained, so it triggers no late dependency
 * discovery (and no page reload).
 */
export function createSdkWorker(workerUrl?: string | URL): Worker {
  if (workerUrl !== undefined) return new Worker(workerUrl, { type: 'module' });
  const prebundled = packageWorkerUrl(moduleUrl());
  if (prebundled !== undefined) return new Worker(prebundled, { type: 'module' });
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

// Not a literal in `new URL(…, import.meta.url)`, so bundlers do not copy the file as an asset.
const WORKER_FILE = './worker.ts';
const PACKAGE_WORKER = '@practical-privacy/sdk/dist/worker.js';
/** `…/node_modules/.vite/deps/<chunk>.js` (also `deps_temp_*` while an optimization runs). */
const PREBUNDLED = /\/\.vite\/deps(?:_temp_[^/]*)?\/[^/]*$/;

/**
 * The package's own worker when `moduleUrl` is a Vite pre-bundled copy (`<root>/node_modules/.vite/deps/`):
 * `<root>/node_modules/@practical-privacy/sdk/dist/worker.js`; undefined otherwise.
 */
export function packageWorkerUrl(moduleUrl: string): URL | undefined {
  const url = new URL(moduleUrl);
  if (!PREBUNDLED.test(url.pathname)) return undefined;
  return new URL(url.pathname.replace(PREBUNDLED, `/${PACKAGE_WORKER}`), url);
}

/**
 * The URL the default worker is loaded from, for error messages. Unbundled (dist/) and pre-bundled
 * it is exact; a bundler rewrites the worker's URL, so there it names the module's directory, not
 * the bundled chunk.
 */
export function sdkWorkerUrl(): string {
  return (packageWorkerUrl(moduleUrl()) ?? new URL(WORKER_FILE, moduleUrl())).href;
}

// Through a function: webpack reads `new URL(<expression>, import.meta.url)` as a request for every
// file of dist/ ("Critical dependency: the request of a dependency is an expression").
function moduleUrl(): string {
  return import.meta.url;
}
