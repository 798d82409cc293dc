/**
 * PostgreSQL availability for tests. They run when PP_HAVE_POSTGRES=1 or CI=true (the root
 * `pnpm test` sets PP_HAVE_POSTGRES after probing PP_TEST_DATABASE_URL) and otherwise skip, saying how to enable them.
 */
import { randomBytes } from 'node:crypto';

export const POSTGRES_URL = process.env.PP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const HAVE_POSTGRES = process.env.PP_HAVE_POSTGRES === '1' || process.env.CI === 'true' || process.env.CI === '1';
export const POSTGRES_SKIP_REASON = `PostgreSQL tests skipped: set PP_HAVE_POSTGRES=1 (and PP_TEST_DATABASE_URL, default ${POSTGRES_URL}) or run the root \`pnpm test\`, which detects PostgreSQL.`;

if (!HAVE_POSTGRES) console.warn(POSTGRES_SKIP_REASON);

/** A schema name unique to this test run. */
export function uniqueSchema(label: string): string {
  return `pp_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
