/**
 * `pp-collector` as a process: the README's CLI walkthrough run verbatim; one process (no child:
 * kill -9 leaves nothing listening and a restart on the same port works); SIGTERM, SIGINT and
 * SIGHUP drain (an in-flight batch is acknowledged and stored, exit 0); /readyz answers 503 during
 * the drain delay; no secret appears in any startup output, even at trace level.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { ADMIN_TOKEN, freePort, kill, startCollector, waitForExit, WORKSPACE_BIN_DIR, type CollectorProcess, stopLeftoverCollectors } from './process-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const packageDir = new URL('..', import.meta.url).pathname;
const example = new URL('../examples/demo-campaign.json', import.meta.url).pathname;
let databases = 0;
const freshDb = () => `sqlite:${join(dir, `db-${databases++}.sqlite`)}`;
const today = () => new Date().toISOString().slice(0, 10);

/** The README block after `<!-- cli-walkthrough … -->`, one command per line (`\` continues). */
function readmeWalkthrough(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('<!-- cli-walkthrough');
  expect(start).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))![1]!;
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function children(pid: number): string {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
}

async function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function publishExample(collector: CollectorProcess): Promise<void> {
  const response = await fetch(`${collector.url}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: readFileSync(example, 'utf8') });
  expect(response.status).toBe(201);
}

const feverBatch = (n: number) => JSON.stringify({ campaignId: 'demo', campaignVersion: 1, reports: Array.from({ length: n }, (_, i) => ({ id: randomBytes(16).toString('hex'), questionId: 'fever', day: today(), payload: i % 2 })) });

afterAll(stopLeftoverCollectors);

describe('the README', () => {
  it('runs the CLI walkthrough verbatim, with pp-collector on PATH as the README says', async () => {
    const port = await freePort();
    const env = { ...process.env, PATH: `${WORKSPACE_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`, PP_DATABASE_URL: freshDb(), PP_PORT: String(port), PP_HOST: '127.0.0.1', PP_LOG_LEVEL: 'warn' };
    const lines = readmeWalkthrough();
    // A fresh folder holding the package's examples/, as the README says.
    const cwd = mkdtempSync(join(dir, 'walkthrough-'));
    cpSync(join(packageDir, 'examples'), join(cwd, 'examples'), { recursive: true });
    expect(lines.some((l) => l.startsWith('pp-collector serve'))).toBe(true);
    const servers: Array<ReturnType<typeof spawn>> = [];
    onTestFinished(() => servers.forEach((child) => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
    for (const line of lines) {
      if (line.startsWith('pp-collector serve')) {
        const child = spawn('bash', ['-c', `exec ${line}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        servers.push(child);
        for (;;) {
          expect(child.exitCode, line).toBeNull();
          if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        continue;
      }
      const result = spawnSync('bash', ['-c', line], { cwd, env, encoding: 'utf8' });
      expect(result.status, `${line}\n${result.stdout}${result.stderr}`).toBe(0);
    }
    for (const child of servers) expect((await kill(child, 'SIGTERM')).code).toBe(0);
    expect(existsSync(join(cwd, 'collector-backup.db'))).toBe(true);
  });

  it('`pnpm exec pp-collector` works from the repository root and from the package', () => {
    const pnpm = spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).status === 0 ? ['pnpm'] : ['npx', '-y', 'pnpm@10.34.9'];
    for (const [cwd, args] of [
      [join(packageDir, '..', '..'), ['exec', 'pp-collector', '--version']],
      [packageDir, ['exec', 'pp-collector', '--version']],
      [join(packageDir, '..', '..'), ['--filter', '@practical-privacy/collector', 'exec', 'pp-collector', '--help']],
    ] as const) {
      const result = spawnSync(pnpm[0]!, [...pnpm.slice(1), ...args], { cwd, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('pp-collector');
    }
  });
});

describe('one process', () => {
  it('spawns no child; kill -9 leaves nothing listening and the port is free for a restart', async () => {
    const port = await freePort();
    const url = freshDb();
    const first = await startCollector(url, {}, { port });
    expect(children(first.child.pid!)).toBe('');
    expect((await kill(first.child, 'SIGKILL')).signal).toBe('SIGKILL');
    expect(await refused(port)).toBe(true);
    const second = await startCollector(url, {}, { port });
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    expect((await kill(second.child, 'SIGTERM')).code).toBe(0);
  });
});

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s drains: the in-flight batch is acknowledged and stored, then exit 0', async (signal) => {
    const databaseUrl = freshDb();
    const collector = await startCollector(databaseUrl);
    await publishExample(collector);
    const port = Number(new URL(collector.url).port);
    // A batch whose body is half sent when the signal arrives.
    const body = feverBatch(40);
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /v1/reports HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 100)}`);
    // A later request answered: the server has read the first one's headers (it is in flight).
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    collector.child.kill(signal);
    // The listener closes (nothing new gets in) while the in-flight batch is still open.
    while (!(await refused(port))) await new Promise((r) => setTimeout(r, 50));
    socket.write(body.slice(100));
    const exit = await waitForExit(collector.child);
    await new Promise((r) => (socket.closed ? r(undefined) : socket.once('close', r)));
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
    expect(answer).toContain('"accepted":40');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(collector.output()).not.toMatch(/timed out|error/i);
    const repository = new SqliteRepository(databaseUrl.slice('sqlite:'.length));
    expect(await repository.countReports('demo', 1)).toBe(40);
    await repository.close();
  });

  it('with a drain delay, /readyz answers 503 while the instance still serves; a second signal closes it', async () => {
    const collector = await startCollector(freshDb(), { PP_DRAIN_DELAY_MS: '600000' });
    await publishExample(collector);
    collector.child.kill('SIGTERM');
    for (;;) {
      const response = await fetch(`${collector.url}/readyz`);
      if (response.status === 503) {
        expect(await response.json()).toEqual({ status: 'closing' });
        break;
      }
      expect(response.status).toBe(200);
    }
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const ingest = await fetch(`${collector.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: feverBatch(5) });
    expect(ingest.status).toBe(202);
    collector.child.kill('SIGTERM');
    expect(await waitForExit(collector.child)).toEqual({ code: 0, signal: null });
  });
});

describe('startup output', () => {
  it('prints the effective configuration and no secret, from variables, *_FILE or flags, even at trace level', async () => {
    const secrets = { admin: `admin-${randomBytes(12).toString('hex')}`, read: `read-${randomBytes(12).toString('hex')}`, metrics: `metrics-${randomBytes(12).toString('hex')}`, flag: `flag-${randomBytes(12).toString('hex')}` };
    const readFile = join(dir, 'read-token');
    writeFileSync(readFile, `${secrets.read}\n`);
    const collector = await startCollector(freshDb(), { PP_LOG_LEVEL: 'trace', PP_ADMIN_TOKEN: secrets.admin, PP_READ_TOKEN_FILE: readFile, PP_METRICS_TOKEN: secrets.metrics }, { args: ['--metrics-token', secrets.flag] });
    // The tokens work (so the process really holds them)…
    expect((await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${secrets.flag}` } })).status).toBe(200);
    expect((await fetch(`${collector.url}/v1/campaigns/x/estimates?question=q`, { headers: { authorization: `Bearer ${secrets.read}` } })).status).toBe(404);
    expect((await kill(collector.child, 'SIGTERM')).code).toBe(0);
    const output = collector.output();
    // …and the startup line says what is configured, and where from, without them.
    const line = output.split('\n').find((l) => l.includes('"effective configuration"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      settings: { PP_ADMIN_TOKEN: '[redacted]', PP_READ_TOKEN: '[redacted]', PP_METRICS_TOKEN: '[redacted]', PP_LOG_LEVEL: 'trace' },
      from: { PP_ADMIN_TOKEN: 'env PP_ADMIN_TOKEN', PP_READ_TOKEN: 'env PP_READ_TOKEN_FILE', PP_METRICS_TOKEN: '--metrics-token' },
    });
    for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
  });

  it.runIf(HAVE_POSTGRES)('a PostgreSQL password in the database URL stays out of a running collector\'s output at trace level', async () => {
    const schema = uniqueSchema('cli_pw');
    const password = `pg-password-${randomBytes(8).toString('hex')}`;
    const parsed = new URL(POSTGRES_URL);
    parsed.password = password; // the local server trusts loopback, so any password connects
    parsed.searchParams.set('schema', schema);
    try {
      const collector = await startCollector(parsed.toString(), { PP_LOG_LEVEL: 'trace' });
      expect(await (await fetch(`${collector.url}/readyz`)).json()).toEqual({ status: 'ready', storage: 'postgres' });
      expect((await kill(collector.child, 'SIGTERM')).code).toBe(0);
      expect(collector.output()).toContain(`"PP_DATABASE_URL":"postgres://[redacted]@${parsed.host}${parsed.pathname}?schema=${schema}"`);
      expect(collector.output()).not.toContain(password);
    } finally {
      const repository = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
      await repository.dropSchema();
      await repository.close();
    }
  });

  it('a PostgreSQL password stays out of the startup output and out of a startup failure', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [join(packageDir, 'bin', 'pp-collector.mjs'), 'migrate'], { env: { ...process.env, PP_DATABASE_URL: 'postgres://collector:pg-password-93@127.0.0.1:1/ldp', PP_LOG_LEVEL: 'trace' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/ECONNREFUSED/);
    expect(result.output).not.toContain('pg-password-93');
    expect(existsSync(join(packageDir, 'data', 'ldp'))).toBe(false);
  });
});
