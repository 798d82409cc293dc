/**
 * What the dashboard says about a release: the point drawn with the whiskers, and the
 * shuffle-amplified ε in words — per day, and with the real reason when a day gets none (the old
 * text said "n too small" even when ε per report was the obstacle).
 */
import { describe, expect, it } from 'vitest';
import type { CellAmplification as Amplification, CellRelease, EstimateRelease } from '@practical-privacy/collector/api';
import { amplificationFor, amplificationSummary, countsText, emptyState, estimandSummary, pointWithInterval, releaseCounts, reportCounts } from '../src/release-summary.ts';

const ASSUMPTION = 'Each of the n reports of this day comes from a different device';
const POPULATION: EstimateRelease['estimand'] = {
  name: 'population',
  description: 'The share in the population the respondents come from.',
  assumptions: ['The respondents are an independent sample from a large population.', 'No finite-population correction.', 'Nothing about non-response bias.'],
  notes: [],
};

describe('estimandSummary', () => {
  it('says whom the intervals are about, with the collector’s own assumptions', () => {
    const population = estimandSummary(release([]));
    expect(population.text).toBe('the patient population (respondents as a sample)');
    expect(population.detail).toBe(`${POPULATION.description} Assumes: ${POPULATION.assumptions.join(' ')}`);
    const respondents = estimandSummary({ ...release([]), estimand: { ...POPULATION, name: 'respondents', description: 'Among those who answered.', assumptions: ['Answers held fixed.'] } });
    expect(respondents).toEqual({ text: 'the patients who answered', detail: 'Among those who answered. Assumes: Answers held fixed.' });
  });
});

function release(cells: CellRelease[], bucket: 'day' | 'total' = 'day'): EstimateRelease {
  return { campaign: 'c', version: 1, question: 'q', type: 'boolean', mechanism: 'binary-rr', epsilon: 2, implementedEpsilon: 2, minBatch: 20, bucket, from: null, to: null, estimand: POPULATION, cells };
}

function day(period: string, n: number, amplification: Amplification | undefined, suppressed = false): CellRelease {
  return { period, periodEnd: period, n, suppressed, ...(amplification === undefined ? {} : { amplification }) };
}

const TOTAL: CellRelease = {
  period: '2026-06-01',
  periodEnd: '2026-06-03',
  n: 3000,
  suppressed: false,
  amplification: { applicable: false, scope: 'total', code: 'SEVERAL_REPORTS_PER_DEVICE', reason: 'not stated for a total bucket: a patient who reported on several days is in it several times', epsilon0: 2, n: 3000, delta: 1e-6 },
};

describe('amplificationSummary', () => {
  it('shows the per-day range, the assumption, and why the whole period has none', () => {
    const daily = release([
      day('2026-06-01', 1000, { applicable: true, scope: 'day', epsilon: 0.9, delta: 1e-6, epsilon0: 1, n: 1000, assumption: ASSUMPTION }),
      day('2026-06-02', 1500, { applicable: true, scope: 'day', epsilon: 0.75, delta: 1e-6, epsilon0: 1, n: 1500, assumption: ASSUMPTION }),
      day('2026-06-03', 5, undefined, true),
    ]);
    const summary = amplificationSummary(daily, TOTAL);
    expect(summary.text).toBe('per day: ε = 0.75–0.90, δ = 1e-6 (2 of 2 released days)');
    expect(summary.detail).toContain(ASSUMPTION);
    expect(summary.detail).toContain('Not stated for the whole period: not stated for a total bucket');
  });

  it('shows one value, not a range, when the days agree to the digits shown', () => {
    const daily = release([
      day('2026-06-01', 1000, { applicable: true, scope: 'day', epsilon: 0.401, delta: 1e-6, epsilon0: 1, n: 1000, assumption: ASSUMPTION }),
      day('2026-06-02', 1010, { applicable: true, scope: 'day', epsilon: 0.399, delta: 1e-6, epsilon0: 1, n: 1010, assumption: ASSUMPTION }),
    ]);
    expect(amplificationSummary(daily, TOTAL).text).toBe('per day: ε = 0.40, δ = 1e-6 (2 of 2 released days)');
    const one = release([day('2026-06-01', 1000, { applicable: true, scope: 'day', epsilon: 0.4, delta: 1e-6, epsilon0: 1, n: 1000, assumption: ASSUMPTION })]);
    expect(amplificationSummary(one, TOTAL).text).toBe('per day: ε = 0.40, δ = 1e-6 (1 of 1 released day)');
  });

  it('names ε per report, not n, when ε per report is what blocks the bound', () => {
    const daily = release([day('2026-06-01', 500, { applicable: false, scope: 'day', code: 'EPSILON0_TOO_LARGE', reason: 'ε per report (2) is too large for 500 reports', epsilon0: 2, n: 500, delta: 1e-6 })]);
    const summary = amplificationSummary(daily, TOTAL);
    expect(summary.text).toBe("not claimed: ε per report (2.00) too large for that day's reports");
    expect(summary.text).not.toMatch(/too few|n too small/);
  });

  it('says too few reports when that is the reason', () => {
    const daily = release([day('2026-06-01', 40, { applicable: false, scope: 'day', code: 'N_TOO_SMALL', reason: '40 reports are too few', epsilon0: 2, n: 40, delta: 1e-6 })]);
    expect(amplificationSummary(daily, TOTAL).text).toBe('not claimed: too few reports that day');
  });
});

describe('pointWithInterval', () => {
  it('is the unbiased estimate clipped to [0, 1], inside the clipped interval even where the consistent value is not', () => {
    // Norm-Sub moved this value to 0.31, outside [0.33, 0.47]; the bar must be 0.40.
    const v = { value: 'a', unbiased: 0.4, standardError: 0.035, ci95: [0.33, 0.47] as [number, number], consistent: 0.31, estimate: 0.31 };
    expect(pointWithInterval(v)).toBe(0.4);
    const below = { ...v, unbiased: -0.02, ci95: [0, 0.05] as [number, number], consistent: 0, estimate: 0 };
    expect(pointWithInterval(below)).toBe(0);
    const above = { ...v, unbiased: 1.3, ci95: [0.7, 1] as [number, number], consistent: 1, estimate: 1 };
    expect(pointWithInterval(above)).toBe(1);
  });
});

describe('report counts on the dashboard', () => {
  const withheldOnly: CellRelease = { period: '2026-12-04', periodEnd: '2026-12-04', n: 0, suppressed: true, reason: 'no day has the minimum batch', withheld: { days: 1, reports: 9, reason: 'below the minimum batch' } };

  it('an empty total with one withheld day: 9 received, 0 in the estimate, and why — not "n 0" beside "9 reports"', () => {
    const counts = reportCounts(withheldOnly);
    expect(counts).toEqual({ received: 9, inEstimate: 0, withheldDays: 1, withheldReports: 9 });
    expect(countsText(counts, 20)).toEqual({ received: '9', inEstimate: '0', withheld: '9 reports on 1 day with fewer than 20 reports each (the minimum batch)' });
    expect(emptyState([counts])).toBe('too-few');
  });

  it('a released total: received = in the estimate + withheld, singular for one', () => {
    const counts = reportCounts({ ...withheldOnly, n: 20_003, suppressed: false, withheld: { days: 1, reports: 1, reason: '' } });
    expect(counts.received).toBe(20_004);
    expect(countsText(counts, 20).withheld).toBe('1 report on 1 day with fewer than 20 reports each (the minimum batch)');
    expect(emptyState([counts, reportCounts(undefined)])).toBeUndefined();
  });

  it('no reports at all points to the simulator (no-reports state)', () => {
    const none = reportCounts({ period: '', periodEnd: '', n: 0, suppressed: true, reason: 'fewer than the minimum batch of 20 reports (has 0)' });
    expect(none).toEqual({ received: 0, inEstimate: 0, withheldDays: 0, withheldReports: 0 });
    expect(countsText(none, 20).withheld).toBeUndefined();
    expect(emptyState([none, reportCounts(undefined)])).toBe('no-reports');
  });
});

describe('releaseCounts (any bucket)', () => {
  it('day cells: released days are in the estimate, each withheld day counts once, received is their sum', () => {
    const counts = releaseCounts(release([day('2026-06-01', 30, undefined), day('2026-06-02', 9, undefined, true), day('2026-06-03', 4, undefined, true)]));
    expect(counts).toEqual({ received: 43, inEstimate: 30, withheldDays: 2, withheldReports: 13 });
    expect(countsText(counts, 20).withheld).toBe('13 reports on 2 days with fewer than 20 reports each (the minimum batch)');
  });

  it('a total cell: its own n and the days it names as left out', () => {
    const total = { ...day('2026-06-01', 300, undefined), periodEnd: '2026-06-07', withheld: { days: 1, reports: 9, reason: 'below the minimum batch' } };
    expect(releaseCounts(release([total], 'total'))).toEqual({ received: 309, inEstimate: 300, withheldDays: 1, withheldReports: 9 });
  });
});

describe('amplificationFor', () => {
  it('a total view claims no amplified ε for the period and says where the per-day figure is', () => {
    const whole = amplificationFor(release([{ ...day('2026-06-01', 300, { applicable: false, code: 'NOT_ONE_PER_DEVICE', reason: 'the same patients report on many days' } as unknown as Amplification) }], 'total'));
    expect(whole.text).toBe('stated per UTC day only (choose the day bucket)');
    expect(whole.detail).toContain('Not stated for the whole period: the same patients report on many days.');
  });
});
