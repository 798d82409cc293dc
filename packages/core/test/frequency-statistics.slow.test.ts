/**
 * Seeded statistical tests of every categorical frequency oracle (helpers/statistics.ts explains
 * the pooling): the estimator is unbiased (per value, |mean error| < 4 standard errors of the
 * mean) and the empirical variance matches `variance(n, f, 'respondents')` within ±10% for fixed
 * answers; and the same check rejects a deliberately wrong variance (×1.25). Then, at ε = 4 (where
 * the sampling term is the largest part), with a fresh sample of respondents per trial: the
 * empirical variance matches `variance(n, f, 'population')`, and the respondents' variance is
 * rejected for it.
 */
import { describe, expect, it } from 'vitest';
import {
  BinaryRandomizedResponse,
  GeneralizedRandomizedResponse,
  HadamardResponse,
  OptimizedLocalHashing,
  OptimizedUnaryEncoding,
  SymmetricUnaryEncoding,
  type FrequencyOracle,
} from '../src/index.ts';
import { checkUnbiased, checkVariance, runTrials } from './helpers/statistics.ts';

const TRIALS = 4000;
const VERBOSE = process.env['PP_STATS_VERBOSE'] === '1';

/** Uneven counts with a zero, so both terms of the pure-protocol variance matter. */
function countsFor(k: number, n: number): number[] {
  const weights = Array.from({ length: k }, (_, v) => (v === k - 1 ? 0 : (v % 4) + 1 + (v === 0 ? 3 * k : 0)));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w * n) / total));
  counts[0]! += n - counts.reduce((a, b) => a + b, 0);
  return counts;
}

type Factory = (k: number, epsilon: number) => FrequencyOracle<unknown>;
const CASES: Array<[string, Factory, number[], number[]]> = [
  ['binary-rr', (_k, epsilon) => new BinaryRandomizedResponse({ epsilon }) as FrequencyOracle<unknown>, [2], [0.5, 2, 4]],
  ['grr', (k, epsilon) => new GeneralizedRandomizedResponse({ k, epsilon }) as FrequencyOracle<unknown>, [6], [0.5, 2, 4]],
  ['sue', (k, epsilon) => new SymmetricUnaryEncoding({ k, epsilon }) as FrequencyOracle<unknown>, [10], [0.5, 2, 4]],
  ['oue', (k, epsilon) => new OptimizedUnaryEncoding({ k, epsilon }) as FrequencyOracle<unknown>, [10], [0.5, 2, 4]],
  ['olh', (k, epsilon) => new OptimizedLocalHashing({ k, epsilon }) as FrequencyOracle<unknown>, [12, 64], [0.5, 2, 4]],
  ['hadamard', (k, epsilon) => new HadamardResponse({ k, epsilon }) as FrequencyOracle<unknown>, [12, 200], [0.5, 2, 4]],
];
const N = 300;

describe.each(CASES)('%s: unbiased, variance as reported', (name, make, ks, epsilons) => {
  for (const k of ks) {
    it.each(epsilons)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = make(k, epsilon);
      const result = runTrials(m, countsFor(k, N), TRIALS, `frequency-statistics/${name}/${k}/${epsilon}`);
      const bias = checkUnbiased(result);
      const variance = checkVariance(result);
      if (VERBOSE) {
        console.info(
          `${name} k=${k} ε=${epsilon}: variance ratio ${variance.ratio.toFixed(4)} (per value ${variance.perValue.map((r) => r.toFixed(2)).join(' ')}); ` +
            `max |mean error|/SE ${Math.max(...bias.map((b) => Math.abs(b.meanError) / b.standardError)).toFixed(2)}`,
        );
      }
      for (const b of bias) expect(b.ok, `value ${b.value}: mean error ${b.meanError} vs SE ${b.standardError}`).toBe(true);
      expect(variance.ok, `variance ratio ${variance.ratio}`).toBe(true);
      // The check can fail: the same data judged against a variance ×1.25 is rejected.
      const wrong = checkVariance(result, 0.1, result.variances.map((v) => v * 1.25));
      expect(wrong.ok, `wrong variance accepted, ratio ${wrong.ratio}`).toBe(false);
    });
  }
});

/** Every value held by someone (the population check needs shares inside (0, 1)). */
const spreadCounts = (k: number, n: number) => countsFor(k + 1, n).map((c, v, all) => (v === 0 ? c + all[k]! : c)).slice(0, k);

describe.each(CASES)('%s: a fresh sample per trial has the population variance', (name, make, ks) => {
  it.each(ks)('k = %s, ε = 4', (k) => {
    const m = make(k, 4);
    const result = runTrials(m, spreadCounts(k, N), TRIALS, `frequency-statistics/population/${name}/${k}`, 'population');
    for (const b of checkUnbiased(result)) expect(b.ok, `value ${b.value}: mean error ${b.meanError} vs SE ${b.standardError}`).toBe(true);
    const variance = checkVariance(result);
    const respondentsVariances = result.frequencies.map((f) => m.variance(N, f, 'respondents'));
    const respondents = checkVariance(result, 0.1, respondentsVariances);
    // How far apart the two formulas are here; where they differ by > 20% the check must tell them apart
    // (Hadamard's q* = 1/2 noise dwarfs the sampling term at large k, and the check cannot).
    const apart = result.variances.reduce((s, v, i) => s + v / respondentsVariances[i]!, 0) / k;
    if (VERBOSE) console.info(`${name} k=${k} ε=4 population: variance ratio ${variance.ratio.toFixed(4)}; against the respondents' variance ${respondents.ratio.toFixed(4)} (formulas ×${apart.toFixed(3)} apart)`);
    expect(variance.ok, `population variance ratio ${variance.ratio}`).toBe(true);
    if (apart > 1.2) expect(respondents.ok, `respondents' variance accepted for fresh samples, ratio ${respondents.ratio}`).toBe(false);
  });
});
