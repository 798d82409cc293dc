/**
 * Seeded statistical checks of padding-and-sampling through the production path: per-item
 * prevalence is unbiased (|mean error| < 4 SE over R repetitions) and the empirical variance of
 * each item's estimate is within ±10% of the reported variance — for the respondents (a fixed panel,
 * `estimate(sums, 'respondents')`) L²·Var_FO,R(n, F/L) + F(L − 1)/n; for the population (a fresh
 * sample from the panel in every repetition, the default estimand) L²·Var_FO,P(n, F/L), which the
 * respondents' formula must understate by more than 10% at k = 6, ε = 4.
 * R = 4000: the relative SD of an empirical variance is √(2/R) ≈ 2.2%, so ±10% is a ≈ 4.5σ band
 * over the 58 items checked. Also documents why the F(L − 1)/n term is there: without it ("L² × the inner variance") the
 * variance is understated by far more than 10% for a small domain at a large ε.
 */
import { describe, expect, it } from 'vitest';
import { addToSums, PaddingAndSampling, RandomSampler, seededRandomSource } from '../src/index.ts';

const REPETITIONS = 4000;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sampleVariance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** A fixed panel of n answers with 0 to L consecutive items (mod k), starting unevenly so prevalences differ. */
function panel(n: number, k: number, maxItems: number): number[][] {
  return Array.from({ length: n }, (_, u) => {
    const size = u % (maxItems + 1);
    const start = (u * u) % k;
    return Array.from({ length: size }, (_, s) => (start + s) % k);
  });
}

describe('padding-and-sampling estimates prevalences without bias and with the reported variance', () => {
  it.each([
    [6, 3, 1, 'grr'],
    [6, 3, 4, 'grr'],
    [20, 4, 2, 'grr'],
    [20, 4, 2, 'olh'],
    [6, 3, 4, 'olh'],
  ] as const)('k = %s, L = %s, ε = %s, inner %s', (k, maxItems, epsilon, inner) => {
    const n = 300;
    const m = new PaddingAndSampling({ k, maxItems, epsilon, inner });
    const answers = panel(n, k, maxItems);
    const truth = Array.from({ length: k }, (_, x) => answers.filter((a) => a.includes(x)).length / n);
    const rng = new RandomSampler(seededRandomSource(`multiselect-${k}-${maxItems}-${epsilon}-${inner}`));
    const estimates: number[][] = Array.from({ length: k }, () => []);
    const reported: number[][] = Array.from({ length: k }, () => []);
    for (let r = 0; r < REPETITIONS; r++) {
      const sums = new Float64Array(m.sumsLength);
      for (const a of answers) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(a, rng))), sums);
      const e = m.estimate(sums, 'respondents');
      for (let x = 0; x < k; x++) {
        estimates[x]!.push(e.values[x]!);
        reported[x]!.push(e.standardErrors[x]! ** 2);
      }
    }
    let naiveUnderstates = false;
    for (let x = 0; x < k; x++) {
      const f = truth[x]!;
      const variance = m.variance(n, f, 'respondents');
      const error = mean(estimates[x]!) - f;
      expect(Math.abs(error), `item ${x}: bias ${error}`).toBeLessThan(4 * Math.sqrt(variance / REPETITIONS));
      const ratio = sampleVariance(estimates[x]!) / variance;
      expect(ratio, `item ${x}: empirical/reported variance ${ratio}`).toBeGreaterThan(0.9);
      expect(ratio, `item ${x}: empirical/reported variance ${ratio}`).toBeLessThan(1.1);
      // The SE plugs the (clamped) estimate into the same formula; away from 0 it averages to the truth's.
      if (f > 0.1) expect(mean(reported[x]!) / variance).toBeCloseTo(1, 1);
      const naive = maxItems * maxItems * m.inner.variance(n, f / maxItems, 'respondents');
      if (sampleVariance(estimates[x]!) / naive > 1.1) naiveUnderstates = true;
    }
    if (k === 6 && epsilon === 4) expect(naiveUnderstates).toBe(true);
  });

  it.each([
    [6, 3, 4, 'grr'],
    [6, 3, 4, 'olh'],
    [20, 4, 2, 'grr'],
  ] as const)('population: a fresh sample per repetition, k = %s, L = %s, ε = %s, inner %s', (k, maxItems, epsilon, inner) => {
    const n = 300;
    const m = new PaddingAndSampling({ k, maxItems, epsilon, inner });
    const answers = panel(n, k, maxItems);
    const prevalence = Array.from({ length: k }, (_, x) => answers.filter((a) => a.includes(x)).length / n);
    const rng = new RandomSampler(seededRandomSource(`multiselect-population-${k}-${maxItems}-${epsilon}-${inner}`));
    const estimates: number[][] = Array.from({ length: k }, () => []);
    const reported: number[][] = Array.from({ length: k }, () => []);
    for (let r = 0; r < REPETITIONS; r++) {
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < n; i++) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(answers[rng.uniformInt(n)]!, rng))), sums);
      const e = m.estimate(sums);
      for (let x = 0; x < k; x++) {
        estimates[x]!.push(e.values[x]!);
        reported[x]!.push(e.standardErrors[x]! ** 2);
      }
    }
    let respondentsUnderstate = false;
    for (let x = 0; x < k; x++) {
      const f = prevalence[x]!;
      const variance = m.variance(n, f);
      expect(variance).toBeCloseTo(m.variance(n, f, 'respondents') + (f * (1 - f)) / n, 15);
      const error = mean(estimates[x]!) - f;
      expect(Math.abs(error), `item ${x}: bias ${error}`).toBeLessThan(4 * Math.sqrt(variance / REPETITIONS));
      const ratio = sampleVariance(estimates[x]!) / variance;
      expect(ratio, `item ${x}: empirical/population variance ${ratio}`).toBeGreaterThan(0.9);
      expect(ratio, `item ${x}: empirical/population variance ${ratio}`).toBeLessThan(1.1);
      if (f > 0.1) expect(mean(reported[x]!) / variance).toBeCloseTo(1, 1);
      if (sampleVariance(estimates[x]!) / m.variance(n, f, 'respondents') > 1.1) respondentsUnderstate = true;
    }
    if (k === 6 && epsilon === 4) expect(respondentsUnderstate).toBe(true);
  });
});
