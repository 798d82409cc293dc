/**
 * The week/total standard error is the any-correlation bound Σₜ wₜ·SEₜ (src/bucket-error.ts), over
 * the day SEs of the estimand asked for (population by default, respondents on request):
 * checked by hand for binary RR, where SEₜ has a closed form, and for every decoder of the shared
 * test campaign: the value is the report-weighted average of the day values, the bound is never
 * below the SE that treats every report as independent, and one day alone is left as it was.
 */
import { addToSums, RandomSampler, Z_95, seededRandomSource, type FrequencyEstimate, type RapporBitEstimate } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { rapporBitBound } from '../src/bucket-error.ts';
import { parseCampaign, type QuestionModel } from '../src/campaigns/model.ts';
import { releaseCell } from '../src/estimates.ts';
import { DEMO_CAMPAIGN, estimatedValues } from './helpers.ts';

const model = parseCampaign(DEMO_CAMPAIGN);
const WEEK = { period: '2026-06-01', periodEnd: '2026-06-07', scope: 'week' } as const;
const DAY = { period: '2026-06-01', periodEnd: '2026-06-01', scope: 'day' } as const;

/** Sums of n randomized reports of answers drawn by `answer`. */
function daySums(question: QuestionModel, n: number, seed: string, answer: (rng: RandomSampler, i: number) => unknown): Float64Array {
  const rng = new RandomSampler(seededRandomSource(seed));
  const mechanism = question.mechanism;
  const sums = new Float64Array(mechanism.sumsLength);
  for (let i = 0; i < n; i++) addToSums(mechanism, mechanism.randomize(answer(rng, i) as never, rng), sums);
  return sums;
}

function answerOf(question: QuestionModel): (rng: RandomSampler, i: number) => unknown {
  const q = question.question;
  switch (q.type) {
    case 'boolean':
      return (rng) => rng.uint32() % 2;
    case 'categorical':
      return (rng) => rng.uint32() % q.domain.categories.length;
    case 'multiselect':
      return (rng) => [rng.uint32() % q.domain.items.length];
    case 'numeric':
      return (rng) => q.domain.low + ((rng.uint32() % 1000) / 1000) * (q.domain.high - q.domain.low);
    case 'string':
      if (q.domain.rappor === undefined) return (rng) => rng.uint32() % (q.domain.candidates.length + 1); // LOLOHA: a candidate's index or "other"
      return (rng, i) => {
        const secret = new Uint8Array(32);
        rng.source.fill(secret);
        return { value: q.domain.candidates[rng.uint32() % q.domain.candidates.length]!, cohort: i % q.domain.rappor!.m, secret };
      };
  }
}

describe('binary RR, by hand', () => {
  const fever = model.questions.get('fever')!;
  const { p, q } = fever.mechanism as unknown as { p: number; q: number };
  // Var[f̂] = p(1−p)/(n(p−q)²) whatever f (binary-rr.ts), so SEₜ = s/√nₜ with s = √(pq)/(p − q).
  const s = Math.sqrt(p * q) / (p - q);
  const days = [daySums(fever, 100, 'hand 1', (rng) => rng.uint32() % 2), daySums(fever, 300, 'hand 2', () => 1)];

  it('respondents: week SE = (100·s/√100 + 300·s/√300)/400, (1 + √3)/2 times the independent-reports SE s/√400', () => {
    const cell = releaseCell(fever, WEEK, days, undefined, 'respondents');
    const bound = (100 * (s / 10) + 300 * (s / Math.sqrt(300))) / 400;
    const naive = s / 20;
    expect(cell.n).toBe(400);
    for (const v of estimatedValues(cell)) {
      expect(v.standardError).toBeCloseTo(bound, 12);
      expect(v.standardError / naive).toBeCloseTo((1 + Math.sqrt(3)) / 2, 12);
      expect(v.ci95[0]).toBeCloseTo(Math.max(0, v.unbiased - Z_95 * bound), 12);
      expect(v.ci95[1]).toBeCloseTo(Math.min(1, v.unbiased + Z_95 * bound), 12);
    }
    // The day cells themselves keep the mechanism's SE.
    expect(estimatedValues(releaseCell(fever, DAY, [days[0]!], undefined, 'respondents'))[0]!.standardError).toBeCloseTo(s / 10, 12);
    expect(cell.uncertainty).toMatchObject({ basis: 'any-correlation-bound', days: 2 });
    expect(releaseCell(fever, DAY, [days[0]!]).uncertainty).toMatchObject({ basis: 'day', days: 1 });
  });

  it('population (the default): each day SE is √(s²/nₜ + f̂ₜ(1−f̂ₜ)/nₜ), f̂ₜ clipped, and the week bounds their weighted sum', () => {
    const dayCells = days.map((d) => releaseCell(fever, DAY, [d]));
    const daySe = dayCells.map((cell, t) => {
      const f = Math.min(1, Math.max(0, estimatedValues(cell)[1]!.unbiased));
      const n = t === 0 ? 100 : 300;
      const se = Math.sqrt((s * s) / n + (f * (1 - f)) / n);
      expect(estimatedValues(cell)[1]!.standardError).toBeCloseTo(se, 12);
      return se;
    });
    // Day 2 has every answer 1: f̂ lands near 1, and the sampling term is nearly or exactly 0 there.
    const week = releaseCell(fever, WEEK, days);
    expect(estimatedValues(week)[1]!.standardError).toBeCloseTo((100 * daySe[0]! + 300 * daySe[1]!) / 400, 12);
    expect(estimatedValues(week)[1]!.standardError).toBeGreaterThan(estimatedValues(releaseCell(fever, WEEK, days, undefined, 'respondents'))[1]!.standardError);
  });
});

describe('every decoder of the test campaign', () => {
  const sizes = [40, 90, 250];
  it.each([...model.questions.keys()])('%s: value = Σ wₜ·(day value), bound ≥ independent-reports SE, one day unchanged', (id) => {
    const question = model.questions.get(id)!;
    const days = sizes.map((n, t) => daySums(question, n, `${id} day ${t}`, answerOf(question)));
    const pooled = new Float64Array(question.mechanism.sumsLength);
    for (const d of days) d.forEach((x, i) => (pooled[i]! += x));
    const week = releaseCell(question, WEEK, days);
    const dayCells = days.map((d) => releaseCell(question, DAY, [d]));
    const w = sizes.map((n) => n / sizes.reduce((a, b) => a + b, 0));
    expect(week.suppressed).toBe(false);
    expect(week.uncertainty?.basis).toBe('any-correlation-bound');
    // A week of one day is that day, SE included.
    const oneDay = releaseCell(question, WEEK, [days[0]!]);
    expect([oneDay.values, oneDay.mean]).toEqual([dayCells[0]!.values, dayCells[0]!.mean]);

    if (question.mechanism.name === 'rappor') {
      // RAPPOR: the bound is on the per-bit counts, which add across days.
      const perDay = days.map((d) => question.mechanism.estimate(d) as RapporBitEstimate);
      const naive = question.mechanism.estimate(pooled) as RapporBitEstimate;
      const bounded = rapporBitBound(naive, perDay);
      bounded.cohorts.forEach((cohort, c) =>
        cohort.standardErrors.forEach((se, b) => {
          expect(se).toBeCloseTo(perDay.reduce((sum, day) => sum + day.cohorts[c]!.standardErrors[b]!, 0), 9);
          expect(se).toBeGreaterThanOrEqual(naive.cohorts[c]!.standardErrors[b]! - 1e-9);
          expect(cohort.counts[b]).toBeCloseTo(perDay.reduce((sum, day) => sum + day.cohorts[c]!.counts[b]!, 0), 9);
        }),
      );
      // Population: the respondents' (bit-bound) SE in quadrature with Σₜ wₜ·√(x̂(1−x̂)/nₜ).
      const respondents = releaseCell(question, WEEK, days, undefined, 'respondents');
      const sampling = sizes.reduce((sum, n, t) => sum + w[t]! / Math.sqrt(n), 0);
      week.values!.forEach((v, i) => {
        const r = respondents.values![i]!;
        // The same candidates are detected for both estimands (detection uses the respondents' SE).
        expect(r.detectable).toBe(v.detectable);
        if (v.detectable === false || r.detectable === false) {
          expect([v.ci95, r.ci95, v.detectionLimit]).toEqual([null, null, r.detectionLimit]);
          return;
        }
        const x = Math.min(1, Math.max(0, v.unbiased));
        expect(v.unbiased).toBe(r.unbiased);
        expect(v.standardError ** 2).toBeCloseTo(r.standardError ** 2 + x * (1 - x) * sampling * sampling, 12);
      });
      return;
    }
    const naive = question.mechanism.estimate(pooled) as Partial<FrequencyEstimate> & { mean?: number; standardError?: number };
    if (week.mean !== undefined) {
      expect(week.mean.estimate).toBeCloseTo(dayCells.reduce((sum, d, t) => sum + w[t]! * d.mean!.estimate, 0), 9);
      expect(week.mean.standardError).toBeCloseTo(dayCells.reduce((sum, d, t) => sum + w[t]! * d.mean!.standardError, 0), 12);
      expect(week.mean.standardError).toBeGreaterThanOrEqual(naive.standardError!);
      return;
    }
    estimatedValues(week).forEach((v, i) => {
      expect(v.unbiased).toBeCloseTo(dayCells.reduce((sum, d, t) => sum + w[t]! * estimatedValues(d)[i]!.unbiased, 0), 9);
      expect(v.standardError).toBeCloseTo(dayCells.reduce((sum, d, t) => sum + w[t]! * estimatedValues(d)[i]!.standardError, 0), 12);
      expect(v.standardError).toBeGreaterThanOrEqual(naive.standardErrors![i]!);
    });
    // The same for the respondents, each estimand's bound over its own day SEs.
    const weekR = releaseCell(question, WEEK, days, undefined, 'respondents');
    const dayCellsR = days.map((d) => releaseCell(question, DAY, [d], undefined, 'respondents'));
    estimatedValues(weekR).forEach((v, i) => {
      expect(v.unbiased).toBe(estimatedValues(week)[i]!.unbiased);
      expect(v.standardError).toBeCloseTo(dayCellsR.reduce((sum, d, t) => sum + w[t]! * estimatedValues(d)[i]!.standardError, 0), 12);
      expect(v.standardError).toBeLessThanOrEqual(estimatedValues(week)[i]!.standardError + 1e-15);
    });
  });
});
