/**
 * Per-cohort, per-bit debiasing of RAPPOR sums — Google's analysis/R/decode.R `EstimateBloomCounts`
 * (Erlingsson et al. 2014, §5), with Google's naming (p = Pr[IRR 1 | PRR 0], q = Pr[IRR 1 | PRR 1]).
 *
 * In cohort c with N reports and C of them reporting bit i as 1, let t be the number whose Bloom
 * filter had bit i set. Then E[C] = t·p₁₁ + (N − t)·p₀₁ with
 *   p₁₁ = q(1 − f/2) + p·f/2,   p₀₁ = p(1 − f/2) + q·f/2,   p₁₁ − p₀₁ = (1 − f)(q − p),
 * so t̂ = (C − p₀₁N)/(p₁₁ − p₀₁) is unbiased. Each report is an independent Bernoulli (its PRR coins
 * are the device's own, its IRR coins fresh), so
 *   Var[t̂] = (t·p₁₁(1 − p₁₁) + (N − t)·p₀₁(1 − p₀₁)) / (p₁₁ − p₀₁)².
 * The reported SE plugs t̂ clamped to [0, N] into it: the respondents' variance (estimand.ts), what
 * the decoder weights bits by. (decode.R uses N·r(1 − r)/(p₁₁ − p₀₁)², r the mean reporting rate —
 * the variance when the N devices are themselves a random sample; it exceeds ours by N·π(1−π),
 * π = t/N. The population interval of a candidate's share adds its sampling term after decoding
 * instead: rappor-decode.ts, step 6.) Assumes one report per device in the sums; repeated
 * reports of one device share a PRR and are positively correlated.
 */
import { parameterError } from '../errors.ts';

/** f, p, q as implemented (Google's naming). */
export interface RapporProbabilities {
  f: number;
  p: number;
  q: number;
}

export interface RapporShape extends RapporProbabilities {
  k: number;
  m: number;
}

export interface RapporCohortEstimate {
  /** Reports from this cohort. */
  n: number;
  /** t̂ per bit: estimated number of this cohort's reports whose Bloom filter had the bit set. */
  counts: number[];
  standardErrors: number[];
}

export interface RapporBitEstimate {
  /** All reports. */
  n: number;
  k: number;
  m: number;
  /** p₀₁ = Pr[IRR 1 | Bloom 0], p₁₁ = Pr[IRR 1 | Bloom 1]. */
  p01: number;
  p11: number;
  cohorts: RapporCohortEstimate[];
}

export function rapporBitProbabilities({ f, p, q }: RapporProbabilities): { p01: number; p11: number } {
  return { p11: q * (1 - f / 2) + (p * f) / 2, p01: p * (1 - f / 2) + (q * f) / 2 };
}

/** Var[t̂] for a cohort of N reports, t of which have the bit set. */
export function rapporBitCountVariance(probabilities: RapporProbabilities, n: number, t: number): number {
  const { p01, p11 } = rapporBitProbabilities(probabilities);
  const gap = p11 - p01;
  return (t * p11 * (1 - p11) + (n - t) * p01 * (1 - p01)) / (gap * gap);
}

/** Sums layout: [n, then per cohort c: N_c, C_{c,0}, …, C_{c,k−1}] (see rappor.ts). */
export function estimateBloomCounts(shape: RapporShape, sums: ArrayLike<number>): RapporBitEstimate {
  const { k, m } = shape;
  if (sums.length !== 1 + m * (k + 1)) throw parameterError('sums', `must have length 1 + m(k + 1) = ${1 + m * (k + 1)}, got ${sums.length}`);
  const { p01, p11 } = rapporBitProbabilities(shape);
  const gap = p11 - p01;
  if (!(gap > 0)) throw parameterError('q', 'the IRR carries no signal: (1 − f)(q − p) must be > 0');
  const cohorts: RapporCohortEstimate[] = [];
  for (let c = 0; c < m; c++) {
    const base = 1 + c * (k + 1);
    const n = sums[base]!;
    const counts: number[] = [];
    const standardErrors: number[] = [];
    for (let i = 0; i < k; i++) {
      const t = (sums[base + 1 + i]! - p01 * n) / gap;
      counts.push(t);
      standardErrors.push(Math.sqrt(rapporBitCountVariance(shape, n, Math.min(n, Math.max(0, t)))));
    }
    cohorts.push({ n, counts, standardErrors });
  }
  return { n: sums[0]!, k, m, p01, p11, cohorts };
}
