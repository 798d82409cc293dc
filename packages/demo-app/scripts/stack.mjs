/* global fetch */
// Starts the demo stack: the real collector (embedded SQLite) with the demo campaign published,
// and the Vite dev server for the app. Used by `pnpm demo` (scripts/demo.mjs) and by the
// end-to-end test (e2e/global-setup.ts), which runs it on other ports.
//
// DEMO VALUES ONLY: the tokens below are fixed and public (README.md says so). Never reuse them.
// The campaign is published with a publishable ingest key (the same fixed value as src/config.ts),
// which the SDK and the simulator send as `?key=`. Campaign versions are immutable: re-publishing
// the identical campaign and key on a kept database is `unchanged`, so `--keep-data` restarts.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_ADMIN_TOKEN = 'demo-admin-token-not-a-secret';
export const DEMO_READ_TOKEN = 'demo-read-token-not-a-secret';
export const DEMO_INGEST_KEY = 'demo-ingest-key-publishable';
export const DEMO_METRICS_TOKEN = 'demo-metrics-token-not-a-secret';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const collectorBin = join(packageDir, '..', 'collector', 'bin', 'pp-collector.mjs');
const viteBin = join(packageDir, 'node_modules', 'vite', 'bin', 'vite.js');
export const campaignFile = join(packageDir, 'campaign', 'daily-checkin.json');

/**
 * `mode: 'dev'` serves the app with Vite's dev server (hot reload, for `pnpm demo`); `mode: 'preview'`
 * builds it first and serves the build (what the end-to-end test uses: no on-the-fly dependency
 * optimisation reloading the page mid-test).
 * `force` (dev) makes Vite re-optimize its dependencies from scratch (`--force`), as on a fresh install.
 * @param {{ collectorPort?: number, appPort?: number, dataDir?: string, keepData?: boolean, quiet?: boolean, mode?: 'dev' | 'preview', force?: boolean }} options
 * @returns {Promise<{ collectorUrl: string, appUrl: string, stop: () => Promise<void> }>}
 */
export async function startStack(options = {}) {
  const collectorPort = options.collectorPort ?? 8787;
  const appPort = options.appPort ?? 5173;
  const dataDir = options.dataDir ?? join(packageDir, '.demo-data');
  const collectorUrl = `http://localhost:${collectorPort}`;
  const appUrl = `http://localhost:${appPort}`;
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const databaseId = databaseIdentity(dataDir);

  const children = [];
  const stop = async () => {
    await Promise.all(children.map((child) => terminate(child)));
  };
  const stdio = options.quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'];
  try {
    const collector = spawn(process.execPath, [collectorBin, 'serve'], {
      // The collector logs JSON lines (pino): shown as plain text lines, see readableLogs.
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PP_HOST: '127.0.0.1',
        PP_PORT: String(collectorPort),
        PP_DATABASE_URL: `sqlite:${join(dataDir, 'collector.db')}`,
        PP_ADMIN_TOKEN: DEMO_ADMIN_TOKEN,
        PP_READ_TOKEN: DEMO_READ_TOKEN,
        PP_METRICS_TOKEN: DEMO_METRICS_TOKEN,
        PP_ALLOWED_ORIGINS: `${appUrl},http://127.0.0.1:${appPort}`,
        // The simulator sends up to 400 batches a minute from one address.
        PP_RATE_LIMIT_PER_MINUTE: '100000',
        PP_LOG_LEVEL: process.env.PP_LOG_LEVEL ?? 'warn',
      },
    });
    children.push(collector);
    readableLogs(collector.stdout, options.quiet ? null : process.stdout);
    readableLogs(collector.stderr, process.stderr);
    await waitFor(`${collectorUrl.replace('localhost', '127.0.0.1')}/readyz`, collector, 'collector');
    await publishCampaign(collectorUrl.replace('localhost', '127.0.0.1'));

    // VITE_PP_DATABASE_ID ties the simulator's saved truth to this database (src/sim/truth-store.ts).
    const appEnv = { ...process.env, VITE_PP_COLLECTOR_URL: collectorUrl, VITE_PP_READ_TOKEN: DEMO_READ_TOKEN, VITE_PP_INGEST_KEY: DEMO_INGEST_KEY, VITE_PP_DATABASE_ID: databaseId };
    let viteArgs = [viteBin, '--port', String(appPort), '--strictPort', '--host', 'localhost', ...(options.force ? ['--force'] : [])];
    if (options.mode === 'preview') {
      const outDir = join(dataDir, 'dist');
      await run(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: packageDir, env: appEnv, stdio });
      viteArgs = [viteBin, 'preview', '--outDir', outDir, '--port', String(appPort), '--strictPort', '--host', 'localhost'];
    }
    const app = spawn(process.execPath, viteArgs, { cwd: packageDir, stdio, env: appEnv });
    children.push(app);
    await waitFor(appUrl, app, 'app (vite)');
  } catch (error) {
    await stop();
    throw error;
  }
  return { collectorUrl, appUrl, databaseId, stop };
}

/**
 * The identity of the demo database in `dataDir`: a random id written next to it when the
 * database is new and kept with it (`--keep-data` keeps both). The app stores the simulated truth
 * with this id and discards a truth made for another database.
 * @param {string} dataDir
 * @returns {string}
 */
export function databaseIdentity(dataDir) {
  const file = join(dataDir, 'database-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * Prints the collector's JSON log lines (pino) as `collector warning: <message>`; other lines as
 * they are. `out` null: drop them (quiet mode keeps only stderr).
 * @param {import('node:stream').Readable} stream
 * @param {NodeJS.WritableStream | null} out
 */
export function readableLogs(stream, out) {
  createInterface({ input: stream }).on('line', (line) => out?.write(`${readableLogLine(line)}\n`));
}

/** @param {string} line */
export function readableLogLine(line) {
  try {
    const entry = JSON.parse(line);
    if (entry === null || typeof entry !== 'object' || typeof entry.msg !== 'string') return line;
    const extra = entry.err?.message === undefined ? '' : ` (${entry.err.message})`;
    return `collector ${LEVELS[entry.level] ?? 'log'}: ${entry.msg}${extra}`;
  } catch {
    return line;
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.slice(1).join(' ')} exited with code ${code}`))));
  });
}

async function publishCampaign(baseUrl) {
  const campaign = JSON.parse(readFileSync(campaignFile, 'utf8'));
  const response = await fetch(`${baseUrl}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_ADMIN_TOKEN}` },
    body: JSON.stringify({ campaign, ingestKey: DEMO_INGEST_KEY }),
  });
  if (response.status === 409) {
    throw new Error(`publishing ${campaign.id} v${campaign.version} failed: the kept database already holds that version with other content (an older demo published it without an ingest key, or the campaign file changed). Published versions are immutable: start without --keep-data, or give the campaign a new version. ${await response.text()}`);
  }
  if (!response.ok) throw new Error(`publishing ${campaign.id} failed: ${response.status} ${await response.text()}`);
}

async function waitFor(url, child, name, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s`);
}

function terminate(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
