/**
 * The rows behind every table and download (src/model.ts): withheld cells keep their reason and
 * carry no estimate; undetected RAPPOR candidates read as "not detectable", never 0 ± 0; the
 * planner's half-width sits beside day cells only; the CSV is the rows, unrounded, with formula
 * prefixes neutralised; labels come from the campaign.
 */
import { validateCampaign, worstHalfWidth } from '@practical-privacy/core';
import type { EstimateRelease } from '@practical-privacy/collector/api';
import { describe, expect, it } from 'vitest';
import { parseCampaignList } from '../src/api.ts';
import { CSV_COLUMNS, rowsOf, toCsv } from '../src/model.ts';

const campaign = validateCampaign({
  id: 'clinic',
  version: 2,
  title: 'Clinic',
  questions: [
    { id: 'fever', label: 'Fever', prompt: 'Fever today?', tier: 'high', type: 'boolean', mechanism: 'binary-rr', epsilon: 1 },
    { id: 'drug', prompt: 'Which drug?', tier: 'low', type: 'string', epsilon: 2.1, domain: { candidates: ['=cmd', 'aspirin'], rappor: { k: 10, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 } } },
  ],
});
const estimand = { name: 'population' as const, description: 'd', assumptions: [], notes: [] };
const release = (question: string, bucket: 'day' | 'week', cells: EstimateRelease['cells']): EstimateRelease => ({ campaign: 'clinic', version: 2, question, type: 'boolean', mechanism: 'binary-rr', epsilon: 1, implementedEpsilon: 1, minBatch: 20, bucket, from: null, to: null, estimand, cells });
const value = (v: string, unbiased: number, se: number) => ({ value: v, unbiased, standardError: se, ci95: [unbiased - 1.96 * se, unbiased + 1.96 * se] as [number, number], consistent: unbiased, estimate: unbiased });

describe('rowsOf', () => {
  it('a released day cell: one row per value with the campaign\'s labels and the planner\'s half-width at its n', () => {
    const rows = rowsOf(release('fever', 'day', [{ period: '2026-12-01', periodEnd: '2026-12-01', n: 400, suppressed: false, values: [value('false', 0.7, 0.05), value('true', 0.3, 0.05)] }]), campaign.questions[0]!);
    expect(rows.map((r) => [r.valueLabel, r.estimate, r.status])).toEqual([
      ['No', 0.7, 'released'],
      ['Yes', 0.3, 'released'],
    ]);
    expect(rows[1]!.plannedHalfWidth).toBe(worstHalfWidth(campaign.questions[0]!, 400));
    expect(rows[1]!.ciLow).toBeCloseTo(0.3 - 1.96 * 0.05, 12);
  });

  it('a withheld cell has its reason and no estimate; week cells get no planned half-width', () => {
    const rows = rowsOf(
      release('fever', 'week', [
        { period: '2026-11-30', periodEnd: '2026-12-06', n: 0, suppressed: true, reason: 'fewer than 20 reports' },
        { period: '2026-12-07', periodEnd: '2026-12-13', n: 300, suppressed: false, withheld: { days: 1, reports: 9, reason: 'below the minimum batch' }, values: [value('true', 0.2, 0.04)] },
      ]),
      campaign.questions[0]!,
    );
    expect(rows[0]).toMatchObject({ status: 'withheld', note: 'fewer than 20 reports' });
    expect(rows[0]!.estimate).toBeUndefined();
    expect(rows[1]!.plannedHalfWidth).toBeUndefined();
    expect(rows[1]!.note).toBe('1 day (9 reports) left out: below the minimum batch');
  });

  it('RAPPOR candidates the decoder did not detect read as not detectable, with no interval', () => {
    const rows = rowsOf(
      release('drug', 'day', [
        { period: '2026-12-01', periodEnd: '2026-12-01', n: 5000, suppressed: false, decoding: { zThreshold: 2, detected: ['aspirin'], unexplainedMass: 0, backgroundShare: 0, detectionPower: 0.95, dispersion: 1 }, values: [{ value: '=cmd', detectable: false, detectionLimit: 0.088, note: 'not detectable at this n (below ≈ 8.8%)', unbiased: null, standardError: null, ci95: null, consistent: null, estimate: null }, value('aspirin', 0.4, 0.03)] },
      ]),
      campaign.questions[1]!,
    );
    expect(rows[0]).toMatchObject({ value: '=cmd', status: 'not detectable' });
    expect(rows[0]!.ciLow).toBeUndefined();
    expect(rows[0]!.plannedHalfWidth).toBeUndefined();
    expect(rows[1]).toMatchObject({ value: 'aspirin', status: 'released', estimate: 0.4 });
  });
});

describe('toCsv', () => {
  it('has the columns and one line per row, numbers unrounded, a formula prefix neutralised', () => {
    const rows = rowsOf(
      release('drug', 'day', [{ period: '2026-12-01', periodEnd: '2026-12-01', n: 5000, suppressed: false, values: [value('=cmd', 0.123456789, 0.01), value('aspirin', 0.4, 0.03)] }]),
      campaign.questions[1]!,
    );
    const csv = toCsv(rows, { campaign: 'clinic', version: 2, bucket: 'day', estimand: 'population' });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(['campaign', 'version', 'bucket', 'estimand', 'defence', ...CSV_COLUMNS].join(','));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(",'=cmd,");
    expect(lines[1]).toContain(',0.123456789,');
    expect(lines[2]!.startsWith('clinic,2,day,population,,drug,Which drug?,2026-12-01,2026-12-01,5000,aspirin,aspirin,released,0.4,')).toBe(true);
  });
});

describe('parseCampaignList', () => {
  it('reads { campaigns } or a bare list, newest version first, and skips entries without an id or version', () => {
    expect(parseCampaignList({ campaigns: [{ id: 'a', versions: [1, 3, 2] }, { id: 'b', latestVersion: 4, title: 'B' }, { versions: [1] }, { id: 'c', versions: [] }] })).toEqual([
      { id: 'a', versions: [3, 2, 1] },
      { id: 'b', versions: [4], title: 'B' },
    ]);
    expect(parseCampaignList([{ id: 'x', versions: [{ version: 2 }, { version: 1 }] }])).toEqual([{ id: 'x', versions: [2, 1] }]);
    expect(() => parseCampaignList({ nope: 1 })).toThrow('not a list');
  });
});
