/** The behaviour every Repository implementation must show; run against SQLite and PostgreSQL. */
import { beforeEach, afterEach, expect, it } from 'vitest';
import type { ReportContribution, Repository } from '../src/storage/repository.ts';

let counter = 0;
export function reportId(): string {
  counter += 1;
  return (BigInt(Date.now()) * 1_000_000n + BigInt(counter)).toString(16).padStart(32, '0');
}

function report(questionId: string, day: string, sums: Array<[number, number]>, id = reportId()): ReportContribution {
  return { id, questionId, day, sums };
}

export function repositoryContract(open: () => Promise<Repository>, dispose: (repo: Repository) => Promise<void>): void {
  let repo: Repository;
  beforeEach(async () => {
    repo = await open();
    await repo.migrate();
  });
  afterEach(async () => {
    await dispose(repo);
  });

  it('migrates idempotently', async () => {
    await repo.migrate();
    await repo.migrate();
    await repo.ping();
  });

  it('publishes, re-publishes unchanged, returns the latest version', async () => {
    expect(await repo.publishCampaign({ id: 'c', version: 1, document: { b: 1, a: [1, 2] } })).toBe('created');
    expect(await repo.publishCampaign({ id: 'c', version: 1, document: { a: [1, 2], b: 1 } })).toBe('unchanged');
    expect(await repo.publishCampaign({ id: 'c', version: 2, document: { v: 2 } })).toBe('created');
    expect((await repo.getCampaign('c'))?.version).toBe(2);
    expect((await repo.getCampaign('c', 1))?.document).toEqual({ a: [1, 2], b: 1 });
    expect(await repo.getCampaign('c', 3)).toBeUndefined();
    expect(await repo.getCampaign('nope')).toBeUndefined();
    expect(await repo.listCampaignVersions('c')).toEqual([1, 2]);
    expect(await repo.publishCampaign({ id: 'k', version: 1, document: {}, ingestKey: 'pk_1' })).toBe('created');
    expect((await repo.getCampaign('k'))?.ingestKey).toBe('pk_1');
    expect((await repo.getCampaign('c'))?.ingestKey).toBeUndefined();
  });

  it('refuses different content for a published version, with or without reports', async () => {
    await repo.publishCampaign({ id: 'c', version: 1, document: { x: 1 } });
    await repo.publishCampaign({ id: 'c', version: 2, document: { x: 1 } });
    // No reports yet: still refused (devices may hold queued reports randomized under version 1).
    await expect(repo.publishCampaign({ id: 'c', version: 1, document: { x: 2 } })).rejects.toMatchObject({ code: 'CAMPAIGN_IMMUTABLE', nextVersion: 3 });
    await expect(repo.publishCampaign({ id: 'c', version: 1, document: { x: 1 }, ingestKey: 'pk_new_key' })).rejects.toMatchObject({ code: 'CAMPAIGN_IMMUTABLE' });
    await repo.ingest('c', 1, [report('q', '2026-01-01', [[0, 1]])]);
    await expect(repo.publishCampaign({ id: 'c', version: 1, document: { x: 3 } })).rejects.toMatchObject({ code: 'CAMPAIGN_IMMUTABLE' });
    expect(await repo.publishCampaign({ id: 'c', version: 1, document: { x: 1 } })).toBe('unchanged');
    expect((await repo.getCampaign('c', 1))?.document).toEqual({ x: 1 });
    expect((await repo.getCampaign('c', 1))?.ingestKey).toBeUndefined();
  });

  it('lets exactly one of several concurrent publications of a version win', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => repo.publishCampaign({ id: 'race', version: 1, document: { attempt: i } })));
    const created = attempts.flatMap((a, i) => (a.status === 'fulfilled' ? [i] : []));
    expect(created).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<string>).value)).toEqual(['created']);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toMatchObject({ code: 'CAMPAIGN_IMMUTABLE' });
    expect((await repo.getCampaign('race', 1))?.document).toEqual({ attempt: created[0] });
  });

  it('adds sums once per report id and counts duplicates', async () => {
    await repo.publishCampaign({ id: 'c', version: 1, document: {} });
    const a = report('q', '2026-01-01', [[0, 1], [2, 1]]);
    const b = report('q', '2026-01-01', [[0, 1], [1, 1]]);
    const c = report('q', '2026-01-02', [[0, 1], [2, 1]]);
    expect(await repo.ingest('c', 1, [a, b])).toEqual({ accepted: 2, duplicates: 0 });
    expect(await repo.ingest('c', 1, [b, c, c])).toEqual({ accepted: 1, duplicates: 2 });
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', index: 0, sum: 2 },
      { day: '2026-01-01', index: 1, sum: 1 },
      { day: '2026-01-01', index: 2, sum: 1 },
      { day: '2026-01-02', index: 0, sum: 1 },
      { day: '2026-01-02', index: 2, sum: 1 },
    ]);
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q', fromDay: '2026-01-02', toDay: '2026-01-02' })).toEqual([
      { day: '2026-01-02', index: 0, sum: 1 },
      { day: '2026-01-02', index: 2, sum: 1 },
    ]);
    expect(await repo.countReports('c', 1)).toBe(3);
    expect((await repo.listReportIds('c', 1)).sort()).toEqual([a.id, b.id, c.id].sort());
  });

  it('keeps campaigns, versions and questions apart', async () => {
    await repo.ingest('c', 1, [report('q', '2026-01-01', [[0, 1]])]);
    await repo.ingest('c', 2, [report('q', '2026-01-01', [[0, 1]])]);
    await repo.ingest('c', 1, [report('r', '2026-01-01', [[0, 1]])]);
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-01', index: 0, sum: 1 }]);
    expect(await repo.readSums({ campaignId: 'd', version: 1, questionId: 'q' })).toEqual([]);
  });

  it('survives concurrent ingest of overlapping batches exactly once', async () => {
    const reports = Array.from({ length: 200 }, (_, i) => report('q', '2026-01-01', [[0, 1], [1 + (i % 3), 1]]));
    const batches = Array.from({ length: 8 }, (_, b) => reports.filter((_r, i) => (i + b) % 3 !== 0));
    const results = await Promise.all(batches.map((batch) => repo.ingest('c', 1, batch)));
    expect(results.reduce((s, r) => s + r.accepted, 0)).toBe(200);
    const sums = await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' });
    expect(sums.find((c) => c.index === 0)?.sum).toBe(200);
    expect(sums.reduce((s, c) => s + (c.index === 0 ? 0 : c.sum), 0)).toBe(200);
  });

  // Issue 17: token spends, in the same transaction as the reports.
  const nonce = (n: number) => n.toString(16).padStart(64, '0');
  const withToken = (r: ReportContribution, n: number, periodEnd = r.day): ReportContribution => ({ ...r, token: { nonce: nonce(n), periodEnd } });

  it('spends a token with its report: a retry is a duplicate, another report with the spent token is refused and not stored', async () => {
    const first = withToken(report('q', '2026-01-01', [[0, 1]]), 1);
    expect(await repo.ingest('c', 1, [first, withToken(report('q', '2026-01-01', [[0, 1]]), 2)])).toEqual({ accepted: 2, duplicates: 0, outcomes: ['accepted', 'accepted'] });
    expect(await repo.ingest('c', 1, [first])).toEqual({ accepted: 0, duplicates: 1, outcomes: ['duplicate'] });
    const replay = withToken(report('q', '2026-01-01', [[0, 1]]), 1);
    const honest = withToken(report('q', '2026-01-01', [[0, 1]]), 3);
    expect(await repo.ingest('c', 1, [replay, honest])).toEqual({ accepted: 1, duplicates: 1, outcomes: ['spent', 'accepted'] });
    expect(await repo.countReports('c', 1)).toBe(3);
    expect(await repo.listReportIds('c', 1)).not.toContain(replay.id);
    expect(await repo.countTokenSpends()).toBe(3);
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-01', index: 0, sum: 3 }]);
    // The replayed report's id was not kept: the same id with a fresh token is a new report.
    expect(await repo.ingest('c', 1, [withToken({ ...replay }, 4)])).toEqual({ accepted: 1, duplicates: 0, outcomes: ['accepted'] });
  });

  it('one token in two reports of one batch, or of two batches stored together, is spent once', async () => {
    const [a, b] = [withToken(report('q', '2026-01-01', [[0, 1]]), 7), withToken(report('q', '2026-01-01', [[0, 1]]), 7)];
    const one = await repo.ingest('c', 1, [a, b]);
    expect(one.accepted).toBe(1);
    expect([...one.outcomes!].sort()).toEqual(['accepted', 'spent']);
    const results = await Promise.all([8, 8, 8].map((n) => repo.ingest('c', 1, [withToken(report('q', '2026-01-02', [[0, 1]]), n)])));
    expect(results.map((r) => r.accepted).reduce((x, y) => x + y)).toBe(1);
    expect(await repo.countReports('c', 1)).toBe(2);
    expect(await repo.countTokenSpends()).toBe(2);
  });

  it('purges spends whose period ended before the ids cut-off, and keeps a week\'s spend while the week is in the window', async () => {
    await repo.ingest('c', 1, [withToken(report('q', '2026-01-05', [[0, 1]]), 1, '2026-01-11'), withToken(report('q', '2026-01-05', [[0, 1]]), 2)]);
    expect((await repo.purge({ idsBeforeDay: '2026-01-08', rawBeforeDay: '2026-01-01' })).spends).toBe(1);
    // The week's token (period to 2026-01-11) is still spent: a report of 2026-01-09 cannot reuse it.
    expect((await repo.ingest('c', 1, [withToken(report('q', '2026-01-09', [[0, 1]]), 1, '2026-01-11')])).outcomes).toEqual(['spent']);
    expect((await repo.purge({ idsBeforeDay: '2026-01-12', rawBeforeDay: '2026-01-01' })).spends).toBe(1);
    expect(await repo.countTokenSpends()).toBe(0);
  });

  it('purges ids and raw payloads by day', async () => {
    await repo.ingest('c', 1, [{ ...report('q', '2026-01-01', [[0, 1]]), raw: '{"payload":1}' }, report('q', '2026-01-05', [[0, 1]])]);
    expect(await repo.purge({ idsBeforeDay: '2026-01-02', rawBeforeDay: '2026-01-02' })).toEqual({ ids: 1, raw: 1, spends: 0 });
    expect(await repo.countReports('c', 1)).toBe(1);
    // Aggregates are unaffected by purging ids.
    expect((await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).length).toBe(2);
  });
  it('batches stored at the same time that share ids: each id is counted once, in one batch, and its cells once', async () => {
    const [a, b, c, d] = [reportId(), reportId(), reportId(), reportId()];
    const batches = [
      [report('q', '2026-01-01', [[0, 1]], a), report('q', '2026-01-01', [[1, 1]], b)],
      [report('q', '2026-01-01', [[1, 1]], b), report('q', '2026-01-02', [[0, 1]], c)],
      [report('q', '2026-01-01', [[0, 1]], a), report('q', '2026-01-02', [[0, 1]], c), report('q', '2026-01-02', [[2, 1]], d)],
      [report('q', '2026-01-01', [[0, 1]], a)],
    ];
    const results = await Promise.all(batches.map((batch) => repo.ingest('c', 1, batch)));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(4);
    results.forEach((r, i) => expect(r.accepted + r.duplicates).toBe(batches[i]!.length));
    expect((await repo.listReportIds('c', 1)).sort()).toEqual([a, b, c, d].sort());
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', index: 0, sum: 1 },
      { day: '2026-01-01', index: 1, sum: 1 },
      { day: '2026-01-02', index: 0, sum: 1 },
      { day: '2026-01-02', index: 2, sum: 1 },
    ]);
  });
  it('a batch that fails a shared transaction is retried alone and refused; the batches stored with it are kept', async () => {
    const [good1, good2, badFirst, badSecond] = [reportId(), reportId(), reportId(), reportId()];
    const settled = await Promise.allSettled([
      repo.ingest('c', 1, [report('q', '2026-01-01', [[0, 1]], good1)]),
      // A valid report followed by one the table refuses (question_id is NOT NULL): the batch is all-or-nothing.
      repo.ingest('c', 1, [report('q', '2026-01-01', [[0, 1]], badFirst), report(null as unknown as string, '2026-01-01', [[0, 1]], badSecond)]),
      repo.ingest('c', 1, [report('q', '2026-01-01', [[1, 1]], good2)]),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await repo.listReportIds('c', 1)).sort()).toEqual([good1, good2].sort());
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', index: 0, sum: 1 },
      { day: '2026-01-01', index: 1, sum: 1 },
    ]);
  });
}
