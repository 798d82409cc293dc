/**
 * The smallest share a RAPPOR decoding can detect — one definition for the planner (before
 * collection: planner.ts `planRapporDetection`) and for the decoder (after: every candidate's
 * `detectionLimit`, rappor-decode.ts), so that the "not detectable at this n (below ≈ x%)" a
 * release or a dashboard shows and the planner's figure are the same function of a standard error.
 *
 * Detection (rappor-decode.ts, step 4) is the one-sided test z = x̂/SE > z_α with
 * z_α = Φ⁻¹(1 − α/S), Bonferroni over the S candidates as Google's decode.R. The detection limit
 * is Currie's L_D (L. A. Currie, "Limits for qualitative detection and quantitative determination",
 * Analytical Chemistry 40(3), 586–593, 1968): the true share the test detects with probability
 * 1 − β, its power,
 *
 *   L_D = (z_α + z_β)·SE₀,   z_β = Φ⁻¹(1 − β),
 *
 * with SE₀ the share's standard error near 0. (Its normal approximation treats SE as constant
 * between 0 and L_D: the least-squares SE of the decoding does not depend on the share, and the
 * test uses the respondents' SE, to which the population's sampling term x(1 − x)/n adds little
 * there.) With the default power 0.95, a candidate whose share is at least L_D is missed at most
 * 5% of the time, so a miss reads "below ≈ L_D" at the confidence of the 95% intervals. It is not
 * the critical share z_α·SE₀ (Currie's L_C), which is detected only half of the time.
 */
import { parameterError } from '../errors.ts';
import { normalQuantile } from './normal-quantile.ts';
import { rapporBitProbabilities, type RapporProbabilities } from './rappor-estimate.ts';

/** Family-wise false-detection rate of the decoding, Bonferroni-split over the candidates. */
export const DEFAULT_DETECTION_ALPHA = 0.05;
/** Probability of detecting a candidate whose share is at the detection limit. */
export const DEFAULT_DETECTION_POWER = 0.95;

/** z_α = Φ⁻¹(1 − α/S): the one-sided z a candidate must exceed, Bonferroni over S candidates. */
export function detectionThreshold(alpha: number, candidates: number): number {
  if (!(alpha > 0 && alpha < 1)) throw parameterError('alpha', `must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(candidates) && candidates >= 0)) throw parameterError('candidates', `must be an integer ≥ 0, got ${candidates}`);
  return normalQuantile(1 - alpha / Math.max(1, candidates));
}

export interface DetectionLimitInput {
  /** SE₀: the share's standard error near 0 — the one the detection test divides by. */
  standardErrorAtZero: number;
  /** z_α of the test ({@link detectionThreshold}). */
  zThreshold: number;
  /** 1 − β (default {@link DEFAULT_DETECTION_POWER}). */
  power?: number;
}

/**
 * L_D = (z_α + Φ⁻¹(power))·SE₀, capped at 1 (a share cannot exceed it): a limit of 1 says the
 * candidate is not detectable at any share — too few reports, or Bloom bits another candidate's
 * bits duplicate everywhere (an infinite SE₀).
 */
export function detectionLimit({ standardErrorAtZero, zThreshold, power = DEFAULT_DETECTION_POWER }: DetectionLimitInput): number {
  if (!(standardErrorAtZero >= 0)) throw parameterError('standardErrorAtZero', `must be ≥ 0, got ${standardErrorAtZero}`);
  if (!Number.isFinite(zThreshold)) throw parameterError('zThreshold', `must be finite, got ${zThreshold}`);
  checkPower(power);
  return Math.min(1, Math.max(0, (zThreshold + normalQuantile(power)) * standardErrorAtZero));
}

export function checkPower(power: number): number {
  if (!(power > 0 && power < 1)) throw parameterError('power', `must be in (0, 1), got ${power}`);
  return power;
}

/** The Bloom filter and randomization of a RAPPOR question: what SE₀ depends on before any data. */
export interface RapporDesign extends RapporProbabilities {
  k: number;
  h: number;
}

/**
 * SE₀ predicted before collection, for n reports (the planner's): the decoder's least-squares SE
 * of one candidate fitted with the background column alone (rappor-decode.ts, steps 2–3), with
 * every bit's variance at the average bit-set rate. A report sets h̄ = k(1 − (1 − 1/k)^h) distinct
 * bits on average (h hashes may coincide), so a bit is set in a share π̄ = h̄/k of a cohort's
 * reports and its count t̂ has variance N·v̄/(p₁₁ − p₀₁)², v̄ = π̄·p₁₁(1 − p₁₁) + (1 − π̄)·p₀₁(1 − p₀₁)
 * (rappor-estimate.ts). The candidate's column has h̄ bits per cohort, the background column all
 * k, so with weights 1/Var their Gram entries are ‖a‖² = aᵀg = h̄·n·(p₁₁ − p₀₁)²/v̄ and
 * ‖g‖² = k·n·(p₁₁ − p₀₁)²/v̄ (Σ_c N_c = n), and the Schur complement gives
 *
 *   SE₀² = 1/(‖a‖² − (aᵀg)²/‖g‖²) = v̄ / (n·h̄·(1 − h̄/k)·(p₁₁ − p₀₁)²).
 *
 * It leaves out collisions with other fitted candidates and residual dispersion above 1 (values
 * outside the list), both of which only raise the decoder's SE₀; rappor-analysis.test.ts checks it
 * against the decoder's.
 */
export function rapporStandardErrorAtZero(design: RapporDesign, n: number): number {
  const { k, h } = design;
  if (!(Number.isInteger(k) && k >= 1)) throw parameterError('k', `must be an integer ≥ 1, got ${k}`);
  if (!(Number.isInteger(h) && h >= 1)) throw parameterError('h', `must be an integer ≥ 1, got ${h}`);
  if (!(n > 0)) throw parameterError('n', `must be > 0, got ${n}`);
  const { p01, p11 } = rapporBitProbabilities(design);
  const gap = p11 - p01;
  if (!(gap > 0)) throw parameterError('q', 'the IRR carries no signal: (1 − f)(q − p) must be > 0');
  const distinctBits = k * (1 - (1 - 1 / k) ** h);
  const setRate = distinctBits / k;
  const bitVariance = setRate * p11 * (1 - p11) + (1 - setRate) * p01 * (1 - p01);
  // k = 1 (or every hash on one bit of one) leaves the candidate's column inside the background's.
  const apart = 1 - setRate;
  return apart > 0 ? Math.sqrt(bitVariance / (n * distinctBits * apart * gap * gap)) : Infinity;
}
