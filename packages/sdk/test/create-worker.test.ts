/**
 * Where the default worker is loaded from under a dev server's pre-bundling (vitejs/vite#8427):
 * Vite 7's optimizer copies the SDK into node_modules/.vite/deps/, where `./worker.js` does not
 * exist; the worker is then taken from the package's own dist/. The consumer test
 * (scripts/test-consumers.mjs) checks it in a real Vite 7 dev server.
 */
import { describe, expect, it } from 'vitest';
import { packageWorkerUrl } from '../src/create-worker.ts';

describe('packageWorkerUrl', () => {
  it('maps a pre-bundled copy to the package dist/worker.js beside it, dropping the version query', () => {
    expect(packageWorkerUrl('http://localhost:5173/node_modules/.vite/deps/@practical-privacy_sdk.js?v=1a2b3c')?.href).toBe('http://localhost:5173/node_modules/@practical-privacy/sdk/dist/worker.js');
    expect(packageWorkerUrl('http://localhost:5173/app/node_modules/.vite/deps/chunk-ABC.js')?.href).toBe('http://localhost:5173/app/node_modules/@practical-privacy/sdk/dist/worker.js');
  });

  it('maps the optimizer’s temporary directory too', () => {
    expect(packageWorkerUrl('http://localhost:5173/node_modules/.vite/deps_temp_1234abcd/@practical-privacy_sdk.js')?.href).toBe('http://localhost:5173/node_modules/@practical-privacy/sdk/dist/worker.js');
  });

  it('leaves every other module URL to the bundler’s `new URL(./worker.js, import.meta.url)`', () => {
    for (const url of [
      'http://localhost:5173/node_modules/@practical-privacy/sdk/dist/create-worker.js',
      'https://app.example.org/assets/index-DkKvMZMK.js',
      'file:///srv/app/node_modules/@practical-privacy/sdk/dist/create-worker.js',
      'http://localhost:5173/node_modules/.vite/deps/nested/dir/x.js',
      'http://localhost:5173/src/.vite/depsx/a.js',
    ]) {
      expect(packageWorkerUrl(url), url).toBeUndefined();
    }
  });
});
