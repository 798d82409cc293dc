#!/usr/bin/env node
// `pnpm test`: every package's tests, one package at a time (2-core machines).
// Tests that need PostgreSQL or Chromium run whenever those are present and always in CI
// (CI=true), where their absence is a failure. On a machine without them this script says what
// is skipped and how to enable it, and the run still passes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromiumPath = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const databaseUrl = process.env.PP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const hasChromium = existsSync(chromiumPath);
const hasPostgres = await canConnect(new URL(databaseUrl));
const env = { ...process.env, PP_CHROMIUM_PATH: chromiumPath, PP_TEST_DATABASE_URL: databaseUrl };
env.PP_HAVE_CHROMIUM = hasChromium ? '1' : '0';
env.PP_HAVE_POSTGRES = hasPostgres ? '1' : '0';

const skipped = [];
if (!hasChromium) skipped.push(`browser tests: no Chromium at ${chromiumPath} (install Debian's: apt-get install -y chromium, or set PP_CHROMIUM_PATH)`);
if (!hasPostgres) skipped.push(`PostgreSQL tests: nothing listening for ${databaseUrl} (start PostgreSQL 15, or set PP_TEST_DATABASE_URL)`);
if (ci && skipped.length > 0) {
  console.error(`CI=true but required services are missing:\n - ${skipped.join('\n - ')}`);
  process.exit(1);
}

// Re-use the pnpm that runs this script (it may come from npx and not be on PATH).
const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
const result = spawnSync(pnpm[0], [...pnpm.slice(1), '-r', '--filter', './packages/*', '--workspace-concurrency=1', '--reporter=append-only', 'run', 'test'], { stdio: 'inherit', env });
if (skipped.length > 0) {
  console.log(`\nSKIPPED (not available on this machine):\n - ${skipped.join('\n - ')}`);
}
process.exit(result.status ?? 1);

function canConnect(url) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
