/**
 * The collector's integrity signals (src/integrity.ts) as the dashboard reads them, against
 * stubbed collector responses: a flagged cell carries "suspicious: <reason>" into its row, the
 * question's line and both downloads; a response without signals (today's collector) yields
 * none and no crash; an unknown status is ignored, never shown as "ok"; the recovered view asks
 * for `defence=ldprecover` and is labelled by what the collector says it applied.
 */
import { validateCampaign } from '@practical-privacy/core';
import type { EstimateRelease } from '@practical-privacy/collector/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DashboardApi } from '../src/api.ts';
import { defenceLabel, defenceOf, integrityOf, questionSuspicion, recoveryOf, recoveryText, suspiciousText } from '../src/integrity.ts';
import { CSV_COLUMNS, rowsOf, toCsv } from '../src/model.ts';

const campaign = validateCampaign({
  id: 'clinic',
  version: 1,
  title: 'Clinic',
  questions: [{ id: 'fever', label: 'Fever', prompt: 'Fever today?', tier: 'high', type: 'boolean', mechanism: 'binary-rr', epsilon: 1 }],
});
const fever = campaign.questions[0]!;
const estimand = { name: 'population' as const, description: 'd', assumptions: [], notes: [] };
const value = (v: string, unbiased: number) => ({ value: v, unbiased, standardError: 0.05, ci95: [unbiased - 0.098, unbiased + 0.098] as [number, number], consistent: unbiased, estimate: unbiased });
const cell = (period: string, integrity?: unknown) => ({ period, periodEnd: period, n: 400, suppressed: false, values: [value('false', 0.7), value('true', 0.3)], ...(integrity === undefined ? {} : { integrity }) });
const release = (cells: unknown[], extra: Record<string, unknown> = {}) => ({ campaign: 'clinic', version: 1, question: 'fever', type: 'boolean', mechanism: 'binary-rr', epsilon: 1, implementedEpsilon: 1, minBatch: 20, bucket: 'day', from: null, to: null, estimand, cells, ...extra }) as unknown as EstimateRelease;

const flagged = release([cell('2026-12-01', { status: 'ok', reason: '', score: 0.4 }), cell('2026-12-02', { status: 'suspicious', reason: 'answer share jumped 9 SE above the trailing week', score: 9.1 })], { defence: 'none' });

describe('integrity signals in the rows and downloads', () => {
  it('a flagged cell reads "suspicious: <reason>" and its signal goes into every row of the cell and the CSV', () => {
    const rows = rowsOf(flagged, fever);
    expect(rows.map((r) => r.integrity?.status)).toEqual(['ok', 'ok', 'suspicious', 'suspicious']);
    expect(suspiciousText(rows[2]!.integrity)).toBe('suspicious: answer share jumped 9 SE above the trailing week');
    expect(suspiciousText(rows[0]!.integrity)).toBeUndefined();
    const csv = toCsv(rows, { campaign: 'clinic', version: 1, bucket: 'day', estimand: 'population', defence: defenceOf(flagged) }).trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    const at = (line: string, column: string) => line.split(',')[header.indexOf(column)];
    expect(at(csv[3]!, 'integrityStatus')).toBe('suspicious');
    expect(at(csv[3]!, 'integrityReason')).toBe('answer share jumped 9 SE above the trailing week');
    expect(at(csv[3]!, 'integrityScore')).toBe('9.1');
    expect(at(csv[1]!, 'integrityStatus')).toBe('ok');
    expect(at(csv[1]!, 'defence')).toBe('none');
    // The JSON download is the rows themselves: the signal is in it.
    expect(JSON.parse(JSON.stringify(rows))[2].integrity).toEqual({ status: 'suspicious', reason: 'answer share jumped 9 SE above the trailing week', score: 9.1 });
  });

  it('the question line counts the flagged cells and names each reason once', () => {
    expect(questionSuspicion(flagged)).toBe("Suspicious: 1 of 2 released cells flagged by the collector's poisoning check — answer share jumped 9 SE above the trailing week.");
    const withWithheld = release([...(flagged.cells as unknown[]), { period: '2026-12-03', periodEnd: '2026-12-03', n: 4, suppressed: true, reason: 'fewer than 20 reports' }]);
    expect(questionSuspicion(withWithheld)).toMatch(/^Suspicious: 1 of 2 released cells/);
    expect(questionSuspicion(release([cell('2026-12-01', { status: 'ok', reason: '', score: 0 })]))).toBeUndefined();
  });

  it('a collector without integrity signals: no signal, no defence, empty CSV columns, no crash', () => {
    const plain = release([cell('2026-12-01')]);
    const rows = rowsOf(plain, fever);
    expect(rows.every((r) => r.integrity === undefined)).toBe(true);
    expect(questionSuspicion(plain)).toBeUndefined();
    expect(defenceOf(plain)).toBeUndefined();
    const line = toCsv(rows, { campaign: 'clinic', version: 1, bucket: 'day', estimand: 'population' }).split('\r\n')[1]!.split(',');
    const header = ['campaign', 'version', 'bucket', 'estimand', 'defence', ...CSV_COLUMNS];
    for (const column of ['defence', 'integrityStatus', 'integrityReason', 'integrityScore']) expect(line[header.indexOf(column)]).toBe('');
  });

  it('an unknown status or defence is ignored rather than shown as ok; a missing score is null', () => {
    expect(integrityOf(cell('2026-12-01', { status: 'great', reason: 'x', score: 1 }) as never)).toBeUndefined();
    expect(integrityOf(cell('2026-12-01', 'suspicious') as never)).toBeUndefined();
    expect(integrityOf(cell('2026-12-01', { status: 'not-applicable', reason: 'fewer than 3 days' }) as never)).toEqual({ status: 'not-applicable', reason: 'fewer than 3 days', score: null });
    expect(defenceOf(release([], { defence: 'magic' }))).toBeUndefined();
  });

  it('the recovered view is labelled by what the collector applied, not by what was asked', () => {
    expect(defenceLabel(false, undefined)).toBeUndefined();
    expect(defenceLabel(false, 'none')).toBeUndefined();
    expect(defenceLabel(true, 'ldprecover')).toMatch(/^Recovered estimates \(LDPRecover\)/);
    expect(defenceLabel(true, 'none')).toMatch(/applied no defence/);
    expect(defenceLabel(true, undefined)).toMatch(/does not state a defence/);
  });
});

describe('DashboardApi.estimates', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends defence=ldprecover only for the recovered view, with the read token', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      urls.push(url);
      expect((init.headers as Record<string, string>).authorization).toBe('Bearer t0ken');
      return new Response(JSON.stringify(flagged), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const api = new DashboardApi('https://collector.example', 't0ken');
    const query = { campaignId: 'clinic', version: 1, question: 'fever', bucket: 'day' as const, estimand: 'population' as const };
    await api.estimates(query);
    await api.estimates({ ...query, defence: 'ldprecover' });
    expect(new URL(urls[0]!).searchParams.has('defence')).toBe(false);
    expect(new URL(urls[1]!).searchParams.get('defence')).toBe('ldprecover');
  });
});

describe('recovery notes', () => {
  it('a recovery note reads applied with the fake share and the targets by label, or not applied with the reason', () => {
    expect(recoveryText(undefined)).toBe('');
    expect(recoveryText({ applied: true, fakeShare: 0.0741, targets: ['s3', 's5'], note: 'applied: …' }, (c) => c.toUpperCase())).toBe('applied: 7.4% of reports taken as fake, targets S3, S5');
    expect(recoveryText({ applied: true, fakeShare: 0, targets: [], note: 'applied: nothing' })).toBe('applied: nothing removed');
    expect(recoveryText({ applied: false, fakeShare: null, targets: [], note: 'not applied: needs a unary encoding' })).toBe('not applied: needs a unary encoding');
    expect(recoveryOf(cell('2026-12-01') as never)).toBeUndefined();
    expect(recoveryOf({ ...cell('2026-12-01'), recovery: { applied: 'yes' } } as never)).toBeUndefined();
  });
});
