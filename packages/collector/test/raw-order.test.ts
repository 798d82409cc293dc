/**
 * A batch is one device's reports in the order the device made them. The collector shuffles a
 * batch (CSPRNG) before storing it, so the database's row order does not keep that order, and it
 * stores no batch id and no time finer than the day.
 */
import { RandomSampler, seededRandomSource } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { CampaignCache } from '../src/campaigns/model.ts';
import { ingestBatch } from '../src/ingest.ts';
import type { ReportContribution, Repository } from '../src/storage/repository.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { DEMO_CAMPAIGN, TODAY, batch, makeApp, post, publish, report } from './helpers.ts';

const OPTIONS = { reportWindowDays: 30, maxBatchReports: 1000, keepRawReports: true };

function reports(n: number) {
  return Array.from({ length: n }, (_, i) => report(i % 2 === 0 ? 'fever' : 'pain', i % 2 === 0 ? 1 : i % 4));
}

describe('stored batch order', () => {
  it('hands the repository a uniformly shuffled batch (seeded coins → a fixed, non-identity permutation)', async () => {
    const repository = new SqliteRepository(':memory:');
    await repository.migrate();
    await repository.publishCampaign({ id: 'demo', version: 1, document: DEMO_CAMPAIGN });
    const seen: string[][] = [];
    const capturing: Repository = Object.assign(Object.create(repository) as Repository, {
      ingest: (campaignId: string, version: number, contributions: ReportContribution[]) => {
        seen.push(contributions.map((c) => c.id));
        return repository.ingest(campaignId, version, contributions);
      },
    });
    const sent = reports(40);
    const ids = sent.map((r) => r.id as string);
    const result = await ingestBatch(batch(sent), undefined, capturing, new CampaignCache(), { ...OPTIONS, random: new RandomSampler(seededRandomSource('shuffle 1')) });
    expect(result).toMatchObject({ accepted: 40, duplicates: 0 });
    expect([...seen[0]!].sort()).toEqual([...ids].sort());
    expect(seen[0]).not.toEqual(ids);
    // The permutation comes from the coins: the same batch with other coins is stored in another order.
    const again = reports(40);
    const againIds = again.map((r) => r.id as string);
    await ingestBatch(batch(again), undefined, capturing, new CampaignCache(), { ...OPTIONS, random: new RandomSampler(seededRandomSource('shuffle 2')) });
    const firstPermutation = seen[0]!.map((id) => ids.indexOf(id));
    const secondPermutation = seen[1]!.map((id) => againIds.indexOf(id));
    expect(secondPermutation).not.toEqual(firstPermutation);
    await repository.close();
  });

  it('SQLite with raw reports kept: rows are not in batch order, and nothing links them but adjacency', async () => {
    const app = await makeApp({ keepRawReports: true });
    await publish(app);
    const sent = reports(40);
    expect((await post(app, batch(sent))).statusCode).toBe(202);
    const db = (app.collector.repository as SqliteRepository).db;
    const rows = db.prepare('SELECT id, day, raw FROM reports ORDER BY rowid').all() as Array<{ id: string; day: string; raw: string }>;
    expect(rows.map((r) => r.id)).not.toEqual(sent.map((r) => r.id));
    expect(rows.map((r) => r.id).sort()).toEqual(sent.map((r) => r.id as string).sort());
    // What a row holds: the report id, campaign, version, question, UTC day and the encoded report — no batch id, no time.
    const columns = (db.prepare('PRAGMA table_info(reports)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toEqual(['id', 'campaign_id', 'version', 'question_id', 'day', 'raw']);
    for (const row of rows) {
      expect(row.day).toBe(TODAY);
      expect(Object.keys(JSON.parse(row.raw) as object)).toEqual(['payload']);
    }
    await app.close();
  });
});
