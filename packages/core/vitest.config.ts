import { defineConfig } from 'vitest/config';

// Two projects: `unit` (fast, every run) and `slow` (statistical tests and the 10^6-sample ε audit).
// Both run in `pnpm test`; `pnpm --filter @practical-privacy/core exec vitest --project unit` skips the slow ones.
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts'] } },
      { extends: true, test: { name: 'slow', include: ['test/**/*.slow.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 } },
    ],
  },
});
