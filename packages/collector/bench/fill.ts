/**
 * Filling a database with many reports without HTTP, producing exactly the rows the ingest route
 * would. Each report goes through the route's own code, `ingestBatch` (src/ingest.ts: core's
 * batch validator and day window, the ingest key, the mechanism's decodeReport and addToSums,
 * integer sparse sums) in batches of 1,000 — core's largest batch. A stand-in repository collects
 * the contributions ingestBatch hands it; the real repository's `ingest` (the same SQL as for
 * HTTP) then stores them in large batches:
 *  - SQLite: 50,000 reports per `ingest` call, all calls of one fill nested (better-sqlite3 turns
 *    them into savepoints) inside a single BEGIN IMMEDIATE … COMMIT, with a 3 GB page cache on the
 *    filling connection. Random 128-bit ids land all over the id index; per-batch commits would
 *    rewrite most of that index into the WAL again and again.
 *  - PostgreSQL: 20,000 reports per `ingest` call, one transaction each (the repository's own).
 */
import { CampaignCache, parseCampaign } from '../src/campaigns/model.ts';
import { ingestBatch } from '../src/ingest.ts';
import type { ReportContribution, Repository } from '../src/storage/repository.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { CAMPAIGN, CAMPAIGN_ID, CAMPAIGN_VERSION, INGEST_KEY, type ReportMaker, type WireReport } from './workload.ts';

/** Publishes the benchmark campaign as `POST /v1/campaigns` and `pp-collector campaign publish` do. */
export async function publishCampaign(repository: Repository): Promise<void> {
  const model = parseCampaign(CAMPAIGN);
  await repository.publishCampaign({ id: model.id, version: model.version, document: model.document, ingestKey: INGEST_KEY });
}

/** Runs the ingest route's validation and reduction on `reports` (any number), returning what it would store. */
export async function contributionsOf(reports: WireReport[], repository: Repository, campaigns: CampaignCache, now: Date): Promise<ReportContribution[]> {
  const collected: ReportContribution[] = [];
  const collector: Pick<Repository, 'getCampaign' | 'ingestPolicy' | 'ingest'> = {
    getCampaign: (id, version) => repository.getCampaign(id, version),
    ingestPolicy: (id, at) => repository.ingestPolicy(id, at),
    ingest: async (_campaign, _version, contributions) => {
      collected.push(...contributions);
      return { accepted: contributions.length, duplicates: 0 };
    },
  };
  for (let i = 0; i < reports.length; i += 1000) {
    const batch = { campaignId: CAMPAIGN_ID, campaignVersion: CAMPAIGN_VERSION, reports: reports.slice(i, i + 1000) };
    // The collector's defaults: 30-day window, raw reports not kept.
    await ingestBatch(batch, INGEST_KEY, collector as Repository, campaigns, { reportWindowDays: 30, maxBatchReports: 1000, keepRawReports: false, now: () => now });
  }
  return collected;
}

export interface FillProgress {
  (done: number, total: number): void;
}

/**
 * Stores `count` reports — from `reports` if given, else freshly made by `maker` — and returns how
 * many of each question were stored. Throws if the repository does not accept every one.
 */
export async function fill(repository: Repository, count: number, source: { maker: ReportMaker } | { reports: WireReport[] }, progress?: FillProgress): Promise<Map<string, number>> {
  const sqlite = repository instanceof SqliteRepository ? repository : undefined;
  const chunk = sqlite === undefined ? 20_000 : 50_000;
  const campaigns = new CampaignCache();
  const now = new Date();
  const perQuestion = new Map<string, number>();
  if (sqlite !== undefined) {
    sqlite.db.pragma('cache_size = -3000000');
    sqlite.db.exec('BEGIN IMMEDIATE');
  }
  try {
    for (let done = 0; done < count; ) {
      const size = Math.min(chunk, count - done);
      const reports = 'maker' in source ? source.maker.reports(size) : source.reports.slice(done, done + size);
      const contributions = await contributionsOf(reports, repository, campaigns, now);
      const stored = await repository.ingest(CAMPAIGN_ID, CAMPAIGN_VERSION, contributions);
      if (stored.accepted !== size) throw new Error(`fill: ${stored.accepted} of ${size} reports stored (${stored.duplicates} duplicates)`);
      for (const report of reports) perQuestion.set(report.questionId, (perQuestion.get(report.questionId) ?? 0) + 1);
      done += size;
      progress?.(done, count);
    }
    sqlite?.db.exec('COMMIT');
  } catch (error) {
    if (sqlite?.db.inTransaction) sqlite.db.exec('ROLLBACK');
    throw error;
  }
  return perQuestion;
}
