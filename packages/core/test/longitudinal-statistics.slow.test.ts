/**
 * Seeded statistical tests of the two-level frequency oracles, as frequency-statistics.slow.test.ts
 * does for the one-level ones: n = 300 devices each sending one report (fresh permanent response,
 * fresh LOLOHA hash), 4000 trials; per value |mean error| < 4 SE of the mean, and the pooled
 * empirical variance within ±10% of `variance(n, f, 'respondents')` (the chained pure-protocol formula, fixed answers), which must
 * reject the same data judged against a variance ×1.25. `pnpm bench` checks ±5% at larger n.
 * Then alpha-1bit's mean: unbiased and its reported SE honest, and padding-and-sampling over L-GRR.
 */
import { describe, expect, it } from 'vitest';
import {
  addToSums,
  AlphaOneBitMean,
  Loloha,
  LongitudinalGrr,
  LongitudinalUnaryEncoding,
  PaddingAndSampling,
  RandomSampler,
  seededRandomSource,
  type FrequencyOracle,
} from '../src/index.ts';
import { checkUnbiased, checkVariance, runTrials } from './helpers/statistics.ts';

const TRIALS = 4000;
const N = 300;

function countsFor(k: number, n: number): number[] {
  const weights = Array.from({ length: k }, (_, v) => (v === k - 1 ? 0 : (v % 4) + 1 + (v === 0 ? 3 * k : 0)));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w * n) / total));
  counts[0]! += n - counts.reduce((a, b) => a + b, 0);
  return counts;
}

type Factory = (k: number, epsilon: number, epsilonPermanent: number) => FrequencyOracle<unknown>;
const CASES: Array<[string, Factory, number, Array<[number, number]>]> = [
  ['l-grr', (k, epsilon, epsilonPermanent) => new LongitudinalGrr({ k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 5, [[0.5, 1], [2, 4]]],
  ['l-oue', (k, epsilon, epsilonPermanent) => new LongitudinalUnaryEncoding('l-oue', { k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 8, [[0.5, 1], [2, 4]]],
  ['l-sue', (k, epsilon, epsilonPermanent) => new LongitudinalUnaryEncoding('l-sue', { k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 8, [[1, 2]]],
  ['l-osue', (k, epsilon, epsilonPermanent) => new LongitudinalUnaryEncoding('l-osue', { k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 8, [[1, 2]]],
  ['l-soue', (k, epsilon, epsilonPermanent) => new LongitudinalUnaryEncoding('l-soue', { k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 8, [[1, 2]]],
  ['loloha', (k, epsilon, epsilonPermanent) => new Loloha({ k, epsilon, epsilonPermanent }) as unknown as FrequencyOracle<unknown>, 20, [[0.5, 1], [2, 4]]],
];

describe.each(CASES)('%s: unbiased, variance as reported', (name, make, k, levels) => {
  it.each(levels)(`k = ${k}, ε₁ = %s, ε∞ = %s`, (epsilon, epsilonPermanent) => {
    const m = make(k, epsilon, epsilonPermanent);
    const result = runTrials(m, countsFor(k, N), TRIALS, `longitudinal-statistics/${name}/${epsilon}`);
    for (const b of checkUnbiased(result)) expect(b.ok, `value ${b.value}: mean error ${b.meanError} vs SE ${b.standardError}`).toBe(true);
    const variance = checkVariance(result);
    expect(variance.ok, `variance ratio ${variance.ratio}`).toBe(true);
    expect(checkVariance(result, 0.1, result.variances.map((v) => v * 1.25)).ok).toBe(false);
  });
});

describe('alpha-1bit mean', () => {
  it.each([[0.5, 1, 2], [1, 2, 3], [2, 4, 5]])('ε₁ = %s, ε∞ = %s, levels = %s: unbiased, SE honest', (epsilon, epsilonPermanent, levels) => {
    const m = new AlphaOneBitMean({ epsilon, epsilonPermanent, low: 0, high: 10, levels });
    const rng = new RandomSampler(seededRandomSource(`alpha-1bit/${epsilon}/${levels}`));
    const answers = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 7.3 : i % 3 === 1 ? 2.1 : 9.9));
    const truth = answers.reduce((a, b) => a + b, 0) / N;
    const errors: number[] = [];
    let coverage = 0;
    for (let t = 0; t < TRIALS; t++) {
      const sums = new Float64Array(m.sumsLength);
      for (const x of answers) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(x, rng))), sums);
      const estimate = m.estimate(sums);
      errors.push(estimate.mean - truth);
      if (estimate.ci95[0] <= truth && truth <= estimate.ci95[1]) coverage++;
    }
    const mean = errors.reduce((a, b) => a + b, 0) / TRIALS;
    const sd = Math.sqrt(errors.reduce((a, e) => a + (e - mean) ** 2, 0) / (TRIALS - 1));
    expect(Math.abs(mean)).toBeLessThan((4 * sd) / Math.sqrt(TRIALS));
    // Its variance formula at these answers (exact mean of Bernoullis ≤ the formula at their mean).
    expect(sd ** 2).toBeLessThanOrEqual(m.variance(N) * 1.1);
    // 95% intervals: coverage within a 4σ binomial band of 0.95 (or above it: the SE is conservative).
    expect(coverage / TRIALS).toBeGreaterThan(0.95 - 4 * Math.sqrt((0.95 * 0.05) / TRIALS));
  });
});

describe('padding-and-sampling over L-GRR', () => {
  it('is unbiased for item prevalence', () => {
    const m = new PaddingAndSampling({ k: 5, maxItems: 2, epsilon: 1, epsilonPermanent: 2, inner: 'l-grr' });
    const rng = new RandomSampler(seededRandomSource('padding-lgrr'));
    const answers = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? [0, 3] : i % 5 === 0 ? [] : [1]));
    const truth = [0, 1, 2, 3, 4].map((x) => answers.filter((a) => a.includes(x)).length / N);
    const totals = new Array<number>(5).fill(0);
    const squares = new Array<number>(5).fill(0);
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const sums = new Float64Array(m.sumsLength);
      for (const a of answers) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(a, rng))), sums);
      m.estimate(sums).values.forEach((v, x) => {
        totals[x]! += v - truth[x]!;
        squares[x]! += (v - truth[x]!) ** 2;
      });
    }
    totals.forEach((total, x) => {
      const mean = total / trials;
      const sd = Math.sqrt(squares[x]! / trials - mean * mean);
      expect(Math.abs(mean)).toBeLessThan((4 * sd) / Math.sqrt(trials));
    });
  });
});
