import { defineConfig } from '@playwright/test';

/**
 * Ports of the stack the end-to-end test starts (not the demo's, so both can run at once).
 * PP_E2E_COLLECTOR_PORT / PP_E2E_APP_PORT move them (two checkouts running the test on one machine).
 */
export const E2E_COLLECTOR_PORT = Number(process.env.PP_E2E_COLLECTOR_PORT || 8797);
export const E2E_APP_PORT = Number(process.env.PP_E2E_APP_PORT || 5183);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  outputDir: 'test-results/playwright',
  timeout: 150_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://localhost:${E2E_APP_PORT}`,
    // A phone-sized viewport: the demo is meant to work on one.
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    launchOptions: {
      executablePath: process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'off',
  },
});
