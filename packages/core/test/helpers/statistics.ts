/**
 * Seeded statistical checks of frequency oracles through the production path
 * (randomize → encodeReport → decodeReport → addToSums → estimate), for either estimand
 * (estimand.ts):
 *  - `respondents`: the same answers in every trial (counts_v respondents hold v), checked against
 *    `variance(n, f_v, 'respondents')`;
 *  - `population`: every trial draws n fresh respondents, each uniformly from that same list (so
 *    the population share is counts_v/n), checked against `variance(n, f_v, 'population')`.
 *
 * Why these are exact: every oracle here is a pure protocol whose per-report support indicators
 * are independent given the true answers — and, for sampled respondents, independent and
 * identically Bernoulli(π) — so either variance is exact for any n (no normal approximation
 * needed). That lets a trial use a small n and many repetitions.
 *
 * Pooling: z_{t,v} = (f̂_{t,v} − f_v)/√variance(n, f_v) over R trials and k values. E[z²] = 1 if
 * the reported variance is right, so the pooled mean of z² estimates Var_true/Var_reported. Its
 * relative SD is about √(2/(R·k_eff)) (k_eff < k because estimates of different values are
 * correlated within a trial), ≈ 1–2% for the sizes used, so the ±10% band is ≥ 5 SD wide for a
 * right formula, while a formula off by ×1.25 lands at 0.8 — outside it by ≥ 5 SD.
 */
import { addToSums, RandomSampler, seededRandomSource, type Estimand, type FrequencyOracle } from '../../src/index.ts';

export interface TrialResult {
  /** True frequency of each value. */
  frequencies: number[];
  /** estimates[t][v]. */
  estimates: number[][];
  /** Reported variance per value, variance(n, f_v, estimand). */
  variances: number[];
  n: number;
}

/** Answers with count_v respondents for each value v, in a fixed order. */
export function fixedAnswers(counts: readonly number[]): number[] {
  const answers: number[] = [];
  counts.forEach((c, v) => {
    for (let i = 0; i < c; i++) answers.push(v);
  });
  return answers;
}

export function runTrials<R>(m: FrequencyOracle<R>, counts: readonly number[], trials: number, seed: string, estimand: Estimand = 'respondents'): TrialResult {
  const rng = new RandomSampler(seededRandomSource(seed));
  const answers = fixedAnswers(counts);
  const n = answers.length;
  const sums = new Float64Array(m.sumsLength);
  const estimates: number[][] = [];
  for (let t = 0; t < trials; t++) {
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const x = estimand === 'respondents' ? answers[i]! : answers[rng.uniformInt(n)]!;
      addToSums(m, m.decodeReport(m.encodeReport(m.randomize(x, rng))), sums);
    }
    estimates.push(m.estimate(sums).values);
  }
  const frequencies = counts.map((c) => c / n);
  return { frequencies, estimates, variances: frequencies.map((f) => m.variance(n, f, estimand)), n };
}

export interface BiasCheck {
  value: number;
  meanError: number;
  /** Standard error of the mean error (empirical SD / √R). */
  standardError: number;
  ok: boolean;
}

/** Per value: |mean error| < 4 standard errors of the mean. */
export function checkUnbiased(result: TrialResult, sigmas = 4): BiasCheck[] {
  const trials = result.estimates.length;
  return result.frequencies.map((f, v) => {
    const errors = result.estimates.map((row) => row[v]! - f);
    const mean = errors.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(errors.reduce((a, e) => a + (e - mean) ** 2, 0) / (trials - 1));
    const standardError = sd / Math.sqrt(trials);
    return { value: v, meanError: mean, standardError, ok: Math.abs(mean) < sigmas * standardError };
  });
}

export interface VarianceCheck {
  /** Pooled mean of z² = empirical variance ÷ reported variance. */
  ratio: number;
  /** Per-value ratios, for the report. */
  perValue: number[];
  ok: boolean;
}

/** Pooled standardized squared errors; ok when the ratio is within 1 ± tolerance. */
export function checkVariance(result: TrialResult, tolerance = 0.1, reported: readonly number[] = result.variances): VarianceCheck {
  const trials = result.estimates.length;
  const perValue = result.frequencies.map((f, v) => result.estimates.reduce((a, row) => a + (row[v]! - f) ** 2, 0) / trials / reported[v]!);
  const ratio = perValue.reduce((a, b) => a + b, 0) / perValue.length;
  return { ratio, perValue, ok: Math.abs(ratio - 1) <= tolerance };
}
