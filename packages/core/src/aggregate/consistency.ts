/**
 * Consistency post-processing of frequency estimates.
 *
 * Debiased estimates are unbiased but may be negative or sum to something other than one. Norm-Sub
 * (Wang, Lopuhaä-Zwakenberg, Xue, Li, Chen, "Locally Differentially Private Frequency Estimation
 * with Consistency", NDSS 2020, §IV) replaces f̂ by f'_v = max(f̂_v − δ, 0) with the one δ for which
 * Σ f'_v = 1. That is the Euclidean projection of f̂ onto the probability simplex, computed exactly
 * by sorting (Duchi, Shalev-Shwartz, Singer, Chandra, ICML 2008, Fig. 1): O(k log k). It is
 * idempotent, and leaves vectors already on the simplex unchanged.
 *
 * For questions whose answers are not exclusive (multiselect prevalences) there is no sum
 * constraint; each value is clipped to [0, 1] instead (`sumToOne: false`).
 *
 * Post-processing costs no privacy (it touches only released estimates) but adds bias, so the
 * consistent estimate keeps the raw unbiased values, their standard errors and intervals alongside.
 */
import { checkFiniteNumber } from '../validate.ts';
import { parameterError } from '../errors.ts';
import type { FrequencyEstimate } from '../mechanisms/types.ts';

export interface NormSubOptions {
  /** true for single-choice questions (frequencies sum to one); false clips to [0, 1] only. */
  sumToOne: boolean;
}

export function normSub(values: readonly number[], options: NormSubOptions): number[] {
  values.forEach((x, i) => checkFiniteNumber(x, `values.${i}`));
  if (!options.sumToOne) return values.map((x) => (x < 0 ? 0 : x > 1 ? 1 : x));
  if (values.length === 0) throw parameterError('values', 'cannot make an empty vector sum to one');
  // δ = (Σ_{i ≤ ρ} u_i − 1)/ρ for u sorted descending and ρ the largest index with u_ρ − δ_ρ > 0.
  const sorted = [...values].sort((a, b) => b - a);
  let prefix = 0;
  let delta = 0;
  for (let i = 0; i < sorted.length; i++) {
    prefix += sorted[i]!;
    const candidate = (prefix - 1) / (i + 1);
    if (sorted[i]! - candidate > 0) delta = candidate;
  }
  return values.map((x) => Math.max(x - delta, 0));
}

export interface ConsistentFrequencyEstimate {
  n: number;
  /** Consistent values: non-negative (and summing to one when `sumToOne`). */
  values: number[];
  /** The raw unbiased estimate, its standard errors and 95% intervals. */
  raw: FrequencyEstimate;
  /** The raw 95% intervals clipped to [0, 1], for display next to the consistent values. */
  ci95: Array<[number, number]>;
  sumToOne: boolean;
}

/** Norm-Sub applied to an estimate; with no reports (NaN values) the raw estimate is returned as is. */
export function consistentEstimate(raw: FrequencyEstimate, options: NormSubOptions): ConsistentFrequencyEstimate {
  const clip = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
  const empty = raw.n === 0 || raw.values.some((x) => !Number.isFinite(x));
  return {
    n: raw.n,
    values: empty ? [...raw.values] : normSub(raw.values, options),
    raw,
    ci95: raw.ci95.map(([low, high]) => [clip(low), clip(high)]),
    sumToOne: options.sumToOne,
  };
}
