/**
 * Spawns real collector processes for crash, signal and multi-instance tests: `node
 * bin/pp-collector.mjs`, the bin the workspace links as `pp-collector` (node_modules/.bin), which
 * runs the TypeScript sources in that one process — the pid a test signals is the server's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = join(here, '..', 'bin', 'pp-collector.mjs');
/** The repository root's node_modules/.bin, where pnpm links `pp-collector` (README "CLI"). */
export const WORKSPACE_BIN_DIR = join(here, '..', '..', '..', 'node_modules', '.bin');

export const ADMIN_TOKEN = 'admin-token-0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Every collector process started by this test file, so that a failing test leaves none running. */
const started = new Set<ChildProcess>();

/** SIGKILLs the collectors of this file that are still running (afterAll: a failed assertion skips a test's own stop). */
export async function stopLeftoverCollectors(): Promise<void> {
  await Promise.all(
    [...started].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) await kill(child, 'SIGKILL');
      started.delete(child);
    }),
  );
}

export interface CollectorProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}


export async function startCollector(databaseUrl: string, extraEnv: Record<string, string> = {}, options: { port?: number; args?: string[]; nodeArgs?: string[] } = {}): Promise<CollectorProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'serve', ...(options.args ?? [])], {
    env: {
      ...process.env,
      PP_PORT: String(port),
      PP_HOST: '127.0.0.1',
      PP_DATABASE_URL: databaseUrl,
      PP_ADMIN_TOKEN: ADMIN_TOKEN,
      PP_LOG_LEVEL: 'warn',
      PP_RATE_LIMIT_PER_MINUTE: '10000000',
      PP_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`collector did not become ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, output: () => output };
}

export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.kill(signal);
  return waitForExit(child);
}

const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** fetch's "the connection went away" (undici throws TypeError('fetch failed') with the socket error as its cause). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' && CONNECTION_ERROR_CODES.has(cause.code);
}

/**
 * Streams batches with `senders` concurrent senders until `kill()` is called after `killAfterMs`;
 * resolves with the acknowledged (202) and attempted items. Only a connection error after the kill
 * is tolerated (the request was cut off, so nothing was acknowledged). Any HTTP answer other than
 * 202 — even a 5xx sent just before the kill — and any other error reject.
 */
export async function streamUntilKilled<T>(options: { send: (batch: T[]) => Promise<Response>; makeBatch: () => T[]; kill: () => void; killAfterMs: number; senders: number }): Promise<{ acked: T[]; attempted: T[] }> {
  const acked: T[] = [];
  const attempted: T[] = [];
  let dead = false;
  const senders = Array.from({ length: options.senders }, async () => {
    while (!dead) {
      const batch = options.makeBatch();
      attempted.push(...batch);
      let response: Response;
      try {
        response = await options.send(batch);
      } catch (error) {
        if (dead && isConnectionError(error)) continue;
        throw error;
      }
      if (response.status !== 202) throw new Error(`unexpected HTTP ${response.status}${dead ? ' (answered around the kill)' : ''}: ${await response.text().catch(() => '')}`);
      acked.push(...batch);
    }
  });
  const stopped = Promise.all(senders);
  // A sender that fails early stops the stream at once (its rejection is awaited below).
  await Promise.race([new Promise((r) => setTimeout(r, options.killAfterMs)), stopped.catch(() => undefined)]);
  dead = true;
  options.kill();
  await stopped;
  return { acked, attempted };
}
