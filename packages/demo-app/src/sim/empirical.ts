/**
 * Empirical check of a predicted interval width: T independent clinics of n synthetic patients,
 * each a fresh sample from a population with a known true value, randomized with core's mechanism
 * and debiased with its own estimator. The spread of the T errors (estimate − the population's
 * value) gives the empirical 95% half-width (1.96 × SD) and the share of the T intervals that
 * contain the population's value gives the empirical coverage — the population estimand, as the
 * planner and the collector's default intervals (core's estimand.ts). The errors include who
 * happened to be in each clinic, not only the randomization.
 */
import { addToSums, BinaryRandomizedResponse, PaddingAndSampling, HybridMechanism, RandomSampler, seededRandomSource, THRESHOLD_ONE, Z_95 } from '@practical-privacy/core';

export type TradeoffQuestion = 'yes-no' | 'symptom' | 'pain';

export interface EmpiricalResult {
  trials: number;
  meanEstimate: number;
  empiricalHalfWidth: number;
  meanReportedHalfWidth: number;
  coverage: number;
}

/** Keeps one run to about half a million randomizations (a second or two in a browser). */
export function trialsFor(n: number): number {
  return Math.max(20, Math.min(200, Math.floor(500_000 / n)));
}

export async function empiricalHalfWidth(question: TradeoffQuestion, epsilon: number, n: number, truth: number, seed = 'tradeoffs'): Promise<EmpiricalResult> {
  const rng = new RandomSampler(seededRandomSource(`${seed}:${question}:${epsilon}:${n}:${truth}`));
  const trials = trialsFor(n);
  const estimates: number[] = [];
  // Error against the population's value: the randomization plus the sampling of each clinic.
  const errors: number[] = [];
  let reportedHalfWidthSum = 0;
  let covered = 0;
  const threshold = Math.round(Math.min(1, Math.max(0, question === 'pain' ? truth / 10 : truth)) * THRESHOLD_ONE);
  // The population's value: the share, the item's prevalence, or the mean pain (10 draws at truth/10).
  const population = threshold / THRESHOLD_ONE;
  const populationValue = question === 'pain' ? 10 * population : population;
  for (let t = 0; t < trials; t++) {
    let estimate: number;
    let se: number;
    if (question === 'yes-no') {
      const m = new BinaryRandomizedResponse({ epsilon });
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < n; i++) addToSums(m, m.randomize(rng.bernoulli(threshold) ? 1 : 0, rng), sums);
      const e = m.estimate(sums);
      estimate = e.values[1]!;
      se = e.standardErrors[1]!;
    } else if (question === 'symptom') {
      // Item 0 of 8 has the chosen prevalence; each patient also ticks one other item, so sets have 1–2 items.
      const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon });
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < n; i++) {
        const other = 1 + rng.uniformInt(7);
        addToSums(m, m.randomize(rng.bernoulli(threshold) ? [0, other] : [other], rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.values[0]!;
      se = e.standardErrors[0]!;
    } else {
      const m = new HybridMechanism({ epsilon, low: 0, high: 10 });
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < n; i++) {
        let pain = 0;
        for (let j = 0; j < 10; j++) if (rng.bernoulli(threshold)) pain++;
        addToSums(m, m.randomize(pain, rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.mean;
      se = e.standardError;
    }
    estimates.push(estimate);
    errors.push(estimate - populationValue);
    reportedHalfWidthSum += Z_95 * se;
    if (Math.abs(estimate - populationValue) <= Z_95 * se) covered++;
    // Let the page repaint between trials.
    if (t % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / trials;
  const meanError = errors.reduce((a, b) => a + b, 0) / trials;
  const variance = errors.reduce((a, b) => a + (b - meanError) ** 2, 0) / (trials - 1);
  return { trials, meanEstimate: mean, empiricalHalfWidth: Z_95 * Math.sqrt(variance), meanReportedHalfWidth: reportedHalfWidthSum / trials, coverage: covered / trials };
}
