import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { repositoryContract } from './repository.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-repo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describe('SqliteRepository', () => {
  repositoryContract(
    async () => new SqliteRepository(join(dir, `db-${files++}.sqlite`)),
    (repo) => repo.close(),
  );

  it('opens with WAL and synchronous=FULL', async () => {
    const repo = new SqliteRepository(join(dir, 'pragmas.sqlite'));
    await repo.migrate();
    expect(repo.durabilitySettings()).toEqual({ journalMode: 'wal', synchronous: 2 });
    await repo.close();
  });
});

describe.skipIf(!HAVE_POSTGRES)('PostgresRepository', () => {
  repositoryContract(
    async () => new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('repo') }),
    async (repo) => {
      await (repo as PostgresRepository).dropSchema();
      await repo.close();
    },
  );
});

