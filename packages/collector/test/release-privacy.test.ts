/**
 * What a release may claim and what it must not reveal:
 * - the shuffle-amplified central ε is stated for day cells only (n reports from n devices is
 *   plausible there and nowhere else), with its assumption; week and total say why not;
 * - a day below the minimum batch is withheld from every week and total too, so that differencing
 *   releases over overlapping ranges recovers nothing about it;
 * - the interval belongs to the unbiased value, and the consistent (post-processed) value never
 *   leaves [0, 1] (RAPPOR shares included);
 * - week cells are labelled with the days they really cover.
 * Seeded (core's seededRandomSource), so a failure reproduces.
 */
import { addToSums, RandomSampler, rapporOneReportEpsilon, seededRandomSource, shuffleAmplifiedEpsilon, Z_95 } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { parseCampaign } from '../src/campaigns/model.ts';
import { AMPLIFICATION_DELTA, cellAmplification, releaseCell } from '../src/estimates.ts';
import type { CellRelease, EstimateRelease } from '../src/release.ts';
import { ADMIN, READ, estimatedValues, makeApp } from './helpers.ts';

const NOW = new Date('2026-06-30T12:00:00Z');

const CAMPAIGN = {
  id: 'release-privacy',
  version: 1,
  title: 'Release privacy',
  questions: [
    { id: 'mood', type: 'boolean', prompt: 'Low mood?', tier: 'high', epsilon: 0.5, mechanism: 'binary-rr', minBatch: 20 },
    { id: 'sleep', type: 'numeric', prompt: 'Hours of sleep?', tier: 'low', epsilon: 1, mechanism: 'duchi', minBatch: 20, domain: { low: 0, high: 12 } },
  ],
} as const;
const model = parseCampaign(CAMPAIGN);

/** Reports per day; 2026-06-16 is below the minimum batch of 20. 2026-06-15 and 06-22 are Mondays. */
const PLAN: ReadonlyArray<readonly [string, number]> = [
  ['2026-06-15', 60],
  ['2026-06-16', 7],
  ['2026-06-17', 45],
  ['2026-06-22', 30],
  ['2026-06-24', 500],
  ['2026-06-25', 500],
  ['2026-06-26', 500],
];
const SMALL_DAY = '2026-06-16';

function hexId(rng: RandomSampler): string {
  const bytes = new Uint8Array(16);
  rng.source.fill(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The same seeded reports for every app, so that two apps differ only in the days they were given. */
function reportsFor(questionId: 'mood' | 'sleep'): Array<{ day: string; report: Record<string, unknown> }> {
  const rng = new RandomSampler(seededRandomSource(`release-privacy ${questionId}`));
  const mechanism = model.questions.get(questionId)!.mechanism;
  return PLAN.flatMap(([day, count]) =>
    Array.from({ length: count }, () => {
      const truth = questionId === 'mood' ? (rng.uniformInt(4) === 0 ? 1 : 0) : 4 + rng.uniformInt(5);
      return { day, report: { id: hexId(rng), questionId, day, ...mechanism.encodeReport(mechanism.randomize(truth as never, rng)) } };
    }),
  );
}

async function collectorWith(days: (day: string) => boolean): Promise<CollectorApp> {
  const app = await makeApp({ maxBatchReports: 1000 }, { now: () => NOW });
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
  expect(published.statusCode, published.body).toBe(201);
  for (const questionId of ['mood', 'sleep'] as const) {
    const reports = reportsFor(questionId).filter((r) => days(r.day)).map((r) => r.report);
    for (let i = 0; i < reports.length; i += 500) {
      const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: { campaignId: CAMPAIGN.id, campaignVersion: 1, reports: reports.slice(i, i + 500) } });
      expect(response.statusCode, response.body).toBe(202);
    }
  }
  return app;
}

async function release(app: CollectorApp, query: string): Promise<EstimateRelease> {
  const response = await app.inject({ url: `/v1/campaigns/${CAMPAIGN.id}/estimates?${query}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as EstimateRelease;
}

let all: CollectorApp;
let withoutSmallDay: CollectorApp;

beforeAll(async () => {
  all = await collectorWith(() => true);
  withoutSmallDay = await collectorWith((day) => day !== SMALL_DAY);
});
afterAll(async () => {
  await all.close();
  await withoutSmallDay.close();
});

describe('shuffle amplification', () => {
  it('is stated per day cell, with n = that day’s reports and the assumption; never for week or total', async () => {
    const mechanism = model.questions.get('mood')!.mechanism;
    const daily = await release(all, 'question=mood&bucket=day&from=2026-06-24&to=2026-06-26');
    expect(daily.cells).toHaveLength(3);
    for (const cell of daily.cells) {
      expect(cell.n).toBe(500);
      const expected = shuffleAmplifiedEpsilon({ epsilon0: mechanism.implementedEpsilon, n: 500, delta: AMPLIFICATION_DELTA });
      expect(expected.applicable).toBe(true);
      expect(cell.amplification).toMatchObject({ applicable: true, scope: 'day', n: 500, epsilon0: mechanism.implementedEpsilon, epsilon: expected.applicable ? expected.epsilon : NaN });
      expect(cell.amplification?.applicable === true && cell.amplification.assumption).toMatch(/different device/);
    }
    // 1500 reports over three days: the old code stated the bound for n = 1500 here (a smaller ε
    // than any day's), as if 1500 different patients had each reported once.
    for (const bucket of ['week', 'total']) {
      const body = await release(all, `question=mood&bucket=${bucket}&from=2026-06-24&to=2026-06-26`);
      expect(body.cells).toHaveLength(1);
      expect(body.cells[0]!.n).toBe(1500);
      expect(body.cells[0]!.amplification).toMatchObject({ applicable: false, scope: bucket, code: 'SEVERAL_REPORTS_PER_DEVICE' });
    }
  });

  it('says whether n is too small or ε₀ too large', () => {
    expect(cellAmplification(1, 100, 'day')).toMatchObject({ applicable: false, code: 'N_TOO_SMALL' });
    const tooLarge = cellAmplification(2, 500, 'day');
    expect(tooLarge).toMatchObject({ applicable: false, code: 'EPSILON0_TOO_LARGE' });
    expect(tooLarge.applicable === false && tooLarge.reason).toMatch(/ε per report \(2\) is too large for 500 reports/);
    expect(cellAmplification(0.5, 500, 'day')).toMatchObject({ applicable: true });
  });
});

/** Everything a released (non-suppressed) cell says about the data. */
function releasedContent(body: EstimateRelease): unknown[] {
  return body.cells.filter((c) => !c.suppressed).map(({ period, periodEnd, n, values, mean, amplification }: CellRelease) => ({ period, periodEnd, n, values, mean, amplification }));
}

describe('minimum batch and differencing', () => {
  const days = [undefined, '2026-06-14', '2026-06-15', '2026-06-16', '2026-06-17', '2026-06-21', '2026-06-22', '2026-06-23'];

  it('the differencing attack recovers nothing about a withheld day', async () => {
    // total[06-15..06-16] − total[06-15..06-15]: with the small day added into totals, n and the
    // sums of the difference were exactly that day's.
    const [a, b] = [await release(all, 'question=mood&from=2026-06-15&to=2026-06-16'), await release(all, 'question=mood&from=2026-06-15&to=2026-06-15')];
    expect(a.cells[0]!.n - b.cells[0]!.n).toBe(0);
    expect(a.cells[0]!.values).toEqual(b.cells[0]!.values);
    expect(a.cells[0]!.withheld).toMatchObject({ days: 1, reports: 7 });
    expect(a.cells[0]!.withheld?.reason).toMatch(/fewer than the minimum batch of 20/);
  });

  it('every released figure, for every range and bucket, is what it would be had the withheld day never been sent', async () => {
    let compared = 0;
    for (const question of ['mood', 'sleep']) {
      for (const bucket of ['day', 'week', 'total']) {
        for (const from of days) {
          for (const to of days) {
            if (from !== undefined && to !== undefined && from > to) continue;
            const query = `question=${question}&bucket=${bucket}${from === undefined ? '' : `&from=${from}`}${to === undefined ? '' : `&to=${to}`}`;
            const [withSmall, without] = [await release(all, query), await release(withoutSmallDay, query)];
            expect(releasedContent(withSmall), query).toEqual(releasedContent(without));
            // What the release does say about the withheld day: that it was withheld, with its count.
            const mentioned = withSmall.cells.some((c) => (c.suppressed && c.period === SMALL_DAY) || c.withheld !== undefined);
            const covers = (from ?? '0000') <= SMALL_DAY && SMALL_DAY <= (to ?? '9999');
            expect(mentioned, query).toBe(covers);
            compared += 1;
          }
        }
      }
    }
    expect(compared).toBe(2 * 3 * 43); // 8 choices each for from and to (incl. none), from ≤ to
  });

  it('a week or total with no releasable day is suppressed and says why', async () => {
    const body = await release(all, 'question=mood&bucket=week&from=2026-06-16&to=2026-06-16');
    expect(body.cells).toEqual([expect.objectContaining({ period: '2026-06-16', periodEnd: '2026-06-16', n: 0, suppressed: true, withheld: expect.objectContaining({ days: 1, reports: 7 }) })]);
    expect(body.cells[0]!.reason).toMatch(/no day in this week has the minimum batch of 20/);
  });
});

describe('week labels', () => {
  it('name the days a week cell covers when from/to cut the ISO week', async () => {
    const body = await release(all, 'question=mood&bucket=week&from=2026-06-17&to=2026-06-23');
    expect(body.cells.map((c) => [c.period, c.periodEnd, c.n])).toEqual([
      ['2026-06-17', '2026-06-21', 45],
      ['2026-06-22', '2026-06-23', 30],
    ]);
    const whole = await release(all, 'question=mood&bucket=week');
    expect(whole.cells.map((c) => [c.period, c.periodEnd])).toEqual([
      ['2026-06-15', '2026-06-21'],
      ['2026-06-22', '2026-06-28'],
    ]);
    const total = await release(all, 'question=mood&bucket=total');
    expect([total.cells[0]!.period, total.cells[0]!.periodEnd]).toEqual(['2026-06-15', '2026-06-26']);
  });

  it('refuses from after to', async () => {
    const response = await all.inject({ url: `/v1/campaigns/${CAMPAIGN.id}/estimates?question=mood&from=2026-06-20&to=2026-06-19`, headers: { authorization: `Bearer ${READ}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'from' });
  });

  it('CSV rows carry the covered range, the withheld counts and the amplification note', async () => {
    const response = await all.inject({ url: `/v1/campaigns/${CAMPAIGN.id}/export?question=mood&format=csv&bucket=week&from=2026-06-15&to=2026-06-21`, headers: { authorization: `Bearer ${READ}` } });
    const [header, row] = response.body.split('\n');
    const columns = header!.split(',');
    const cells = row!.split(',');
    expect(cells[columns.indexOf('period')]).toBe('2026-06-15');
    expect(cells[columns.indexOf('period_end')]).toBe('2026-06-21');
    expect(cells[columns.indexOf('withheld_days')]).toBe('1');
    expect(cells[columns.indexOf('withheld_reports')]).toBe('7');
    expect(cells[columns.indexOf('amplified_epsilon')]).toBe('');
  });
});

describe('point estimates and their intervals', () => {
  const params = { k: 32, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 };
  const rappor = parseCampaign({
    id: 'probe',
    version: 1,
    title: 'Probe',
    questions: [
      { id: 'med', type: 'string', prompt: 'Medication?', tier: 'low', epsilon: Math.ceil(rapporOneReportEpsilon(params, params.h) * 100) / 100, minBatch: 5, domain: { candidates: ['a', 'b', 'c', 'd'], rappor: { ...params, mode: 'hardened-v1' } } },
    ],
  }).questions.get('med')!;

  it('RAPPOR: the consistent share stays in [0, 1] and inside its interval even when the fit passes 1', () => {
    // 20 reports that all hold "a": the least-squares fit of a's share often lands above 1 (the
    // reviewer's probe saw 1.80 released as the estimate, with ci95 [0, 1]).
    let aboveOne = 0;
    for (let seed = 0; seed < 40; seed++) {
      const rng = new RandomSampler(seededRandomSource(`rappor probe ${seed}`));
      const sums = new Float64Array(rappor.mechanism.sumsLength);
      for (let i = 0; i < 20; i++) {
        const secret = new Uint8Array(16);
        rng.source.fill(secret);
        addToSums(rappor.mechanism, rappor.mechanism.randomize({ value: 'a', cohort: i % params.m, secret } as never, rng) as never, sums);
      }
      const cell = releaseCell(rappor, { period: '2026-06-01', periodEnd: '2026-06-01', scope: 'day' }, [sums]);
      for (const v of cell.values!) {
        if (v.detectable === false) {
          expect([v.unbiased, v.ci95, v.consistent]).toEqual([null, null, null]);
          continue;
        }
        if (v.unbiased > 1) aboveOne += 1;
        expect(v.consistent).toBeGreaterThanOrEqual(0);
        expect(v.consistent).toBeLessThanOrEqual(1);
        expect(v.estimate).toBe(v.consistent);
        expect(v.consistent).toBeGreaterThanOrEqual(v.ci95[0]);
        expect(v.consistent).toBeLessThanOrEqual(v.ci95[1]);
        // The interval is centred on the unbiased fit, then clipped to [0, 1].
        expect(v.ci95[0]).toBeCloseTo(Math.min(1, Math.max(0, v.unbiased - Z_95 * v.standardError)), 12);
        expect(v.ci95[1]).toBeCloseTo(Math.min(1, Math.max(0, v.unbiased + Z_95 * v.standardError)), 12);
      }
    }
    expect(aboveOne, 'the probe exercises fits above 1').toBeGreaterThan(5);
  });

  it('frequencies: the interval is centred on `unbiased`, and `unbiased` clipped to [0, 1] lies inside it', async () => {
    const body = await release(all, 'question=mood&bucket=day');
    for (const cell of body.cells.filter((c) => !c.suppressed)) {
      expect(estimatedValues(cell).reduce((s, v) => s + v.consistent, 0)).toBeCloseTo(1, 12);
      for (const v of estimatedValues(cell)) {
        const point = Math.min(1, Math.max(0, v.unbiased));
        expect(point).toBeGreaterThanOrEqual(v.ci95[0]);
        expect(point).toBeLessThanOrEqual(v.ci95[1]);
        expect(v.ci95[0]).toBeCloseTo(Math.max(0, v.unbiased - Z_95 * v.standardError), 12);
        expect(v.ci95[1]).toBeCloseTo(Math.min(1, v.unbiased + Z_95 * v.standardError), 12);
      }
    }
  });
});

describe('RAPPOR counts.csv export', () => {
  const RAPPOR_CAMPAIGN = {
    id: 'release-privacy-rappor',
    version: 1,
    title: 'Release privacy, RAPPOR',
    questions: [
      {
        id: 'drug',
        type: 'string',
        prompt: 'Medication?',
        tier: 'low',
        epsilon: 2.1,
        minBatch: 20,
        domain: { candidates: ['a', 'b', 'c', 'd'], rappor: { k: 16, h: 2, m: 2, f: 0.5, p: 0.25, q: 0.75 } },
      },
    ],
  } as const;
  const rapporModel = parseCampaign(RAPPOR_CAMPAIGN);

  async function countsCsv(days: (day: string) => boolean, range: string): Promise<string> {
    const app = await makeApp({ maxBatchReports: 1000 }, { now: () => NOW });
    try {
      const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: RAPPOR_CAMPAIGN });
      expect(published.statusCode, published.body).toBe(201);
      const mechanism = rapporModel.questions.get('drug')!.mechanism;
      const rng = new RandomSampler(seededRandomSource('release-privacy rappor'));
      const reports = PLAN.flatMap(([day, count]) =>
        Array.from({ length: Math.min(count, 40) }, (_, i) => {
          const secret = new Uint8Array(16);
          rng.source.fill(secret);
          const input = { value: ['a', 'b', 'c', 'd'][rng.uniformInt(4)], cohort: i % 2, secret };
          return { id: hexId(rng), questionId: 'drug', day, ...mechanism.encodeReport(mechanism.randomize(input as never, rng)) };
        }),
      ).filter((r) => days(r.day));
      const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: { campaignId: RAPPOR_CAMPAIGN.id, campaignVersion: 1, reports } });
      expect(response.statusCode, response.body).toBe(202);
      const exported = await app.inject({ url: `/v1/campaigns/${RAPPOR_CAMPAIGN.id}/export?question=drug&format=rappor-counts${range}`, headers: { authorization: `Bearer ${READ}` } });
      expect(exported.statusCode, exported.body).toBe(200);
      return exported.body;
    } finally {
      await app.close();
    }
  }

  it('leaves a withheld day out, so differencing two exports recovers nothing about it', async () => {
    for (const range of ['', '&from=2026-06-15&to=2026-06-16', '&from=2026-06-16&to=2026-06-16', '&from=2026-06-15&to=2026-06-17']) {
      const [withSmall, without] = [await countsCsv(() => true, range), await countsCsv((day) => day !== SMALL_DAY, range)];
      expect(withSmall, range).toBe(without);
    }
    // …and the export is not trivially empty: released days are counted.
    const total = await countsCsv(() => true, '');
    const reportsPerCohort = total.trim().split(/\r?\n/).map((line) => Number(line.split(',')[0]));
    expect(reportsPerCohort.reduce((a, b) => a + b, 0)).toBe(PLAN.reduce((s, [day, count]) => s + (day === SMALL_DAY ? 0 : Math.min(count, 40)), 0));
  });
});
