/**
 * Seeded statistical tests of every categorical frequency oracle (helpers/statistics.ts explains
 * the pooling): the estimator is unbiased (per value, |mean error| < 4 standard errors of the
 * mean) and the empirical variance matches `variance(n, f)` within ±10%; and the same check
 * rejects a deliberately wrong variance (×1.25).
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
