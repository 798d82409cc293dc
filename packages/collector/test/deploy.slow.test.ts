/**
 * What of deploy/ can run on a machine without a container engine: the systemd unit (verified by
 * systemd-analyze, then its ExecStart and Environment run as written, with the install path moved
 * to this checkout), the compose file's collector environment (deploy/collector.env, used whole,
 * its /run/secrets moved to a temp folder whose database URL points at the local PostgreSQL), and
 * the nginx configuration in front of two instances: its access log holds no client address,
 * User-Agent or query string (the ingest key travels as ?key=).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { HAVE_POSTGRES, POSTGRES_SKIP_REASON, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { freePort, kill, startCollector, waitForExit, stopLeftoverCollectors } from './process-helpers.ts';

const deploy = new URL('../../../deploy/', import.meta.url).pathname;
const packageDir = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pp-deploy-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const have = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<Response> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output()}`);
    const response = await fetch(`${url}/readyz`).catch(() => undefined);
    if (response?.status === 200) return response;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnCollector(argv: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** KEY=value lines (compose env_file, systemd Environment=); # comments. */
function parseAssignments(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

/** The ENV of the Dockerfile's last stage (the runtime image), continuation lines joined. */
function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const out: Record<string, string> = {};
  for (const [, line] of runtime.matchAll(/^ENV (.+)$/gm)) for (const pair of line!.trim().split(/\s+/)) Object.assign(out, parseAssignments(pair));
  return out;
}

/** collector.env with its /run/secrets files written to `folder`: the database URL given, tokens random. */
function composeEnvironment(folder: string, databaseUrl: string): { env: Record<string, string>; secrets: Record<string, string> } {
  const env = parseAssignments(readFileSync(join(deploy, 'collector.env'), 'utf8'));
  mkdirSync(folder, { recursive: true });
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith('_FILE')) continue;
    const name = value.slice('/run/secrets/'.length);
    secrets[key] = key === 'PP_DATABASE_URL_FILE' ? databaseUrl : `${name}-${randomBytes(12).toString('hex')}`;
    writeFileSync(join(folder, name), `${secrets[key]}\n`);
    env[key] = join(folder, name);
  }
  return { env, secrets };
}

afterAll(stopLeftoverCollectors);

describe('systemd unit', () => {
  it.runIf(have('systemd-analyze') || IN_CI)('verifies, and its ExecStart with its Environment serves and stops cleanly on KillSignal', async () => {
    const unit = readFileSync(join(deploy, 'pp-collector.service'), 'utf8');
    const local = unit.replaceAll('/opt/pp-collector', packageDir.replace(/\/$/, ''));
    const unitFile = join(dir, 'pp-collector.service');
    writeFileSync(unitFile, local);
    const verify = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr.split('\n').filter((l) => l.includes('pp-collector.service'))).toEqual([]);
    // The environment file may name a database either way without clashing with the unit's default.
    const unitDefaults: Record<string, string> = {};
    for (const [, line] of local.matchAll(/^Environment=(.+)$/gm)) for (const pair of line!.split(/\s+/)) Object.assign(unitDefaults, parseAssignments(pair));
    const urlFile = join(dir, 'unit-database-url');
    writeFileSync(urlFile, 'postgres://collector@db.internal:5432/ldp\n');
    const databaseDefault = { DATABASE_URL: unitDefaults.DATABASE_URL! };
    expect(databaseDefault.DATABASE_URL).toBe('sqlite:/var/lib/pp-collector/collector.db');
    expect(loadConfig({ ...databaseDefault, PP_DATABASE_URL_FILE: urlFile }).databaseUrl).toBe('postgres://collector@db.internal:5432/ldp');
    expect(loadConfig({ ...databaseDefault, PP_DATABASE_URL: 'sqlite:/srv/x.db' }).databaseUrl).toBe('sqlite:/srv/x.db');
    for (const key of ['Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'DynamicUser=yes', 'KillSignal=SIGTERM', 'RestartPreventExitStatus=78']) expect(unit).toContain(key);

    const exec = /^ExecStart=(.+)$/m.exec(local)![1]!.split(/\s+/);
    const environment: Record<string, string> = {};
    for (const [, line] of local.matchAll(/^Environment=(.+)$/gm)) for (const pair of line!.split(/\s+/)) Object.assign(environment, parseAssignments(pair));
    // systemd's %d is the credentials folder; the state directory is /var/lib/pp-collector.
    const credentials = join(dir, 'credentials');
    mkdirSync(credentials);
    for (const [, name] of local.matchAll(/^LoadCredential=([a-z_]+):/gm)) writeFileSync(join(credentials, name!), `${name}-${randomBytes(12).toString('hex')}\n`);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(environment)) env[key] = value.replace('%d', credentials).replace('/var/lib/pp-collector', dir);
    const port = await freePort();
    const collector = spawnCollector(exec, { ...env, PP_PORT: String(port) });
    onTestFinished(() => void (collector.child.exitCode === null && collector.child.signalCode === null && collector.child.kill('SIGKILL')));
    const ready = await waitReady(`http://127.0.0.1:${port}`, collector.child, collector.output);
    expect(await ready.json()).toEqual({ status: 'ready', storage: 'sqlite' });
    collector.child.kill(/^KillSignal=(\w+)$/m.exec(local)![1]! as NodeJS.Signals);
    expect(await waitForExit(collector.child)).toEqual({ code: 0, signal: null });
    expect(collector.output()).toContain('"PP_ADMIN_TOKEN":"[redacted]"');
  });
});

describe('compose: the collector environment', () => {
  it('both collector services read deploy/collector.env and their secrets as files', () => {
    const compose = readFileSync(join(deploy, 'compose.yaml'), 'utf8');
    expect(compose).toContain('collector-a: &collector');
    expect(compose).toContain('collector-b: *collector');
    expect(compose).toMatch(/env_file: \[collector\.env\]/);
    const env = parseAssignments(readFileSync(join(deploy, 'collector.env'), 'utf8'));
    for (const secret of ['PP_DATABASE_URL', 'PP_ADMIN_TOKEN', 'PP_READ_TOKEN', 'PP_METRICS_TOKEN']) {
      expect(env[secret], secret).toBeUndefined();
      const file = env[`${secret}_FILE`]!;
      expect(file).toMatch(/^\/run\/secrets\//);
      expect(compose).toContain(`${file.slice('/run/secrets/'.length)}: { file: ./secrets/`);
    }
  });

  it('the image ENV and collector.env make a valid configuration that takes the database from its secret file', () => {
    const image = imageEnvironment();
    expect(image).toMatchObject({ PP_HOST: '0.0.0.0', PP_PORT: '8787', DATABASE_URL: 'sqlite:/data/collector.db' });
    const { env } = composeEnvironment(join(dir, 'secrets-config'), 'postgres://collector:pw@postgres:5432/ldp');
    const config = loadConfig({ ...image, ...env });
    expect(config.databaseUrl).toBe('postgres://collector:pw@postgres:5432/ldp');
    expect(config.trustProxy).toEqual(['172.28.0.10']);
    expect(config.drainDelayMs).toBe(5000);
    // The image alone (no compose): SQLite in the /data volume.
    expect(loadConfig(image).databaseUrl).toBe('sqlite:/data/collector.db');
  });

  it.runIf(HAVE_POSTGRES)('starts a collector on the local PostgreSQL that answers /readyz, and drains on SIGTERM', async () => {
    const schema = uniqueSchema('deploy');
    // The image's ENV under collector.env, as compose runs the container.
    const { env: composeEnv, secrets: tokens } = composeEnvironment(join(dir, 'secrets-pg'), `${POSTGRES_URL}?schema=${schema}`);
    const env = { ...imageEnvironment(), ...composeEnv };
    const port = await freePort();
    const collector = spawnCollector([process.execPath, join(packageDir, 'bin', 'pp-collector.mjs'), 'serve'], { ...env, PP_PORT: String(port), PP_HOST: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${port}`;
      expect(await (await waitReady(url, collector.child, collector.output)).json()).toEqual({ status: 'ready', storage: 'postgres' });
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${tokens.PP_METRICS_TOKEN_FILE}` } })).status).toBe(200);
      // PP_DRAIN_DELAY_MS=5000 in the file: /readyz turns 503 first; a second SIGTERM ends the delay.
      collector.child.kill('SIGTERM');
      while ((await fetch(`${url}/readyz`)).status !== 503);
      collector.child.kill('SIGTERM');
      expect(await waitForExit(collector.child)).toEqual({ code: 0, signal: null });
      for (const [key, secret] of Object.entries(tokens)) if (key !== 'PP_DATABASE_URL_FILE') expect(collector.output()).not.toContain(secret);
    } finally {
      if (collector.child.exitCode === null) collector.child.kill('SIGKILL');
      const repository = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
      await repository.dropSchema();
      await repository.close();
    }
  });
  if (!HAVE_POSTGRES) it.skip(`collector.env on PostgreSQL: ${POSTGRES_SKIP_REASON}`, () => undefined);
});

describe('nginx in front of two instances', () => {
  it.runIf(have('nginx') || IN_CI)('proxies ingest and logs no client address, User-Agent or query string', async () => {
    const databaseUrl = `sqlite:${join(dir, 'behind-nginx.sqlite')}`;
    const a = await startCollector(databaseUrl);
    const b = await startCollector(databaseUrl);
    const prefix = join(dir, 'nginx');
    mkdirSync(prefix, { mode: 0o777 });
    chmodSync(prefix, 0o777);
    const port = await freePort();
    const accessLog = join(prefix, 'access.log');
    const conf = readFileSync(join(deploy, 'nginx.conf'), 'utf8')
      .replaceAll('/tmp/', `${prefix}/`)
      .replace('collector-a:8787', new URL(a.url).host)
      .replace('collector-b:8787', new URL(b.url).host)
      .replace('listen 8080;', `listen 127.0.0.1:${port};`)
      .replace('access_log /dev/stdout', `access_log ${accessLog}`)
      // The test's stdio are sockets, which /dev/stderr cannot be opened on; in a container it is a pipe.
      .replace('error_log /dev/stderr', `error_log ${join(prefix, 'error.log')}`);
    expect(conf).not.toContain('collector-a');
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    const nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let nginxOutput = '';
    nginx.stderr.on('data', (d: Buffer) => (nginxOutput += d.toString()));
    try {
      const proxy = `http://127.0.0.1:${port}`;
      for (;;) {
        expect(nginx.exitCode, nginxOutput).toBeNull();
        if ((await fetch(`${proxy}/readyz`).catch(() => undefined))?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const key = `key-${randomBytes(8).toString('hex')}`;
      const agent = `SecretAgent/${randomBytes(4).toString('hex')}`;
      const campaign = { campaign: JSON.parse(readFileSync(new URL('../examples/demo-campaign.json', import.meta.url), 'utf8')) as object, ingestKey: key };
      const published = await fetch(`${a.url}/v1/campaigns`, { method: 'POST', headers: { authorization: 'Bearer admin-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify(campaign) });
      expect(published.status).toBe(201);
      const day = new Date().toISOString().slice(0, 10);
      for (let i = 0; i < 4; i++) {
        const body = JSON.stringify({ campaignId: 'demo', campaignVersion: 1, reports: [{ id: randomBytes(16).toString('hex'), questionId: 'fever', day, payload: 1 }] });
        const response = await fetch(`${proxy}/v1/reports?key=${key}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': agent, referer: `https://app.example.org/?key=${key}` }, body });
        expect(response.status, await response.clone().text()).toBe(202);
      }
      nginx.kill('SIGQUIT'); // graceful: the log is complete
      await waitForExit(nginx);
      const log = readFileSync(accessLog, 'utf8');
      expect(log.match(/"POST \/v1\/reports" 202 /g)).toHaveLength(4);
      for (const secret of [key, agent, 'SecretAgent', '127.0.0.1', '?', 'app.example.org']) expect(log, secret).not.toContain(secret);
    } finally {
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
      await Promise.all([kill(a.child, 'SIGTERM'), kill(b.child, 'SIGTERM')]);
    }
  });
});
