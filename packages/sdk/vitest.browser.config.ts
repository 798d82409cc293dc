import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { eraseWithOtherTab, optOutInOtherTab, optOutThenReload, reportThenReload } from './test/browser/commands.ts';
import { issueTokens } from './test/browser/token-commands.ts';

// Real-browser suite in Debian's Chromium (browsers are not downloaded: PP_CHROMIUM_PATH).
const executablePath = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source'] },
  ssr: { resolve: { conditions: ['@practical-privacy/source', 'module', 'node', 'development|production'] } },
  worker: { format: 'es' },
  optimizeDeps: { include: ['comlink', 'idb', 'fast-check'] },
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    // A recording stub endpoint, and the real collector (packages/collector) for the end-to-end test.
    // Issue 17: the reference token issuer and a collector verifying its tokens (token-e2e.ts).
    globalSetup: ['test/browser/collector-stub.ts', 'test/browser/real-collector.ts', 'test/browser/token-e2e.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath, args } }),
      instances: [{ browser: 'chromium' }],
      commands: { reportThenReload, optOutInOtherTab, eraseWithOtherTab, optOutThenReload, issueTokens },
    },
  },
});
