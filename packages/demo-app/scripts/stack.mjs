/* global fetch, setInterval, clearInterval */
// Starts the demo stack: the reference Privacy Pass issuer (packages/token-issuer, its own SQLite
// file and keys), the real collector (embedded SQLite) verifying with the issuer's key list, the demo
// campaign and its token-requiring twin (campaign/verified.json) published, and the Vite server for
// the app, whose fake-login portal (scripts/portal.mjs) calls the issuer. Used by `pnpm demo` (scripts/demo.mjs) and by the
// end-to-end test (e2e/global-setup.ts), which runs it on other ports.
//
// DEMO VALUES ONLY: the tokens below are fixed and public (README.md says so). Never reuse them.
// The campaign is published with a publishable ingest key (the same fixed value as src/config.ts),
// which the SDK and the simulator send as `?key=`. Campaign versions are immutable: re-publishing
// the identical campaign and key on a kept database is `unchanged`, so `--keep-data` restarts.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_ADMIN_TOKEN = 'demo-admin-token-not-a-secret';
export const DEMO_READ_TOKEN = 'demo-read-token-not-a-secret';
export const DEMO_INGEST_KEY = 'demo-ingest-key-publishable';
export const DEMO_METRICS_TOKEN = 'demo-metrics-token-not-a-secret';
/** The portal-to-issuer secret (≥ 32 characters). Public demo value; the page never sees it. */
export const DEMO_ISSUER_SECRET = 'demo-issuer-secret-not-a-secret-0123456789';
/** Days ahead the demo issuer publishes keys for (the issuer's default is 14; a week keeps the demo's first fetch short). */
export const DEMO_ISSUER_AHEAD_DAYS = 6;

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const collectorBin = join(packageDir, '..', 'collector', 'bin', 'pp-collector.mjs');
const viteBin = join(packageDir, 'node_modules', 'vite', 'bin', 'vite.js');
export const campaignFile = join(packageDir, 'campaign', 'daily-checkin.json');
const issuerDir = join(packageDir, '..', 'token-issuer');

/** The demo campaign's twin that requires Privacy Pass tokens: the same questions, another id (campaign/verified.json). */
export function verifiedCampaign() {
  return { ...JSON.parse(readFileSync(campaignFile, 'utf8')), ...JSON.parse(readFileSync(join(packageDir, 'campaign', 'verified.json'), 'utf8')) };
}

/**
 * `mode: 'dev'` serves the app with Vite's dev server (hot reload, for `pnpm demo`); `mode: 'preview'`
 * builds it first and serves the build (what the end-to-end test uses: no on-the-fly dependency
 * optimisation reloading the page mid-test).
 * `force` (dev) makes Vite re-optimize its dependencies from scratch (`--force`), as on a fresh install.
 * @param {{ collectorPort?: number, appPort?: number, dataDir?: string, keepData?: boolean, quiet?: boolean, mode?: 'dev' | 'preview', force?: boolean }} options
 * @returns {Promise<{ collectorUrl: string, appUrl: string, issuerUrl: string, stop: () => Promise<void> }>}
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
  let keySync;
  const stop = async () => {
    clearInterval(keySync);
    await Promise.all(children.map((child) => terminate(child)));
  };
  const stdio = options.quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'];
  let issuerUrl;
  try {
    // The issuer first: the collector starts with its key list (PP_TOKEN_KEYS_FILE), which this
    // process re-syncs every minute (the issuer rotates hourly; the collector re-reads the file).
    const issuerPort = await freePort();
    issuerUrl = `http://127.0.0.1:${issuerPort}`;
    const campaignsFile = join(dataDir, 'issuer-campaigns.json');
    writeFileSync(campaignsFile, JSON.stringify([verifiedCampaign()]));
    const tsx = new URL(`file://${createRequire(join(issuerDir, 'package.json')).resolve('tsx')}`).href;
    const issuer = spawn(process.execPath, ['--import', tsx, '--conditions=@practical-privacy/source', join(issuerDir, 'src', 'server.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PP_ISSUER_NAME: verifiedCampaign().tokens.issuer,
        PP_ISSUER_SECRET: DEMO_ISSUER_SECRET,
        PP_ISSUER_CAMPAIGNS: campaignsFile,
        PP_ISSUER_DB: join(dataDir, 'issuer.db'),
        PP_ISSUER_AHEAD_DAYS: String(DEMO_ISSUER_AHEAD_DAYS),
        PP_ISSUER_LOG_LEVEL: 'warn',
        PORT: String(issuerPort),
        HOST: '127.0.0.1',
      },
    });
    children.push(issuer);
    readableLogs(issuer.stdout, options.quiet ? null : process.stdout, 'issuer');
    readableLogs(issuer.stderr, process.stderr, 'issuer');
    await waitFor(`${issuerUrl}/healthz`, issuer, 'token issuer');
    const keysFile = join(dataDir, 'token-keys.json');
    await syncKeys(issuerUrl, keysFile);
    keySync = setInterval(() => void syncKeys(issuerUrl, keysFile).catch((error) => console.error(`pnpm demo: token key sync failed: ${error.message}`)), 60_000);
    keySync.unref();

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
        PP_TOKEN_KEYS_FILE: keysFile,
      },
    });
    children.push(collector);
    readableLogs(collector.stdout, options.quiet ? null : process.stdout);
    readableLogs(collector.stderr, process.stderr);
    await waitFor(`${collectorUrl.replace('localhost', '127.0.0.1')}/readyz`, collector, 'collector');
    await publishCampaign(collectorUrl.replace('localhost', '127.0.0.1'), JSON.parse(readFileSync(campaignFile, 'utf8')));
    await publishCampaign(collectorUrl.replace('localhost', '127.0.0.1'), verifiedCampaign());

    // VITE_PP_DATABASE_ID ties the simulator's saved truth to this database (src/sim/truth-store.ts).
    const appEnv = { ...process.env, VITE_PP_COLLECTOR_URL: collectorUrl, VITE_PP_READ_TOKEN: DEMO_READ_TOKEN, VITE_PP_INGEST_KEY: DEMO_INGEST_KEY, VITE_PP_DATABASE_ID: databaseId };
    let viteArgs = [viteBin, '--port', String(appPort), '--strictPort', '--host', 'localhost', ...(options.force ? ['--force'] : [])];
    if (options.mode === 'preview') {
      const outDir = join(dataDir, 'dist');
      await run(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: packageDir, env: appEnv, stdio });
      viteArgs = [viteBin, 'preview', '--outDir', outDir, '--port', String(appPort), '--strictPort', '--host', 'localhost'];
    }
    // The portal (scripts/portal.mjs, in the Vite process) calls the issuer; these are not VITE_ variables, so never in the bundle.
    const app = spawn(process.execPath, viteArgs, { cwd: packageDir, stdio, env: { ...appEnv, PP_DEMO_ISSUER_URL: issuerUrl, PP_DEMO_ISSUER_SECRET: DEMO_ISSUER_SECRET } });
    children.push(app);
    await waitFor(appUrl, app, 'app (vite)');
  } catch (error) {
    await stop();
    throw error;
  }
  return { collectorUrl, appUrl, issuerUrl, databaseId, stop };
}

/** Writes the issuer's key list to `file` when it changed (write, then rename: the collector never reads half a file). */
async function syncKeys(issuerUrl, file) {
  const response = await fetch(`${issuerUrl}/v1/token-keys`);
  if (!response.ok) throw new Error(`GET ${issuerUrl}/v1/token-keys: ${response.status}`);
  const text = await response.text();
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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
export function readableLogs(stream, out, source = 'collector') {
  createInterface({ input: stream }).on('line', (line) => out?.write(`${readableLogLine(line, source)}\n`));
}

/** @param {string} line */
export function readableLogLine(line, source = 'collector') {
  try {
    const entry = JSON.parse(line);
    if (entry === null || typeof entry !== 'object' || typeof entry.msg !== 'string') return line;
    const extra = entry.err?.message === undefined ? '' : ` (${entry.err.message})`;
    return `${source} ${LEVELS[entry.level] ?? 'log'}: ${entry.msg}${extra}`;
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

async function publishCampaign(baseUrl, campaign) {
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
