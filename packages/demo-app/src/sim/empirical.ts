/**
 * Empirical check of a predicted interval width: T independent clinics of n synthetic patients
 * with a known true value, each randomized with core's mechanism and debiased with its own
 * estimator. The spread of the T errors (estimate − that clinic's true value) gives the empirical 95% half-width (1.96 × SD) and
 * the share of the T intervals that contain the truth gives the empirical coverage.
 */
import { BinaryRandomizedResponse, PaddingAndSampling, HybridMechanism, RandomSampler, seededRandomSource, THRESHOLD_ONE, Z_95 } from '@practical-privacy/core';

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
  // Error against each clinic's own realized truth: the LDP noise the planner predicts, without
  // the sampling noise of drawing a new population each trial.
  const errors: number[] = [];
  let reportedHalfWidthSum = 0;
  let covered = 0;
  const threshold = Math.round(Math.min(1, Math.max(0, question === 'pain' ? truth / 10 : truth)) * THRESHOLD_ONE);
  for (let t = 0; t < trials; t++) {
    let estimate: number;
    let se: number;
    let realized: number;
    if (question === 'yes-no') {
      const m = new BinaryRandomizedResponse({ epsilon });
      const sums = new Float64Array(m.sumsLength);
      let yes = 0;
      for (let i = 0; i < n; i++) {
        const v = rng.bernoulli(threshold) ? 1 : 0;
        yes += v;
        m.addToSums(m.randomize(v, rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.values[1]!;
      se = e.standardErrors[1]!;
      realized = yes / n;
    } else if (question === 'symptom') {
      // Item 0 of 8 has the chosen prevalence; each patient also ticks one other item, so sets have 1–2 items.
      const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon });
      const sums = new Float64Array(m.sumsLength);
      let has = 0;
      for (let i = 0; i < n; i++) {
        const other = 1 + rng.uniformInt(7);
        const items = rng.bernoulli(threshold) ? [0, other] : [other];
        if (items.length === 2) has++;
        m.addToSums(m.randomize(items, rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.values[0]!;
      se = e.standardErrors[0]!;
      realized = has / n;
    } else {
      const m = new HybridMechanism({ epsilon, low: 0, high: 10 });
      const sums = new Float64Array(m.sumsLength);
      let total = 0;
      for (let i = 0; i < n; i++) {
        let pain = 0;
        for (let j = 0; j < 10; j++) if (rng.bernoulli(threshold)) pain++;
        total += pain;
        m.addToSums(m.randomize(pain, rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.mean;
      se = e.standardError;
      realized = total / n;
    }
    estimates.push(estimate);
    errors.push(estimate - realized);
    reportedHalfWidthSum += Z_95 * se;
    if (Math.abs(estimate - realized) <= Z_95 * se) covered++;
    // Let the page repaint between trials.
    if (t % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / trials;
  const meanError = errors.reduce((a, b) => a + b, 0) / trials;
  const variance = errors.reduce((a, b) => a + (b - meanError) ** 2, 0) / (trials - 1);
  return { trials, meanEstimate: mean, empiricalHalfWidth: Z_95 * Math.sqrt(variance), meanReportedHalfWidth: reportedHalfWidthSum / trials, coverage: covered / trials };
}
