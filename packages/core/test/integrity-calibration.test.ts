/**
 * Calibration of the set-bit G-test (src/integrity/fit-test.ts) on honest cells: under a correct,
 * conservative null the share of honest cells with p < α is at most α. Seeded simulated cells of
 * the red-team bench's shape (bench/red-team.ts in the collector: OUE and SUE with k = 16, ε = 1;
 * RAPPOR k = 32, h = 2, 16 cohorts, f = 0.5, p = 0.25, q = 0.75; a 2% target, the rest uniform,
 * every other cell an outbreak of one value at 60%).
 *
 * Each assertion allows the one-sided binomial tolerance of a calibrated test: it fails only if the
 * count of honest cells below α exceeds the (1 − 10⁻⁴) quantile of Binomial(cells, α), so a correct
 * test fails it with probability ≤ 10⁻⁴ (for the seed used, never: it is deterministic). It fails
 * when a fitted mixture weight takes a degree of freedom (dof = groups − h for RAPPOR, the bug fixed
 * in a2c83b3; dof = groups − 2 for OUE and SUE). That EM reaches the maximum likelihood (it stopped
 * after 200 steps before, far from it) is checked directly at the end.
 */
import { describe, expect, it } from 'vitest';
import {
  OptimizedUnaryEncoding,
  RandomSampler,
  SymmetricUnaryEncoding,
  createQuestionMechanism,
  seededRandomSource,
  setBitCount,
  fitMixtureWeights,
  setBitFit,
  setBitModel,
  validateCampaign,
  type Question,
  Rappor,
} from '../src/index.ts';

/** Enough cells that the degrees-of-freedom bug (p < 0.1 in ≈ 14% of honest cells) exceeds the tolerance. */
const CELLS = 2000;
/** RAPPOR cells cost one draw per report (below), and its fitted weight makes the correct test conservative (≈ 9% below p = 0.1), so it needs more cells for the bug to show. */
const RAPPOR_CELLS = 8000;
const TOLERATED_FAILURE = 1e-4;
const K = 16;
const TARGET = 5;
const OUTBREAK_VALUE = 2;

/** Smallest c with Pr[Binomial(n, α) > c] ≤ tail, summed exactly in log space. */
function binomialUpperQuantile(n: number, alpha: number, tail: number): number {
  let logPmf = n * Math.log1p(-alpha);
  let cdf = Math.exp(logPmf);
  let c = 0;
  while (1 - cdf > tail && c < n) {
    logPmf += Math.log((n - c) / (c + 1)) + Math.log(alpha / (1 - alpha));
    c++;
    cdf += Math.exp(logPmf);
  }
  return c;
}

/** The bench's honest answer: the target at 2%, in outbreak cells the outbreak value at 60%, the rest uniform. */
function answer(rng: RandomSampler, outbreak: boolean): number {
  const u = rng.uniformInt(1_000_000);
  if (u < 20_000) return TARGET;
  if (outbreak && u < 620_000) return OUTBREAK_VALUE;
  const v = rng.uniformInt(K - 1);
  return v >= TARGET ? v + 1 : v;
}

/** Shares of cells with p < 0.1 and p < 0.01, and the tolerated maximum counts. */
function calibration(pValues: number[]) {
  const below = (alpha: number) => pValues.filter((p) => p < alpha).length;
  return {
    below10: below(0.1),
    below1: below(0.01),
    max10: binomialUpperQuantile(pValues.length, 0.1, TOLERATED_FAILURE),
    max1: binomialUpperQuantile(pValues.length, 0.01, TOLERATED_FAILURE),
  };
}

describe('binomial tolerance', () => {
  it('is the (1 − 10⁻⁴) quantile', () => {
    // Pr[Binomial(400, 0.01) ≥ 14] ≈ 6e-5 ≤ 1e-4 < Pr[≥ 13] ≈ 2.1e-4.
    expect(binomialUpperQuantile(400, 0.01, 1e-4)).toBe(13);
    expect(binomialUpperQuantile(10, 0.5, 0.5)).toBe(5);
  });
});

describe('honest cells: p-values not below nominal (seeded, bench-shaped)', () => {
  const n = 1000;
  /** RAPPOR cells are smaller: fewer reports mean fewer pooled groups, where a lost degree of freedom shows most (measured at 8,000 cells with dof = groups − h: 12.8% below p = 0.1 at n = 200, 11.9% at n = 1,000). */
  const rapporN = 200;

  for (const [label, mechanism] of [
    ['OUE k=16 ε=1', new OptimizedUnaryEncoding({ k: K, epsilon: 1 })],
    ['SUE k=16 ε=1', new SymmetricUnaryEncoding({ k: K, epsilon: 1 })],
  ] as const) {
    it(`${label}: ${CELLS} cells of ${n}`, { timeout: 30_000 }, () => {
      const model = setBitModel(mechanism)!;
      const rng = new RandomSampler(seededRandomSource(`calibration ${label}`));
      const pValues: number[] = [];
      for (let c = 0; c < CELLS; c++) {
        const histogram = new Float64Array(K + 1);
        for (let i = 0; i < n; i++) histogram[setBitCount(mechanism, mechanism.randomize(answer(rng, c % 2 === 1), rng))]! += 1;
        pValues.push(Math.exp(setBitFit(histogram, model.components).logPValue));
      }
      const result = calibration(pValues);
      expect(result.below10, JSON.stringify(result)).toBeLessThanOrEqual(result.max10);
      expect(result.below1, JSON.stringify(result)).toBeLessThanOrEqual(result.max1);
    });
  }

  it(`RAPPOR k=32 h=2 16 cohorts (collided Bloom filters included): ${RAPPOR_CELLS} cells of ${rapporN}`, { timeout: 60_000 }, () => {
    const candidates = Array.from({ length: K }, (_, i) => (i === TARGET ? 'target' : `drug-${i}`));
    const campaign = validateCampaign({
      id: 'calibration',
      version: 1,
      title: 'Calibration',
      questions: [{ id: 'rappor', type: 'string', prompt: 'Which drug?', tier: 'low', epsilon: 2.1, minBatch: 20, domain: { candidates, rappor: { k: 32, h: 2, m: 16, f: 0.5, p: 0.25, q: 0.75 } } }],
    });
    const rappor = createQuestionMechanism(campaign.questions[0] as Question, { campaignId: 'calibration' }) as unknown as Rappor;
    const model = setBitModel(rappor)!;
    expect(model.components).toHaveLength(2);
    const blooms = candidates.map((value) => Array.from({ length: rappor.m }, (_, cohort) => rappor.bloom(value, cohort)));
    // The mixture matters only if some (value, cohort) Bloom filters have one distinct bit.
    expect(blooms.flat().filter((b) => b.reduce((a, x) => a + x, 0) === 1).length).toBeGreaterThan(0);
    // A report's count is drawn from the exact law of its (value, cohort): Binomial(s, q₁) +
    // Binomial(k − s, p₁), s = its distinct Bloom bits (set-bit-model.ts; that the mechanism's
    // reports follow it is integrity.test.ts's and the bench's concern). One draw per report by
    // inversion keeps RAPPOR_CELLS cells within the time budget.
    const cdfs = model.components.map((pmf) => {
      let total = 0;
      return Array.from(pmf, (x) => (total += x));
    });
    const law = blooms.map((row) => row.map((bloom) => cdfs[bloom.reduce((a, x) => a + x, 0) - 1]!));
    const rng = new RandomSampler(seededRandomSource('calibration rappor'));
    const pValues: number[] = [];
    for (let c = 0; c < RAPPOR_CELLS; c++) {
      const histogram = new Float64Array(rappor.k + 1);
      for (let i = 0; i < rapporN; i++) {
        const cohort = rng.uniformInt(rappor.m);
        const cdf = law[answer(rng, c % 2 === 1)]![cohort]!;
        const u = rng.uint32() / 2 ** 32;
        let count = 0;
        while (count < rappor.k && u >= cdf[count]!) count++;
        histogram[count]! += 1;
      }
      pValues.push(Math.exp(setBitFit(histogram, model.components).logPValue));
    }
    const result = calibration(pValues);
    expect(result.below10, JSON.stringify(result)).toBeLessThanOrEqual(result.max10);
    expect(result.below1, JSON.stringify(result)).toBeLessThanOrEqual(result.max1);
  });
});

describe('mixture weights', () => {
  it('reach the maximum likelihood (within MIXTURE_DEVIANCE_TOLERANCE) on bench-sized RAPPOR cells', { timeout: 30_000 }, () => {
    const rappor = createQuestionMechanism(
      validateCampaign({ id: 'em', version: 1, title: 'EM', questions: [{ id: 'rappor', type: 'string', prompt: '?', tier: 'low', epsilon: 2.1, minBatch: 20, domain: { candidates: ['a', 'b'], rappor: { k: 32, h: 2, m: 16, f: 0.5, p: 0.25, q: 0.75 } } }] }).questions[0] as Question,
    ) as unknown as Rappor;
    const [one, two] = setBitModel(rappor)!.components as [Float64Array, Float64Array];
    const rng = new RandomSampler(seededRandomSource('em'));
    const logLikelihood = (histogram: Float64Array, w: number) => histogram.reduce((a, o, j) => (o > 0 ? a + o * Math.log(w * one[j]! + (1 - w) * two[j]!) : a), 0);
    for (let c = 0; c < 20; c++) {
      // 3% collided filters (the bench's share), counts drawn bit by bit from q₁ = 0.625, p₁ = 0.375.
      const histogram = new Float64Array(33);
      for (let i = 0; i < 1000; i++) {
        const s = rng.uniformInt(100) < 3 ? 1 : 2;
        let count = 0;
        for (let b = 0; b < 32; b++) count += rng.bernoulli((b < s ? 5 : 3) * 2 ** 29) ? 1 : 0;
        histogram[count]! += 1;
      }
      let best = -Infinity;
      for (let g = 0; g <= 10_000; g++) best = Math.max(best, logLikelihood(histogram, g / 10_000));
      const [w] = fitMixtureWeights(histogram, [one, two]);
      // Deviance at the fit within 1e-6 (+ the grid's own slack) of the grid's best.
      expect(2 * (best - logLikelihood(histogram, w!))).toBeLessThan(1e-5);
    }
  });

  it('satisfy the optimality (KKT) conditions with h = 4 components, one of them absent', () => {
    const rappor = new Rappor({ k: 64, h: 4, m: 4, f: 0.5, p: 0.25, q: 0.75, mode: 'hardened-v1', metricId: 'em/h4' });
    const components = setBitModel(rappor)!.components;
    const rng = new RandomSampler(seededRandomSource('em h4'));
    const truth = [0, 0.05, 0.25, 0.7];
    for (let c = 0; c < 10; c++) {
      const histogram = new Float64Array(65);
      for (let i = 0; i < 5000; i++) {
        const u = rng.uniformInt(100) / 100;
        const s = u < truth[1]! ? 2 : u < truth[1]! + truth[2]! ? 3 : 4;
        let count = 0;
        for (let b = 0; b < 64; b++) count += rng.bernoulli((b < s ? 5 : 3) * 2 ** 29) ? 1 : 0;
        histogram[count]! += 1;
      }
      const w = fitMixtureWeights(histogram, components);
      expect(w.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 12);
      for (const x of w) expect(x).toBeGreaterThanOrEqual(0);
      // ∂L/∂w_s ≤ n everywhere (= n where w_s > 0): no direction in the simplex raises the likelihood.
      const gradient = components.map((component) => histogram.reduce((a, o, j) => (o > 0 ? a + (o * component[j]!) / components.reduce((f, other, t) => f + w[t]! * other[j]!, 0) : a), 0));
      expect(2 * (Math.max(...gradient) - 5000)).toBeLessThan(1e-5);
    }
  });
});
