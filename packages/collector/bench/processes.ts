/**
 * Servers under test run as child processes, so the load generator (this process) never shares an
 * event loop with them: the collector through its real CLI (`src/cli.ts serve`, TypeScript run by
 * tsx like the workspace bin), the baseline through baseline-server.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/process-helpers.ts';
import { ADMIN_TOKEN, ORIGIN, READ_TOKEN } from './workload.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = new URL(`file://${createRequire(import.meta.url).resolve('tsx')}`).href;
const nodeArgs = ['--import', tsx, '--conditions=@practical-privacy/source'];

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** SIGTERM (the collector drains in-flight batches, then closes the database) and wait for exit. */
  stop(): Promise<void>;
  /**
   * Resident memory of the server process in MiB (Linux /proc), or undefined elsewhere: `rss` in
   * all, `anon` its anonymous part (JS heap, native allocations, SQLite's page cache), `file` the
   * part backed by files (node's binary and libraries, mapped database files) — pages the kernel
   * may drop from an idle process when other I/O needs the memory, and read back on use.
   */
  memoryMiB(): { rss: number; anon: number; file: number } | undefined;
  /** CPU seconds (user + system, all threads) the server process used so far (Linux /proc), or undefined elsewhere. */
  cpuSeconds(): number | undefined;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime: 100 on Linux (USER_HZ, fixed by the kernel ABI). */
const USER_HZ = 100;

function wrap(child: ChildProcess, url: string, output: () => string): ServerProcess {
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      if (child.exitCode !== 0 && child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output().slice(-2000)}`);
    },
    cpuSeconds() {
      try {
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (proc(5)).
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
      } catch {
        return undefined;
      }
    },
    memoryMiB() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
        const memory = { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
        return Number.isFinite(memory.rss) && Number.isFinite(memory.anon) ? memory : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

function capture(child: ChildProcess): () => string {
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return () => output;
}

/** Starts `pp-collector serve` on a free loopback port; resolves once /readyz answers 200. */
/** `env`: extra settings (e.g. PP_TOKEN_KEYS for the token campaign). */
export async function startCollector(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  // PP_BENCH_COLLECTOR_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the collector alone; Node refuses --cpu-prof in NODE_OPTIONS.
  const extra = (process.env.PP_BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...extra, ...nodeArgs, path.join(here, '..', 'src', 'cli.ts'), 'serve'], {
    env: {
      ...process.env,
      PP_HOST: '127.0.0.1',
      PP_PORT: String(port),
      PP_DATABASE_URL: databaseUrl,
      PP_ADMIN_TOKEN: ADMIN_TOKEN,
      PP_READ_TOKEN: READ_TOKEN,
      PP_ALLOWED_ORIGINS: ORIGIN,
      // Rate limiting stays on, with a limit above what one loopback client sends.
      PP_RATE_LIMIT_PER_MINUTE: '10000000',
      PP_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = capture(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${output()}`);
    const status = await request('GET', `${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`collector did not become ready: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return wrap(child, url, output);
}

/** Starts the bare Fastify JSON endpoint; resolves once it prints its port. */
export async function startBaseline(): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(here, 'baseline-server.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}: ${output()}`)));
    child.stdout!.on('data', () => {
      const match = /\{"port":(\d+)\}/.exec(output());
      if (match !== null) resolve(Number(match[1]));
    });
  });
  return wrap(child, `http://127.0.0.1:${port}`, output);
}

let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Drops the kept-alive connection. Call before timing after a long pause: while this process runs
 * a long synchronous fill, it cannot read the server's FIN when the server's keep-alive timeout
 * closes the idle connection, and the next request would be written into a closed socket (EPIPE).
 */
export function freshConnection(): void {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/** One HTTP request over a kept-alive loopback connection (no fetch/undici overhead in the timings). */
export function request(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
