/**
 * The data-protection section of the README, played as an adversary who holds a full dump of the
 * database (a stolen disk, a backup), on both stores:
 * - the tables and their columns are exactly the documented ones: no device, account, address,
 *   user agent, batch id or time finer than a UTC day next to a report;
 * - with raw reports off (the default) a report row is an id and a day, nothing of its answer;
 * - the cells are sums: the same reports sent in other batches and another order leave identical
 *   cells, so no per-report or per-batch trace is in them (hence no per-patient erasure);
 * - the audit log holds labels, campaigns, questions and times: no report id, payload or token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { ADMIN, READ, batch, post, publish, report } from './helpers.ts';
import { STORES, dumpAll, storeApp } from './stores.ts';

const DAY = '2026-06-01';
const now = () => new Date(`${DAY}T12:00:00.000Z`);

/** Every table and column a dump can hold (README, "Data protection"). */
const SCHEMA: Record<string, string[]> = {
  api_tokens: ['campaigns', 'created_at', 'expires_at', 'label', 'revoked_at', 'role', 'token_sha256'],
  audit_log: ['action', 'actor', 'at', 'campaign_id', 'detail', 'id', 'question_id'],
  campaign_state: ['campaign_id', 'closed_at', 'retention_days'],
  campaigns: ['document', 'id', 'ingest_key', 'published_at', 'version'],
  cells: ['campaign_id', 'day', 'idx', 'question_id', 'sum', 'version'],
  ingest_keys: ['campaign_id', 'created_at', 'expires_at', 'key', 'label', 'revoked_at'],
  pp_schema_version: ['version'],
  reports: ['campaign_id', 'day', 'id', 'question_id', 'raw', 'version'],
  set_bit_counts: ['bits', 'campaign_id', 'day', 'level', 'n', 'question_id', 'version'],
  token_spends: ['nonce', 'period_end'],
};

describe.each(STORES)('data protection on $name', (store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  beforeEach(async () => {
    app = await storeApp(store, 'dataprot', {}, { now });
    expect(await publish(app)).toBe(201);
  });
  afterEach(async () => {
    await app.dispose();
  });

  it('the database has exactly the documented tables and columns', async () => {
    const repo = app.collector.repository;
    const columns: Record<string, string[]> = {};
    if (repo instanceof PostgresRepository) {
      const { rows } = await repo.pool.query<{ table_name: string; column_name: string }>('SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()');
      for (const r of rows) (columns[r.table_name] ??= []).push(r.column_name);
      // PostgreSQL keeps the document twice: as JSONB and as its canonical text.
      expect(columns.campaigns?.sort()).toEqual([...SCHEMA.campaigns!, 'document_text'].sort());
      columns.campaigns = SCHEMA.campaigns!;
    } else {
      for (const table of Object.keys(await dumpAll(repo))) {
        const info = (repo as unknown as { db: { prepare: (s: string) => { all: () => Array<{ name: string }> } } }).db.prepare(`PRAGMA table_info("${table}")`).all();
        columns[table] = info.map((c) => c.name);
      }
    }
    expect(Object.fromEntries(Object.entries(columns).map(([t, c]) => [t, [...c].sort()]))).toEqual(SCHEMA);
  });

  it('with raw reports off, a stored report is its random id and its day; the same reports in other batches leave identical cells', async () => {
    const reports = [report('fever', 1, { day: DAY }), report('fever', 0, { day: DAY }), report('pain', 3, { day: DAY }), report('pain', 1, { day: DAY }), report('mood', '_wM', { day: DAY })];
    expect((await post(app, batch(reports.slice(0, 2)))).statusCode).toBe(202);
    expect((await post(app, batch(reports.slice(2)))).statusCode).toBe(202);
    const dump = await dumpAll(app.collector.repository);
    for (const row of JSON.parse(dump.reports!) as Array<Record<string, unknown>>) {
      expect(row.raw).toBeNull();
      expect(row.id).toMatch(/^[0-9a-f]{32}$/);
      expect(String(row.day).slice(0, 10)).toBe(DAY);
    }
    // Another collector gets the same reports one by one, in reverse order: the cells are the same sums.
    const other = await storeApp(store, 'dataprot2', {}, { now });
    try {
      expect(await publish(other)).toBe(201);
      for (const r of [...reports].reverse()) expect((await post(other, batch([r]))).statusCode).toBe(202);
      const cells = (d: Record<string, string>) => (JSON.parse(d.cells!) as Array<Record<string, unknown>>).map((c) => JSON.stringify([c.question_id, String(c.day).slice(0, 10), c.idx, String(c.sum)])).sort();
      expect(cells(await dumpAll(other.collector.repository))).toEqual(cells(dump));
    } finally {
      await other.dispose();
    }
  });

  it('the audit log holds token labels, campaigns, questions and times — no report id, payload or token', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: { authorization: `Bearer ${ADMIN}` }, payload: { label: 'dashboard', role: 'read' } });
    const token = created.json().token as string;
    const reports = [report('fever', 1, { day: DAY }), report('pain', 3, { day: DAY })];
    expect((await post(app, batch(reports))).statusCode).toBe(202);
    for (const t of [token, READ]) expect((await app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=pain', headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
    const audit = (await dumpAll(app.collector.repository)).audit_log!;
    expect(audit).toContain('dashboard');
    expect(audit).toContain('env:PP_READ_TOKEN');
    for (const secret of [token, READ, ADMIN, ...reports.map((r) => r.id as string)]) expect(audit).not.toContain(secret);
  });
});
