import { defineConfig } from 'vitest/config';

// Unit tests of the view model (Node, no browser); the end-to-end test in e2e/ runs under Playwright.
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  test: { include: ['test/**/*.test.ts'] },
});
