import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from '../src/storage/migrations.ts';
import { SqliteRepository, WAL_CHECKPOINT_PAGES } from '../src/storage/sqlite.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { repositoryContract, reportId } from './repository.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-repo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

describe('SqliteRepository', () => {
  repositoryContract(
    async () => new SqliteRepository(join(dir, `db-${files++}.sqlite`)),
    (repo) => repo.close(),
  );

  it('opens with WAL, synchronous=FULL and the larger checkpoint interval', async () => {
    const repo = new SqliteRepository(join(dir, 'pragmas.sqlite'));
    await repo.migrate();
    expect(repo.durabilitySettings()).toEqual({ journalMode: 'wal', synchronous: 2, walAutocheckpoint: WAL_CHECKPOINT_PAGES });
    await repo.close();
  });

  it('group commit: batches handed over in one turn of the event loop are one transaction, each with its own counts', async () => {
    const repo = new SqliteRepository(join(dir, 'group.sqlite'));
    await repo.migrate();
    const transaction = vi.spyOn(repo.db, 'transaction');
    const ids = Array.from({ length: 5 }, () => reportId());
    const results = await Promise.all([
      repo.ingest('c', 1, [{ id: ids[0]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }, { id: ids[1]!, questionId: 'q', day: '2026-01-01', sums: [[1, 1]] }]),
      repo.ingest('c', 1, [{ id: ids[1]!, questionId: 'q', day: '2026-01-01', sums: [[1, 1]] }, { id: ids[2]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
      repo.ingest('c', 2, [{ id: ids[3]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
    ]);
    expect(transaction).toHaveBeenCalledTimes(1);
    // In queue order: the second batch's copy of ids[1] is the duplicate.
    expect(results).toEqual([{ accepted: 2, duplicates: 0 }, { accepted: 1, duplicates: 1 }, { accepted: 1, duplicates: 0 }]);
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', index: 0, sum: 2 },
      { day: '2026-01-01', index: 1, sum: 1 },
    ]);
    expect(await repo.readSums({ campaignId: 'c', version: 2, questionId: 'q' })).toEqual([{ day: '2026-01-01', index: 0, sum: 1 }]);
    // Queued when close() is called: stored before the connection closes.
    const late = repo.ingest('c', 1, [{ id: ids[4]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]);
    await repo.close();
    expect(await late).toEqual({ accepted: 1, duplicates: 0 });
    const reopened = new SqliteRepository(join(dir, 'group.sqlite'));
    expect(await reopened.listReportIds('c', 1)).toContain(ids[4]);
    await reopened.close();
  });

  it('group commit: the rows of batches stored together are interleaved in id order, not one device after another', async () => {
    const repo = new SqliteRepository(join(dir, 'group-order.sqlite'));
    await repo.migrate();
    const id = (digit: string) => digit.repeat(32);
    await Promise.all([
      repo.ingest('c', 1, [{ id: id('d'), questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }, { id: id('b'), questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
      repo.ingest('c', 1, [{ id: id('c'), questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }, { id: id('a'), questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
    ]);
    const physical = (repo.db.prepare('SELECT id FROM reports ORDER BY rowid').all() as Array<{ id: string }>).map((r) => r.id);
    expect(physical).toEqual([id('a'), id('b'), id('c'), id('d')]);
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

  it('migration step 3 on a database at step 2: published ingest keys become campaign keys, labelled by their first version', async () => {
    const repo = new SqliteRepository(join(dir, 'step2.sqlite'));
    repo.db.exec('CREATE TABLE pp_schema_version (version INTEGER NOT NULL); INSERT INTO pp_schema_version VALUES (2);');
    repo.db.exec(SQLITE_MIGRATIONS[0]!);
    repo.db.exec(SQLITE_MIGRATIONS[1]!);
    const insert = repo.db.prepare('INSERT INTO campaigns (id, version, document, ingest_key, published_at) VALUES (?, ?, ?, ?, ?)');
    insert.run('k', 1, '{}', 'pk_old_key', '2026-01-01T00:00:00.000Z');
    insert.run('k', 2, '{}', 'pk_old_key', '2026-01-02T00:00:00.000Z');
    insert.run('k', 3, '{}', 'pk_new_key', '2026-01-03T00:00:00.000Z');
    insert.run('open', 1, '{}', null, '2026-01-01T00:00:00.000Z');
    await repo.migrate();
    expect((await repo.listIngestKeys('k')).map((k) => [k.label, k.key, k.createdAt])).toEqual([
      ['published-v1', 'pk_old_key', '2026-01-01T00:00:00.000Z'],
      ['published-v3', 'pk_new_key', '2026-01-03T00:00:00.000Z'],
    ]);
    expect(await repo.ingestPolicy('open', '2026-02-01T00:00:00.000Z')).toEqual({ closedAt: null, keyRequired: false, activeKeys: [] });
    await repo.close();
  });

  it('the audit log is append-only in the database itself', async () => {
    const repo = new SqliteRepository(join(dir, 'audit.sqlite'));
    await repo.migrate();
    await repo.appendAudit({ at: '2026-01-01T00:00:00.000Z', actor: 'a', action: 'read.estimates', campaignId: 'c', questionId: 'q' });
    expect(() => repo.db.prepare("UPDATE audit_log SET actor = 'b'").run()).toThrow(/AUDIT_APPEND_ONLY/);
    expect(() => repo.db.prepare('DELETE FROM audit_log').run()).toThrow(/AUDIT_APPEND_ONLY/);
    expect(await repo.readAudit({ limit: 10 })).toMatchObject([{ actor: 'a' }]);
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

  it('group commit: batches handed over together are one transaction on one connection, each with its own counts', async () => {
    const repo = new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('group') });
    await repo.migrate();
    try {
      const connect = vi.spyOn(repo.pool, 'connect');
      const ids = Array.from({ length: 3 }, () => reportId());
      const results = await Promise.all([
        repo.ingest('c', 1, [{ id: ids[0]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }, { id: ids[1]!, questionId: 'q', day: '2026-01-01', sums: [[1, 1]] }]),
        repo.ingest('c', 1, [{ id: ids[1]!, questionId: 'q', day: '2026-01-01', sums: [[1, 1]] }, { id: ids[2]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
        repo.ingest('c', 2, [{ id: ids[2]!, questionId: 'q', day: '2026-01-01', sums: [[0, 1]] }]),
      ]);
      expect(connect).toHaveBeenCalledTimes(1);
      // The first copy of an id in the group is counted: ids[1] in the first batch; ids[2] goes to
      // version 1 (its campaign version sorts first), so version 2's copy is a duplicate.
      expect(results).toEqual([{ accepted: 2, duplicates: 0 }, { accepted: 1, duplicates: 1 }, { accepted: 0, duplicates: 1 }]);
      expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
        { day: '2026-01-01', index: 0, sum: 2 },
        { day: '2026-01-01', index: 1, sum: 1 },
      ]);
    } finally {
      await repo.dropSchema();
      await repo.close();
    }
  });

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

  it('migration step 3 on a database at step 2: published ingest keys become campaign keys; the audit log is append-only', async () => {
    const repo = new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('step2') });
    try {
      await repo.pool.query(`CREATE SCHEMA IF NOT EXISTS ${(repo as unknown as { schema: string }).schema}`);
      await repo.pool.query('CREATE TABLE pp_schema_version (version INTEGER NOT NULL); INSERT INTO pp_schema_version VALUES (2);');
      await repo.pool.query(POSTGRES_MIGRATIONS[0]!);
      await repo.pool.query(POSTGRES_MIGRATIONS[1]!);
      for (const [version, key, at] of [[1, 'pk_old_key', '2026-01-01T00:00:00Z'], [2, 'pk_old_key', '2026-01-02T00:00:00Z'], [3, 'pk_new_key', '2026-01-03T00:00:00Z']] as const) {
        await repo.pool.query("INSERT INTO campaigns (id, version, document, document_text, ingest_key, published_at) VALUES ('k', $1, '{}', '{}', $2, $3)", [version, key, at]);
      }
      await repo.migrate();
      expect((await repo.listIngestKeys('k')).map((k) => [k.label, k.key, k.createdAt])).toEqual([
        ['published-v1', 'pk_old_key', '2026-01-01T00:00:00.000Z'],
        ['published-v3', 'pk_new_key', '2026-01-03T00:00:00.000Z'],
      ]);
      await repo.appendAudit({ at: '2026-01-01T00:00:00.000Z', actor: 'a', action: 'read.estimates' });
      await expect(repo.pool.query("UPDATE audit_log SET actor = 'b'")).rejects.toThrow(/AUDIT_APPEND_ONLY/);
      await expect(repo.pool.query('DELETE FROM audit_log')).rejects.toThrow(/AUDIT_APPEND_ONLY/);
      await expect(repo.pool.query('TRUNCATE audit_log')).rejects.toThrow(/AUDIT_APPEND_ONLY/);
      expect(await repo.readAudit({ limit: 10 })).toMatchObject([{ actor: 'a' }]);
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

