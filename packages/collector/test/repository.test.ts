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

  it('refuses UPDATE, DELETE and INSERT OR REPLACE of a published campaign in the database itself', async () => {
    const repo = new SqliteRepository(join(dir, 'immutable.sqlite'));
    await repo.migrate();
    await repo.publishCampaign({ id: 'c', version: 1, document: { x: 1 } });
    expect(() => repo.db.prepare("UPDATE campaigns SET document = '{\"x\":2}'").run()).toThrow(/CAMPAIGN_IMMUTABLE/);
    expect(() => repo.db.prepare('DELETE FROM campaigns').run()).toThrow(/CAMPAIGN_IMMUTABLE/);
    expect(() => repo.db.prepare("INSERT OR REPLACE INTO campaigns (id, version, document, published_at) VALUES ('c', 1, '{}', 'now')").run()).toThrow(/CAMPAIGN_IMMUTABLE/);
    expect((await repo.getCampaign('c', 1))?.document).toEqual({ x: 1 });
    await repo.close();
  });

  it('two repositories on one file: one publication of a version wins', async () => {
    const path = join(dir, 'two.sqlite');
    const a = new SqliteRepository(path);
    const b = new SqliteRepository(path);
    await a.migrate();
    await b.migrate();
    expect(await a.publishCampaign({ id: 'c', version: 1, document: { from: 'a' } })).toBe('created');
    await expect(b.publishCampaign({ id: 'c', version: 1, document: { from: 'b' } })).rejects.toMatchObject({ code: 'CAMPAIGN_IMMUTABLE' });
    expect((await b.getCampaign('c', 1))?.document).toEqual({ from: 'a' });
    await a.close();
    await b.close();
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

  it('refuses UPDATE, DELETE, upsert and TRUNCATE of a published campaign in the database itself', async () => {
    const repo = new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('immutable') });
    try {
      await repo.migrate();
      await repo.publishCampaign({ id: 'c', version: 1, document: { x: 1 } });
      await expect(repo.pool.query(`UPDATE campaigns SET document_text = '{"x":2}'`)).rejects.toThrow(/CAMPAIGN_IMMUTABLE/);
      await expect(repo.pool.query('DELETE FROM campaigns')).rejects.toThrow(/CAMPAIGN_IMMUTABLE/);
      await expect(repo.pool.query(`INSERT INTO campaigns (id, version, document, document_text) VALUES ('c', 1, '{}', '{}') ON CONFLICT (id, version) DO UPDATE SET document_text = excluded.document_text`)).rejects.toThrow(/CAMPAIGN_IMMUTABLE/);
      await expect(repo.pool.query('TRUNCATE campaigns')).rejects.toThrow(/CAMPAIGN_IMMUTABLE/);
      expect((await repo.getCampaign('c', 1))?.document).toEqual({ x: 1 });
    } finally {
      await repo.dropSchema();
      await repo.close();
    }
  });

  it('two instances publishing the same version at once while one holds its insert uncommitted: exactly one wins', async () => {
    const schema = uniqueSchema('race');
    const a = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
    const application = `pp_race_b_${schema.slice(-8)}`;
    const urlB = new URL(POSTGRES_URL);
    urlB.searchParams.set('application_name', application);
    const b = new PostgresRepository({ connectionString: urlB.toString(), schema });
    try {
      await a.migrate();
      await b.migrate();
      // Instance A's publication sits uncommitted while B publishes different content.
      const held = await a.pool.connect();
      await held.query('BEGIN');
      await held.query(`INSERT INTO campaigns (id, version, document, document_text) VALUES ('c', 1, '{"from":"a"}', '{"from":"a"}')`);
      const fromB = b.publishCampaign({ id: 'c', version: 1, document: { from: 'b' } });
      // Wait until B's insert is blocked on A's uncommitted row (B cannot see it yet).
      for (;;) {
        const { rows } = await a.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [application]);
        if (Number(rows[0]?.n) > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await held.query('COMMIT');
      held.release();
      await expect(fromB).rejects.toMatchObject({ code: 'CAMPAIGN_IMMUTABLE' });
      expect((await b.getCampaign('c', 1))?.document).toEqual({ from: 'a' });
    } finally {
      await a.dropSchema();
      await a.close();
      await b.close();
    }
  });
});

