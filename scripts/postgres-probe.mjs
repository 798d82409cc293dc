#!/usr/bin/env node
// Probes the PostgreSQL database the tests use by actually connecting to it (with `pg` from the
// collector package, or psql when `pg` is not installed), so that "the server is up but the
// database does not exist" is told apart from "nothing is listening".
//
//   node scripts/postgres-probe.mjs [url]   prints { ok, reason?, message? } as JSON; exit 0 iff ok
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * @param {string} url
 * @returns {Promise<{ ok: true } | { ok: false, reason: 'unreachable' | 'no-database' | 'refused', message: string }>}
 */
export async function probePostgres(url) {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || parsed.username || 'postgres';
  const where = `${parsed.hostname}:${parsed.port || 5432}`;
  const createdb = `createdb -h ${parsed.hostname} -p ${parsed.port || 5432}${parsed.username ? ` -U ${decodeURIComponent(parsed.username)}` : ''} ${database}`;
  const noDatabase = { ok: false, reason: 'no-database', message: `PostgreSQL answers at ${where} but database "${database}" does not exist: run \`${createdb}\` (or set PP_TEST_DATABASE_URL)` };
  const unreachable = (detail) => ({ ok: false, reason: 'unreachable', message: `cannot reach PostgreSQL at ${where} (${detail}): start PostgreSQL 15, or set PP_TEST_DATABASE_URL` });
  const refused = (detail) => ({ ok: false, reason: 'refused', message: `PostgreSQL at ${where} refused ${redact(parsed)}: ${detail}` });

  let pg;
  try {
    pg = createRequire(new URL('../packages/collector/package.json', import.meta.url))('pg');
  } catch {
    pg = undefined;
  }
  if (pg !== undefined) {
    const client = new pg.Client({ connectionString: stripSchema(parsed), connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { ok: true };
    } catch (error) {
      if (error.code === '3D000') return noDatabase;
      if (typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code)) return refused(error.message);
      return unreachable(error.code ?? error.message);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  // No `pg` (dependencies not installed): psql if present.
  const psql = spawnSync('psql', [stripSchema(parsed), '-tAc', 'SELECT 1'], { encoding: 'utf8', timeout: 5000, env: { ...process.env, PGCONNECT_TIMEOUT: '3' } });
  if (psql.error !== undefined) return unreachable('neither the collector\'s `pg` nor psql is available to test the connection; run pnpm install');
  if (psql.status === 0) return { ok: true };
  if (/database ".*" does not exist/.test(psql.stderr)) return noDatabase;
  if (/Connection refused|could not connect|timeout/i.test(psql.stderr)) return unreachable(psql.stderr.trim().split('\n')[0]);
  return refused(psql.stderr.trim().split('\n')[0]);
}

function stripSchema(url) {
  const copy = new URL(url);
  copy.searchParams.delete('schema');
  return copy.toString();
}

function redact(url) {
  const copy = new URL(url);
  if (copy.password) copy.password = '…';
  return copy.toString();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await probePostgres(process.argv[2] ?? process.env.PP_TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
  console.log(JSON.stringify(result));
  process.exitCode = result.ok ? 0 : 1;
}
