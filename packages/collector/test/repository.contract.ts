/** The behaviour every Repository implementation must show; run against SQLite and PostgreSQL. */
import { beforeEach, afterEach, expect, it } from 'vitest';
import type { AuditRecord, ReportContribution, Repository, TokenToCreate } from '../src/storage/repository.ts';

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
    expect((await repo.listPublishedCampaigns()).map((c) => [c.id, c.version, c.ingestKey, c.document])).toEqual([
      ['c', 1, undefined, { a: [1, 2], b: 1 }],
      ['c', 2, undefined, { v: 2 }],
      ['k', 1, 'pk_1', {}],
    ]);
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
    // storedReportIds: the stored ones among the asked, repeats and unknown ids included.
    expect([...(await repo.storedReportIds([a.id, 'f'.repeat(32), a.id, c.id]))].sort()).toEqual([a.id, c.id].sort());
    expect((await repo.storedReportIds([])).size).toBe(0);
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

  const at = (iso: string, fields: Partial<AuditRecord> = {}): AuditRecord => ({ at: iso, actor: 'tester', action: 'campaign.close', ...fields });
  const token = (label: string, fields: Partial<TokenToCreate> = {}): TokenToCreate => ({
    label,
    role: 'read',
    tokenSha256: label.padEnd(64, '0').slice(0, 64).replace(/[^0-9a-f]/g, 'a'),
    campaigns: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
    revokedAt: null,
    ...fields,
  });

  it('publishing with an ingest key adds it to the campaign keys once, and writes its audit row in the same call', async () => {
    const audit = at('2026-01-01T00:00:00.000Z', { action: 'campaign.publish', campaignId: 'k' });
    await repo.publishCampaign({ id: 'k', version: 1, document: { v: 1 }, ingestKey: 'pk_first_key', audit });
    await repo.publishCampaign({ id: 'k', version: 1, document: { v: 1 }, ingestKey: 'pk_first_key', audit });
    await repo.publishCampaign({ id: 'k', version: 2, document: { v: 2 }, ingestKey: 'pk_first_key' });
    await repo.publishCampaign({ id: 'k', version: 3, document: { v: 3 }, ingestKey: 'pk_third_key' });
    expect((await repo.listIngestKeys('k')).map((k) => [k.label, k.key, k.revokedAt])).toEqual([
      ['published-v1', 'pk_first_key', null],
      ['published-v3', 'pk_third_key', null],
    ]);
    const rows = await repo.readAudit({ limit: 10 });
    expect(rows.map((r) => [r.action, r.campaignId, r.actor, r.detail])).toEqual([
      ['campaign.publish', 'k', 'tester', { version: 1, outcome: 'unchanged' }],
      ['campaign.publish', 'k', 'tester', { version: 1, outcome: 'created' }],
    ]);
    expect(await repo.ingestPolicy('k', '2026-01-02T00:00:00.000Z')).toEqual({ closedAt: null, keyRequired: true, activeKeys: ['pk_first_key', 'pk_third_key'] });
    expect(await repo.ingestPolicy('open', '2026-01-02T00:00:00.000Z')).toEqual({ closedAt: null, keyRequired: false, activeKeys: [] });
  });

  it('ingest keys: several valid at once; expired and revoked ones drop out, and the campaign still requires a key', async () => {
    await repo.publishCampaign({ id: 'k', version: 1, document: {} });
    await repo.addIngestKey({ campaignId: 'k', label: 'a', key: 'pk_aaaaaaaa', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, revokedAt: null }, at('2026-01-01T00:00:00.000Z', { action: 'ingest-key.add' }));
    await repo.addIngestKey({ campaignId: 'k', label: 'b', key: 'pk_bbbbbbbb', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-02-01T00:00:00.000Z', revokedAt: null }, at('2026-01-01T00:00:00.000Z', { action: 'ingest-key.add' }));
    await expect(repo.addIngestKey({ campaignId: 'k', label: 'a', key: 'pk_other_key', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, revokedAt: null }, at('2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ code: 'LABEL_TAKEN' });
    await expect(repo.addIngestKey({ campaignId: 'k', label: 'c', key: 'pk_aaaaaaaa', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, revokedAt: null }, at('2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ code: 'LABEL_TAKEN' });
    // The same label on another campaign is another key.
    await repo.addIngestKey({ campaignId: 'other', label: 'a', key: 'pk_aaaaaaaa', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, revokedAt: null }, at('2026-01-01T00:00:00.000Z', { action: 'ingest-key.add' }));
    expect((await repo.ingestPolicy('k', '2026-01-15T00:00:00.000Z')).activeKeys.sort()).toEqual(['pk_aaaaaaaa', 'pk_bbbbbbbb']);
    expect((await repo.ingestPolicy('k', '2026-02-01T00:00:00.000Z')).activeKeys).toEqual(['pk_aaaaaaaa']);
    const revoked = await repo.revokeIngestKey('k', 'a', at('2026-01-20T00:00:00.000Z', { action: 'ingest-key.revoke' }));
    expect(revoked).toMatchObject({ label: 'a', revokedAt: '2026-01-20T00:00:00.000Z' });
    // Revoking again keeps the first time (and is still one audit row per call).
    expect(await repo.revokeIngestKey('k', 'a', at('2026-01-21T00:00:00.000Z', { action: 'ingest-key.revoke' }))).toMatchObject({ revokedAt: '2026-01-20T00:00:00.000Z' });
    expect(await repo.revokeIngestKey('k', 'nope', at('2026-01-21T00:00:00.000Z'))).toBeUndefined();
    expect(await repo.ingestPolicy('k', '2026-03-01T00:00:00.000Z')).toEqual({ closedAt: null, keyRequired: true, activeKeys: [] });
    expect((await repo.ingestPolicy('other', '2026-03-01T00:00:00.000Z')).activeKeys).toEqual(['pk_aaaaaaaa']);
    expect((await repo.readAudit({ limit: 100 })).map((r) => r.action)).toEqual(['ingest-key.revoke', 'ingest-key.revoke', 'ingest-key.add', 'ingest-key.add', 'ingest-key.add']);
  });

  it('tokens: stored by hash, found by hash, labels and hashes unique, revocation keeps its first time', async () => {
    await repo.createToken(token('reader', { campaigns: ['a', 'b'], expiresAt: '2027-01-01T00:00:00.000Z' }), at('2026-01-01T00:00:00.000Z', { action: 'token.create' }));
    await repo.createToken(token('boss', { role: 'admin', tokenSha256: 'f'.repeat(64) }), at('2026-01-01T00:00:00.000Z', { action: 'token.create' }));
    await expect(repo.createToken(token('reader', { tokenSha256: 'e'.repeat(64) }), at('2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ code: 'LABEL_TAKEN' });
    await expect(repo.createToken(token('another', { tokenSha256: 'f'.repeat(64) }), at('2026-01-01T00:00:00.000Z'))).rejects.toMatchObject({ code: 'LABEL_TAKEN' });
    expect(await repo.findToken(token('reader').tokenSha256)).toEqual({ label: 'reader', role: 'read', campaigns: ['a', 'b'], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', revokedAt: null });
    expect(await repo.findToken('0'.repeat(64))).toBeUndefined();
    expect((await repo.listTokens()).map((t) => t.label).sort()).toEqual(['boss', 'reader']);
    expect(await repo.revokeToken('boss', at('2026-02-01T00:00:00.000Z', { action: 'token.revoke' }))).toMatchObject({ label: 'boss', revokedAt: '2026-02-01T00:00:00.000Z' });
    expect(await repo.revokeToken('boss', at('2026-03-01T00:00:00.000Z', { action: 'token.revoke' }))).toMatchObject({ revokedAt: '2026-02-01T00:00:00.000Z' });
    expect(await repo.revokeToken('nobody', at('2026-03-01T00:00:00.000Z', { action: 'token.revoke' }))).toBeUndefined();
    expect((await repo.readAudit({ limit: 100 })).map((r) => r.action)).toEqual(['token.revoke', 'token.revoke', 'token.create', 'token.create']);
  });

  it('close: first time kept, listed with the versions; the audit row says whether it was closed already', async () => {
    await repo.publishCampaign({ id: 'b', version: 1, document: {} });
    await repo.publishCampaign({ id: 'a', version: 1, document: {} });
    await repo.publishCampaign({ id: 'a', version: 2, document: {} });
    expect(await repo.closeCampaign('a', at('2026-01-05T10:00:00.000Z', { campaignId: 'a' }))).toEqual({ closedAt: '2026-01-05T10:00:00.000Z', alreadyClosed: false });
    expect(await repo.closeCampaign('a', at('2026-01-06T10:00:00.000Z', { campaignId: 'a' }))).toEqual({ closedAt: '2026-01-05T10:00:00.000Z', alreadyClosed: true });
    expect((await repo.ingestPolicy('a', '2026-01-07T00:00:00.000Z')).closedAt).toBe('2026-01-05T10:00:00.000Z');
    expect(await repo.listCampaigns()).toEqual([
      { id: 'a', versions: [1, 2], closedAt: '2026-01-05T10:00:00.000Z', retentionDays: null },
      { id: 'b', versions: [1], closedAt: null, retentionDays: null },
    ]);
    expect((await repo.readAudit({ limit: 10 })).map((r) => r.detail)).toEqual([{ alreadyClosed: true }, { alreadyClosed: false }]);
  });

  it('purgeCampaign deletes every version of that campaign only, after queued batches, with one audit row', async () => {
    await repo.ingest('gone', 1, [report('q', '2026-01-01', [[0, 1]]), report('q', '2026-01-02', [[0, 1], [1, 1]])]);
    await repo.ingest('gone', 2, [report('q', '2026-01-01', [[0, 1]])]);
    await repo.ingest('kept', 1, [report('q', '2026-01-01', [[0, 1]])]);
    // Handed to the group commit but not yet written when the purge starts: it lands first, and is purged.
    const queued = repo.ingest('gone', 1, [report('q', '2026-01-03', [[0, 1]])]);
    expect(await repo.purgeCampaign('gone', at('2026-02-01T00:00:00.000Z', { action: 'campaign.purge', campaignId: 'gone' }))).toEqual({ reports: 4, cells: 5 });
    expect(await queued).toEqual({ accepted: 1, duplicates: 0 });
    expect(await repo.countReports('gone', 1)).toBe(0);
    expect(await repo.countReports('gone', 2)).toBe(0);
    expect(await repo.readSums({ campaignId: 'gone', version: 1, questionId: 'q' })).toEqual([]);
    expect(await repo.countReports('kept', 1)).toBe(1);
    expect(await repo.readSums({ campaignId: 'kept', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-01', index: 0, sum: 1 }]);
    expect(await repo.readAudit({ limit: 10 })).toMatchObject([{ action: 'campaign.purge', campaignId: 'gone', detail: { reports: 4, cells: 5 } }]);
  });

  it('retention deletes the cells and ids of days older than max(N, minDays) for campaigns with a setting, one audit row each', async () => {
    await repo.ingest('r', 1, [report('q', '2026-01-01', [[0, 1]]), report('q', '2026-01-10', [[0, 1]]), report('q', '2026-01-11', [[0, 1]])]);
    await repo.ingest('short', 1, [report('q', '2026-01-01', [[0, 1]]), report('q', '2026-01-10', [[0, 1]])]);
    await repo.ingest('keep', 1, [report('q', '2026-01-01', [[0, 1]])]);
    await repo.setRetention('r', 10, at('2026-01-01T00:00:00.000Z', { action: 'campaign.retention', campaignId: 'r' }));
    await repo.setRetention('short', 1, at('2026-01-01T00:00:00.000Z', { action: 'campaign.retention', campaignId: 'short' }));
    await repo.setRetention('keep', 10, at('2026-01-01T00:00:00.000Z', { action: 'campaign.retention', campaignId: 'keep' }));
    await repo.setRetention('keep', null, at('2026-01-01T00:00:00.000Z', { action: 'campaign.retention', campaignId: 'keep' }));
    // today 2026-01-21: r keeps days from 2026-01-11 (10 days); short keeps 5 days at least (minDays), from 2026-01-16.
    const deleted = await repo.applyRetention({ today: '2026-01-21', minDays: 5, at: '2026-01-21T01:00:00.000Z' });
    expect(deleted).toEqual([
      { campaignId: 'r', beforeDay: '2026-01-11', cells: 2, reports: 2 },
      { campaignId: 'short', beforeDay: '2026-01-16', cells: 2, reports: 2 },
    ]);
    expect(await repo.readSums({ campaignId: 'r', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-11', index: 0, sum: 1 }]);
    expect(await repo.countReports('r', 1)).toBe(1);
    expect(await repo.readSums({ campaignId: 'keep', version: 1, questionId: 'q' })).toHaveLength(1);
    const audit = await repo.readAudit({ limit: 100, action: 'retention.delete' });
    expect(audit.map((r) => [r.campaignId, r.actor, r.at, r.detail])).toEqual([
      ['short', 'retention', '2026-01-21T01:00:00.000Z', { retentionDays: 1, effectiveDays: 5, beforeDay: '2026-01-16', cells: 2, reports: 2 }],
      ['r', 'retention', '2026-01-21T01:00:00.000Z', { retentionDays: 10, effectiveDays: 10, beforeDay: '2026-01-11', cells: 2, reports: 2 }],
    ]);
    // A second pass finds nothing to delete and writes no row.
    expect(await repo.applyRetention({ today: '2026-01-21', minDays: 5, at: '2026-01-21T02:00:00.000Z' })).toEqual([]);
    expect(await repo.readAudit({ limit: 100, action: 'retention.delete' })).toHaveLength(2);
  });

  it('audit log: newest first, paged with before, filtered by campaign and action', async () => {
    for (let i = 0; i < 7; i++) await repo.appendAudit({ at: `2026-01-0${i + 1}T00:00:00.000Z`, actor: `reader-${i}`, action: i % 2 === 0 ? 'read.estimates' : 'read.export', campaignId: i < 4 ? 'a' : 'b', questionId: 'q', detail: { i } });
    const first = await repo.readAudit({ limit: 3 });
    expect(first.map((r) => r.detail)).toEqual([{ i: 6 }, { i: 5 }, { i: 4 }]);
    const second = await repo.readAudit({ limit: 3, before: first.at(-1)!.id });
    expect(second.map((r) => r.detail)).toEqual([{ i: 3 }, { i: 2 }, { i: 1 }]);
    expect((await repo.readAudit({ limit: 3, before: second.at(-1)!.id })).map((r) => r.detail)).toEqual([{ i: 0 }]);
    expect((await repo.readAudit({ limit: 10, campaignId: 'a', action: 'read.export' })).map((r) => r.detail)).toEqual([{ i: 3 }, { i: 1 }]);
    expect(first[0]).toEqual({ id: first[0]!.id, at: '2026-01-07T00:00:00.000Z', actor: 'reader-6', action: 'read.estimates', campaignId: 'b', questionId: 'q', detail: { i: 6 } });
  });
  // Issue 17 §2 (migration step 5): set-bit histograms, written with the sums and deleted with the cells.
  const bitsReport = (questionId: string, day: string, level: number, bits: number, id = reportId()): ReportContribution => ({ id, questionId, day, sums: [[0, 1]], setBits: { level, bits } });

  it('set-bit histograms: counted once per new report id in the same transaction as its sums, by (day, level, bits)', async () => {
    const a = bitsReport('q', '2026-01-01', 0, 3);
    expect(await repo.ingest('c', 1, [a, bitsReport('q', '2026-01-01', 0, 3), bitsReport('q', '2026-01-01', 1, 3), bitsReport('q', '2026-01-02', 0, 0), report('q', '2026-01-02', [[0, 1]])])).toEqual({ accepted: 5, duplicates: 0 });
    // A retry changes neither the sums nor the histogram.
    expect(await repo.ingest('c', 1, [a, { ...a }])).toEqual({ accepted: 0, duplicates: 2 });
    expect(await repo.readSetBitCounts({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', level: 0, bits: 3, n: 2 },
      { day: '2026-01-01', level: 1, bits: 3, n: 1 },
      { day: '2026-01-02', level: 0, bits: 0, n: 1 },
    ]);
    expect(await repo.readSetBitCounts({ campaignId: 'c', version: 1, questionId: 'q', fromDay: '2026-01-02' })).toEqual([{ day: '2026-01-02', level: 0, bits: 0, n: 1 }]);
    expect(await repo.readSetBitCounts({ campaignId: 'c', version: 2, questionId: 'q' })).toEqual([]);
    expect(await repo.readSums({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([
      { day: '2026-01-01', index: 0, sum: 3 },
      { day: '2026-01-02', index: 0, sum: 2 },
    ]);
  });

  it('set-bit histograms: a report refused for a spent token adds nothing to them', async () => {
    const withBitsAndToken = (n: number) => ({ ...bitsReport('q', '2026-01-01', 0, 2), token: { nonce: n.toString(16).padStart(64, '0'), periodEnd: '2026-01-07' } });
    expect(await repo.ingest('c', 1, [withBitsAndToken(1), withBitsAndToken(1)])).toMatchObject({ accepted: 1, outcomes: ['accepted', 'spent'] });
    expect(await repo.readSetBitCounts({ campaignId: 'c', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-01', level: 0, bits: 2, n: 1 }]);
  });

  it('set-bit histograms go with purgeCampaign and with retention', async () => {
    await repo.ingest('gone', 1, [bitsReport('q', '2026-01-01', 0, 1)]);
    await repo.ingest('kept', 1, [bitsReport('q', '2026-01-01', 0, 1)]);
    await repo.purgeCampaign('gone', at('2026-02-01T00:00:00.000Z', { action: 'campaign.purge', campaignId: 'gone' }));
    expect(await repo.readSetBitCounts({ campaignId: 'gone', version: 1, questionId: 'q' })).toEqual([]);
    expect(await repo.readSetBitCounts({ campaignId: 'kept', version: 1, questionId: 'q' })).toHaveLength(1);
    await repo.ingest('r', 1, [bitsReport('q', '2026-01-01', 0, 1), bitsReport('q', '2026-01-11', 0, 2)]);
    await repo.setRetention('r', 10, at('2026-01-01T00:00:00.000Z', { action: 'campaign.retention', campaignId: 'r' }));
    await repo.applyRetention({ today: '2026-01-21', minDays: 5, at: '2026-01-21T01:00:00.000Z' });
    expect(await repo.readSetBitCounts({ campaignId: 'r', version: 1, questionId: 'q' })).toEqual([{ day: '2026-01-11', level: 0, bits: 2, n: 1 }]);
  });
}