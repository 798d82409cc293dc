/**
 * better-sqlite3 (a native addon) is loaded only when a SQLite store is opened: with it made
 * unresolvable (fixtures/without-better-sqlite3.mjs), the whole CLI still loads and a PostgreSQL
 * collector starts and answers /readyz; a SQLite one fails naming the module, which shows the
 * block works. A static `import … from 'better-sqlite3'` anywhere in the CLI's import graph fails
 * the first two.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { HAVE_POSTGRES, POSTGRES_SKIP_REASON, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { BIN, kill, startCollector, stopLeftoverCollectors } from './process-helpers.ts';

const block = fileURLToPath(new URL('./fixtures/without-better-sqlite3.mjs', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', block, BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

afterAll(stopLeftoverCollectors);

describe('better-sqlite3 is loaded only for SQLite', () => {
  it('the CLI loads every command without it', async () => {
    // --help parses the whole program: src/cli.ts and, through the commands, app, server and storage.
    expect(await run(['--help'], {})).toMatchObject({ code: 0, output: expect.stringContaining('backup') });
    // A usage error still reaches the configuration and storage modules' code paths without opening a store.
    expect((await run(['export', '--campaign', 'x', '--from', 'bad'], { PP_DATABASE_URL: 'postgres://127.0.0.1:1/x' })).output).toContain('REQUEST_INVALID');
  });

  it('a SQLite store fails without it, naming the module (the block works)', async () => {
    const result = await run(['migrate'], { PP_DATABASE_URL: 'sqlite::memory:' });
    expect(result.code).toBe(1);
    expect(result.output).toContain("Cannot find module 'better-sqlite3'");
  });

  it.runIf(HAVE_POSTGRES)('a PostgreSQL collector starts and is ready without it', async () => {
    const schema = uniqueSchema('lazy');
    const url = `${POSTGRES_URL}?schema=${schema}`;
    try {
      expect(await run(['migrate'], { PP_DATABASE_URL: url })).toMatchObject({ code: 0, output: 'migrated postgres database\n' });
      const collector = await startCollector(url, {}, { nodeArgs: ['--import', block] });
      const ready = await fetch(`${collector.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', storage: 'postgres' });
      expect((await kill(collector.child, 'SIGTERM')).code).toBe(0);
    } finally {
      const repository = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
      await repository.dropSchema();
      await repository.close();
    }
  });
  if (!HAVE_POSTGRES) it.skip(`PostgreSQL part: ${POSTGRES_SKIP_REASON}`, () => undefined);
});
