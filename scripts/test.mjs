#!/usr/bin/env node
// `pnpm test`: every package's tests, one package at a time (2-core machines).
// Tests that need PostgreSQL or Chromium run whenever those are present and always in CI
// (CI=true), where their absence is a failure. On a machine without them this script says what
// is skipped and how to enable it, and the run still passes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEST_DATABASE_URL, probePostgres } from './postgres-probe.mjs';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromiumPath = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const databaseUrl = process.env.PP_TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

const hasChromium = existsSync(chromiumPath);
// A real connection to the database itself, not a TCP probe: a running server without the
// database `test` would otherwise make every PostgreSQL test fail with a confusing error.
const postgres = await probePostgres(databaseUrl);
const hasPostgres = postgres.ok;
const env = { ...process.env, PP_CHROMIUM_PATH: chromiumPath, PP_TEST_DATABASE_URL: databaseUrl };
env.PP_HAVE_CHROMIUM = hasChromium ? '1' : '0';
env.PP_HAVE_POSTGRES = hasPostgres ? '1' : '0';

const skipped = [];
if (!hasChromium) skipped.push(`browser tests: no Chromium at ${chromiumPath} (install Debian's: apt-get install -y chromium, or set PP_CHROMIUM_PATH)`);
if (!postgres.ok) skipped.push(`PostgreSQL tests: ${postgres.message}`);
if (ci && skipped.length > 0) {
  console.error(`CI=true but required services are missing:\n - ${skipped.join('\n - ')}`);
  process.exit(1);
}
if (skipped.length > 0) console.log(`Skipping (not available on this machine):\n - ${skipped.join('\n - ')}\n`);

// Re-use the pnpm that runs this script (it may come from npx and not be on PATH).
const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
const result = spawnSync(pnpm[0], [...pnpm.slice(1), '-r', '--filter', './packages/*', '--workspace-concurrency=1', '--reporter=append-only', 'run', 'test'], { stdio: 'inherit', env });
// The packages as published: core, sdk and collector packed (prepack builds them), checked by
// publint and @arethetypeswrong/cli, source maps with their sources; then the consumer test
// installs those core and SDK tarballs into fresh Vite 7, Vite 8 and webpack 5 apps
// (packages/sdk/consumers; the npm registry must be reachable) and, with Chromium, runs them.
let status = result.status ?? 1;
if (status === 0) {
  const tarballs = mkdtempSync(join(tmpdir(), 'pp-tarballs-'));
  try {
    const steps = [
      ['scripts/check-packages.mjs', `--out=${tarballs}`],
      ['packages/sdk/scripts/test-consumers.mjs', `--tarballs=${tarballs}`],
    ];
    for (const args of steps) {
      status = spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1;
      if (status !== 0) break;
    }
  } finally {
    rmSync(tarballs, { recursive: true, force: true });
  }
}
if (skipped.length > 0) {
  console.log(`\nSKIPPED (not available on this machine):\n - ${skipped.join('\n - ')}`);
}
process.exit(status);
