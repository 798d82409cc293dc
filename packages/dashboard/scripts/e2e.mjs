#!/usr/bin/env node
// Runs the end-to-end Playwright test when a Chromium is available (PP_HAVE_CHROMIUM=1, set by
// the root `pnpm test`) or in CI (CI=true, where a missing Chromium is a failure); otherwise
// says what is skipped and how to enable it. Browsers are never downloaded: Debian's Chromium
// (PP_CHROMIUM_PATH, default /usr/bin/chromium) is used.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromium = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.env.PP_HAVE_CHROMIUM !== '1' && !ci) {
  console.log(`dashboard: SKIPPED the end-to-end browser test (set PP_HAVE_CHROMIUM=1 with Chromium at ${chromium}, or CI=true; the root \`pnpm test\` sets it when ${chromium} exists).`);
  process.exit(0);
}
if (!existsSync(chromium)) {
  console.error(`dashboard: no Chromium at ${chromium} (apt-get install -y chromium, or set PP_CHROMIUM_PATH)`);
  process.exit(1);
}
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(packageDir, 'package.json'));
const cli = join(dirname(require.resolve('@playwright/test/package.json')), 'cli.js');
const result = spawnSync(process.execPath, [cli, 'test', ...process.argv.slice(2)], {
  cwd: packageDir,
  stdio: 'inherit',
  // The stack imports core from its TypeScript sources (the workspace condition), as vitest does.
  env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', PP_CHROMIUM_PATH: chromium, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=@practical-privacy/source`.trim() },
});
process.exit(result.status ?? 1);
