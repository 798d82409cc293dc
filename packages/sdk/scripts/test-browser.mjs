// Runs the real-browser suite when Chromium is available (PP_HAVE_CHROMIUM=1, set by the root
// `pnpm test`) or in CI (CI=true, where a missing Chromium is a failure); otherwise says how to enable it.
import { spawnSync } from 'node:child_process';

const ci = process.env.CI === 'true' || process.env.CI === '1';
if (process.env.PP_HAVE_CHROMIUM !== '1' && !ci) {
  console.log('SKIPPED sdk browser tests: set PP_HAVE_CHROMIUM=1 (and PP_CHROMIUM_PATH if Chromium is not /usr/bin/chromium), or run the root `pnpm test`, which detects Chromium.');
  process.exit(0);
}
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
const result = spawnSync('vitest', ['run', '--config', 'vitest.browser.config.ts'], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
