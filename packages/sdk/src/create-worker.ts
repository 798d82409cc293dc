/**
 * Creates the module worker with the one pattern Vite and webpack both bundle with zero
 * configuration. The source says `./worker.ts` (Vite resolves it in the workspace); the build step
 * (scripts/build.mjs) rewrites it to `./worker.js` in dist.
 */
export function createSdkWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}
