import { defineConfig } from 'vitest/config';

// Node unit tests (fake-indexeddb, worker API over MessageChannel) always run; the real-browser
// suite (test/browser/) runs in Debian's Chromium via vitest browser mode when PP_HAVE_CHROMIUM=1
// or CI=true (see vitest.browser.config.ts and the `test` script).
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  // Node tests run in Vite's SSR environment, which reads its own condition list.
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  test: { include: ['test/**/*.test.ts'], exclude: ['test/browser/**'] },
});
