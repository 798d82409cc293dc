/**
 * Empirical check of a predicted interval width: T independent clinics of n synthetic patients,
 * each a fresh sample from a population with a known true value, randomized with core's mechanism
 * and debiased with its own estimator. The spread of the T errors (estimate − the population's
 * value) gives the empirical 95% half-width (1.96 × SD) and the share of the T intervals that
 * contain the population's value gives the empirical coverage — the population estimand, as the
 * planner and the collector's default intervals (core's estimand.ts). The errors include who
 * happened to be in each clinic, not only the randomization.
 *
 * Bounded work: a clinic larger than MAX_SIMULATED_PATIENTS is simulated at that size and its
 * errors and reported half-widths scaled by √(m/n). That is exact for the variance, not an
 * approximation: each estimator here is a linear function of the mean of n independent, identically
 * distributed reports (a fresh patient each, then randomized), so its variance is σ²/n at every n;
 * only the normal shape of the errors (hence the coverage) is the one at m = 50,000. Before this,
 * n = 10,000,000 meant 2·10⁸ randomizations on the page's thread (the tab froze for ~25 s).
 */
import { addToSums, BinaryRandomizedResponse, PaddingAndSampling, HybridMechanism, RandomSampler, seededRandomSource, THRESHOLD_ONE, Z_95, type RandomSource } from '@practical-privacy/core';
import { checkClinicSize } from './clinic-size.ts';

export type TradeoffQuestion = 'yes-no' | 'symptom' | 'pain';

/** Above this, clinics are simulated at this size and scaled (see above). */
export const MAX_SIMULATED_PATIENTS = 50_000;
/** Randomizations between two yields to the page (a few milliseconds of work). */
const YIELD_EVERY = 20_000;

export interface EmpiricalResult {
  trials: number;
  /** Patients simulated per clinic: n, or MAX_SIMULATED_PATIENTS when n is larger. */
  simulatedPatients: number;
  meanEstimate: number;
  empiricalHalfWidth: number;
  meanReportedHalfWidth: number;
  coverage: number;
}

/** Keeps one run to about half a million randomizations (a second or two in a browser). */
export function trialsFor(n: number): number {
  return Math.max(20, Math.min(200, Math.floor(500_000 / n)));
}

export async function empiricalHalfWidth(question: TradeoffQuestion, epsilon: number, n: number, truth: number, seed = 'tradeoffs', source?: RandomSource): Promise<EmpiricalResult> {
  checkClinicSize(n);
  const rng = new RandomSampler(source ?? seededRandomSource(`${seed}:${question}:${epsilon}:${n}:${truth}`));
  const simulated = Math.min(n, MAX_SIMULATED_PATIENTS);
  // Errors and SEs at m patients, times √(m/n): the same variance as n patients (see above).
  const scale = Math.sqrt(simulated / n);
  const trials = trialsFor(simulated);
  let sinceYield = 0;
  const pause = async (): Promise<void> => {
    sinceYield += simulated;
    if (sinceYield < YIELD_EVERY) return;
    sinceYield = 0;
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
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
      for (let i = 0; i < simulated; i++) addToSums(m, m.randomize(rng.bernoulli(threshold) ? 1 : 0, rng), sums);
      const e = m.estimate(sums);
      estimate = e.values[1]!;
      se = e.standardErrors[1]!;
    } else if (question === 'symptom') {
      // Item 0 of 8 has the chosen prevalence; each patient also ticks one other item, so sets have 1–2 items.
      const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon });
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < simulated; i++) {
        const other = 1 + rng.uniformInt(7);
        addToSums(m, m.randomize(rng.bernoulli(threshold) ? [0, other] : [other], rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.values[0]!;
      se = e.standardErrors[0]!;
    } else {
      const m = new HybridMechanism({ epsilon, low: 0, high: 10 });
      const sums = new Float64Array(m.sumsLength);
      for (let i = 0; i < simulated; i++) {
        let pain = 0;
        for (let j = 0; j < 10; j++) if (rng.bernoulli(threshold)) pain++;
        addToSums(m, m.randomize(pain, rng), sums);
      }
      const e = m.estimate(sums);
      estimate = e.mean;
      se = e.standardError;
    }
    const error = (estimate - populationValue) * scale;
    estimates.push(populationValue + error);
    errors.push(error);
    reportedHalfWidthSum += Z_95 * se * scale;
    if (Math.abs(error) <= Z_95 * se * scale) covered++;
    // Let the page repaint every few milliseconds of work.
    await pause();
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / trials;
  const meanError = errors.reduce((a, b) => a + b, 0) / trials;
  const variance = errors.reduce((a, b) => a + (b - meanError) ** 2, 0) / (trials - 1);
  return { trials, simulatedPatients: simulated, meanEstimate: mean, empiricalHalfWidth: Z_95 * Math.sqrt(variance), meanReportedHalfWidth: reportedHalfWidthSum / trials, coverage: covered / trials };
}
