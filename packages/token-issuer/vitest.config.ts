import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  // RSA-2048 key generation and (in the reference path) pure-JS signing take a while per call.
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
