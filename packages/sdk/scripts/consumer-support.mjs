/* global fetch */
// Helpers of test-consumers.mjs: processes, ports, the real collector, a static server with the
// README's CSP, tarball checks.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment for npm and the bundlers: without the npm_* variables `pnpm run` sets. */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^PNPM_|^pnpm_/i.test(k)));
  return { ...env, ...extra };
}

export function run(command, args, cwd, env = cleanEnv()) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout + result.stderr;
}

export async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, child, output, what) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A long-running child in its own process group (so its children stop with it), output kept. */
export async function startProcess(command, args, cwd, readyUrl, what, env = cleanEnv()) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d) => (text += d));
  child.stderr.on('data', (d) => (text += d));
  const stop = () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitFor(readyUrl, child, () => text, what);
  } catch (error) {
    stop();
    throw error;
  }
  return { output: () => text, stop };
}

const ADMIN = 'consumer-test-admin-token-0123456789';
const collectorDir = fileURLToPath(new URL('../../collector/', import.meta.url));

/** The real collector (packages/collector, from its sources), in-memory SQLite, allowing `origins`. */
export async function startCollector(origins) {
  const port = await freePort();
  const tsx = new URL(`file://${createRequire(join(collectorDir, 'package.json')).resolve('tsx')}`).href;
  const env = { ...process.env, PP_PORT: String(port), PP_HOST: '127.0.0.1', PP_DATABASE_URL: 'sqlite::memory:', PP_ADMIN_TOKEN: ADMIN, PP_ALLOWED_ORIGINS: origins.join(','), PP_LOG_LEVEL: 'warn', PP_MAX_EVENT_LOOP_DELAY_MS: '0' };
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess(process.execPath, ['--import', tsx, '--conditions=@practical-privacy/source', join(collectorDir, 'src/cli.ts'), 'serve'], collectorDir, `${url}/readyz`, 'the collector', env);
  return {
    url,
    stop: proc.stop,
    async publish(campaign) {
      const response = await fetch(`${url}/v1/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(campaign) });
      if (!response.ok) throw new Error(`publishing ${campaign.id}: ${response.status} ${await response.text()}`);
    },
    /** Reports the collector counted for `campaignId` (accepted, and acknowledged again as duplicates). */
    async counts(campaignId) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const read = (name) => Number(new RegExp(`^${name}\\{campaign="${campaignId}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { accepted: read('pp_reports_accepted_total'), duplicates: read('pp_reports_duplicate_total') };
    },
  };
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8' };

/** Serves the production build (first matching root wins) with the SDK README's CSP on every answer. */
export async function serveStatic(roots, csp, port = 0) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const name = path === '/' ? '/index.html' : path;
    const file = roots.map((root) => [root, join(root, name)]).find(([root, f]) => !relative(root, f).startsWith('..') && existsSync(f) && statSync(f).isFile())?.[1];
    response.setHeader('Content-Security-Policy', csp);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** Every file under `dir`, relative paths. */
export function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

/** Throws unless the installed package at `installed` holds exactly the files of the extracted tarball `unpacked`. */
export function assertSameFiles(unpacked, installed, what) {
  for (const file of listFiles(unpacked)) {
    if (!existsSync(join(installed, file)) || !readFileSync(join(installed, file)).equals(readFileSync(join(unpacked, file)))) {
      throw new Error(`${what}: the installed ${file} is not the packed one (a cached or workspace copy was installed)`);
    }
  }
}
