import { defineConfig } from 'vitest/config';

// Unit tests of the simulator and planner glue (Node, no browser). The end-to-end test in e2e/
// runs under Playwright (scripts/e2e.mjs), not vitest.
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  // Tests run in Vite's SSR (node) environment, which reads its own condition list.
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
