import { defineConfig } from 'vitest/config';

// Crash and multi-process tests spawn collectors; they live in *.slow.test.ts and get long timeouts.
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  // Tests run in Vite's SSR (node) environment, which reads its own condition list.
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts'], testTimeout: 30_000 } },
      { extends: true, test: { name: 'slow', include: ['test/**/*.slow.test.ts'], testTimeout: 240_000, hookTimeout: 120_000 } },
    ],
  },
});
