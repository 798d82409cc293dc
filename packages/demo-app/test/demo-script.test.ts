/**
 * `pnpm demo` as a terminal runs it: pnpm runs the package script with `sh -c` (dash on Debian),
 * and Ctrl-C sends SIGINT to the whole foreground process group — the shell, the demo script and
 * its children. The script must stop the collector and the app and the run must end with exit
 * code 0 (pnpm reported "Command failed with signal SIGINT" before), and the banner must be
 * plain text (the collector's JSON log line was printed raw before).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { databaseIdentity, readableLogLine } from '../scripts/stack.mjs';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('pnpm demo', () => {
  it('Ctrl-C (SIGINT to the process group) stops both services and exits 0; the banner has no raw JSON', async () => {
    const script = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { scripts: { demo: string } }).scripts.demo;
    const dataDir = mkdtempSync(join(tmpdir(), 'pp-demo-test-'));
    const [collectorPort, appPort] = [await freePort(), await freePort()];
    // detached: the shell leads a new process group, as a terminal's foreground job does.
    const child = spawn('sh', ['-c', script], {
      cwd: packageDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PP_DEMO_COLLECTOR_PORT: String(collectorPort), PP_DEMO_APP_PORT: String(appPort), PP_DEMO_DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Press Ctrl-C')) resolve();
      });
      void exited.then(() => reject(new Error(`the demo exited before it was ready:\n${stdout}\n${stderr}`)));
    });
    try {
      expect(stdout).toContain(`http://localhost:${collectorPort}`);
      expect(stdout).toContain(`http://localhost:${appPort}`);
      process.kill(-child.pid!, 'SIGINT');
      const result = await exited;
      expect({ ...result, stderr }).toEqual({ code: 0, signal: null, stderr: expect.any(String) });
      expect(stdout).toContain('Stopped.');
      const jsonLines = stdout.split('\n').filter((line) => line.trim().startsWith('{'));
      expect(jsonLines).toEqual([]);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints the collector’s JSON log lines as plain text', () => {
    expect(readableLogLine('{"level":40,"time":1,"pid":2,"hostname":"vm","msg":"PP_METRICS_TOKEN is not set"}')).toBe('collector warning: PP_METRICS_TOKEN is not set');
    expect(readableLogLine('{"level":50,"msg":"ingest failed","err":{"message":"disk full"}}')).toBe('collector error: ingest failed (disk full)');
    expect(readableLogLine('plain line')).toBe('plain line');
  });

  it('keeps one database identity per data directory (kept with --keep-data, new for a new database)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-demo-id-'));
    try {
      const first = databaseIdentity(dir) as string;
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(databaseIdentity(dir)).toBe(first);
      rmSync(join(dir, 'database-id'));
      expect(databaseIdentity(dir)).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
