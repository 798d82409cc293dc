/**
 * Issue 17: two collector instances on one PostgreSQL database cannot both spend one token. The
 * nonce is the spend table's primary key: the second transaction waits for the first to commit, then
 * conflicts, and takes its report back out (storage/postgres.ts). Also two SQLite connections on one file.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import type { Repository } from '../src/storage/repository.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { reportId } from './repository.contract.ts';

async function race(a: Repository, b: Repository): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const nonce = (round + 1).toString(16).padStart(64, '0');
    const report = () => ({ id: reportId(), questionId: 'q', day: '2026-03-11', sums: [[0, 1]] as Array<[number, number]>, token: { nonce, periodEnd: '2026-03-11' } });
    const results = await Promise.all([a.ingest('c', 1, [report()]), b.ingest('c', 1, [report()]), a.ingest('c', 1, [report()]), b.ingest('c', 1, [report()])]);
    expect(results.map((r) => r.accepted).reduce((x, y) => x + y), `round ${round}`).toBe(1);
  }
  expect(await a.countReports('c', 1)).toBe(20);
  expect(await b.countTokenSpends()).toBe(20);
  expect(await a.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([{ day: '2026-03-11', index: 0, sum: 20 }]);
}

describe('one token, several writers', () => {
  it('two SQLite connections on one file: each token is spent by exactly one report', async () => {
    const file = path.join(tmpdir(), `pp-spend-${process.pid}-${Date.now()}.db`);
    const [a, b] = [new SqliteRepository(file), new SqliteRepository(file)];
    try {
      await a.migrate();
      await b.migrate();
      await race(a, b);
    } finally {
      await a.close();
      await b.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    }
  });

  it.skipIf(!HAVE_POSTGRES)('two PostgreSQL instances on one database: each token is spent by exactly one report', async () => {
    const schema = uniqueSchema('spend');
    const [a, b] = [new PostgresRepository({ connectionString: POSTGRES_URL, schema }), new PostgresRepository({ connectionString: POSTGRES_URL, schema })];
    try {
      await a.migrate();
      await b.migrate();
      await race(a, b);
    } finally {
      await a.dropSchema();
      await a.close();
      await b.close();
    }
  });
});
