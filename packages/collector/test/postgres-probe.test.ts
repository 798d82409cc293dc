/**
 * scripts/postgres-probe.mjs (used by the root `pnpm test`) connects to the test database rather
 * than only opening a TCP socket, so a running server without the database is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HAVE_POSTGRES, POSTGRES_URL } from './postgres-env.ts';
import { freePort } from './process-helpers.ts';

const probe = new URL('../../../scripts/postgres-probe.mjs', import.meta.url).pathname;

function run(url: string): { code: number | null; result: { ok: boolean; reason?: string; message?: string } } {
  const child = spawnSync(process.execPath, [probe, url], { encoding: 'utf8' });
  return { code: child.status, result: JSON.parse(child.stdout) as { ok: boolean; reason?: string; message?: string } };
}

describe('postgres-probe', () => {
  it('reports nothing listening', async () => {
    const { code, result } = run(`postgres://postgres@127.0.0.1:${await freePort()}/test`);
    expect(code).toBe(1);
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  it.skipIf(!HAVE_POSTGRES)('connects to the test database', () => {
    expect(run(POSTGRES_URL)).toEqual({ code: 0, result: { ok: true } });
  });

  it.skipIf(!HAVE_POSTGRES)('tells a running server without the database apart, and says to createdb it', () => {
    const url = new URL(POSTGRES_URL);
    url.pathname = '/pp_probe_no_such_database';
    const { code, result } = run(url.toString());
    expect(code).toBe(1);
    expect(result).toMatchObject({ ok: false, reason: 'no-database' });
    expect(result.message).toContain('createdb');
    expect(result.message).toContain('pp_probe_no_such_database');
  });
});
