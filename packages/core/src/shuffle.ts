/**
 * Privacy amplification by shuffling: when the collector strips metadata and shuffles n reports,
 * each ε₀-LDP, the shuffled batch is (ε, δ)-DP in the central model with
 *
 *   ε ≤ log(1 + (e^{ε₀} − 1)/(e^{ε₀} + 1) · (8·√(e^{ε₀}·log(4/δ))/√n + 8·e^{ε₀}/n))
 *
 * Feldman, McMillan, Talwar, "Hiding Among the Clones: A Simple and Nearly Optimal Analysis of
 * Privacy Amplification by Shuffling", FOCS 2021, Theorem 3.1 — valid when
 * ε₀ ≤ log(n/(16·log(2/δ))). Outside that range the theorem says nothing, and we return
 * `applicable: false` with the reason instead of a number.
 *
 * Rounding: the result is rounded UP to a multiple of 10^-6 (after a relative nudge of 10^-12 that
 * absorbs floating-point error in exp/log), so the stated ε is never smaller than the bound.
 * The bound never exceeds ε₀ in its valid range for realistic n, but we also cap it at ε₀ — shuffling
 * cannot make privacy worse than the local guarantee, which holds regardless of the shuffler.
 */
import { lossUpperBound } from './exact/epsilon.ts';
import { checkEpsilon, checkFiniteNumber, checkInteger } from './validate.ts';
import { parameterError } from './errors.ts';

export interface ShuffleInput {
  /** Local ε of each report (use the implemented ε). */
  epsilon0: number;
  /** Number of reports shuffled together. */
  n: number;
  /** Central δ, in (0, 1). */
  delta: number;
}

export type ShuffleAmplification =
  | { applicable: true; epsilon: number; delta: number; epsilon0: number; n: number }
  | { applicable: false; reason: string; epsilon0: number; n: number; delta: number };

const ROUND_UP = 1e6;

/** A stated ε at 10^-6 granularity, rounded up (exact/epsilon.ts's bound, then the ceiling). */
export function roundUpEpsilon(x: number): number {
  return Math.ceil(lossUpperBound(x) * ROUND_UP) / ROUND_UP;
}

/** Largest ε₀ for which the FMT21 bound applies: log(n/(16·log(2/δ))). */
export function shuffleMaxLocalEpsilon(n: number, delta: number): number {
  return Math.log(n / (16 * Math.log(2 / delta)));
}

export function shuffleAmplifiedEpsilon(input: ShuffleInput): ShuffleAmplification {
  const epsilon0 = checkEpsilon(input.epsilon0, 'epsilon0');
  const n = checkInteger(input.n, 'n', 1);
  const delta = checkFiniteNumber(input.delta, 'delta');
  if (!(delta > 0 && delta < 1)) throw parameterError('delta', `must be in (0, 1), got ${delta}`);
  const limit = shuffleMaxLocalEpsilon(n, delta);
  if (!(epsilon0 <= limit)) {
    const reason =
      limit <= 0
        ? `n = ${n} is too small for δ = ${delta}: the bound needs n > 16·log(2/δ) = ${(16 * Math.log(2 / delta)).toFixed(1)}`
        : `ε₀ = ${epsilon0} exceeds log(n/(16·log(2/δ))) = ${limit.toFixed(4)} for n = ${n}, δ = ${delta}`;
    return { applicable: false, reason, epsilon0, n, delta };
  }
  const e0 = Math.exp(epsilon0);
  const inner = (Math.expm1(epsilon0) / (e0 + 1)) * ((8 * Math.sqrt(e0 * Math.log(4 / delta))) / Math.sqrt(n) + (8 * e0) / n);
  const epsilon = Math.min(epsilon0, roundUpEpsilon(Math.log1p(inner)));
  return { applicable: true, epsilon, delta, epsilon0, n };
}
