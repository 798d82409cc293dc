/**
 * From a real probability to the integer threshold a Bernoulli draw compares against
 * (probability = threshold / 2^32), rounded in the direction that keeps the implemented mechanism
 * inside its ε bound.
 *
 * Why a safety factor: `p` arrives as a float computed with Math.exp and a division, each good to
 * a few ulps (≈ 1e-16 relative) but not correctly rounded. Shrinking (or growing) by 1e-12 relative
 * before flooring (or ceiling) dominates any such error by four orders of magnitude, so the
 * integer threshold is on the safe side of the true real-valued p. The exact BigInt test
 * (test/exactness.test.ts) re-checks every mechanism's thresholds against a rational bound of e^ε.
 * The cost is an ε shortfall of about 1e-12 relative: invisible in accuracy.
 */
import { THRESHOLD_ONE } from '../random/sampler.ts';

const SAFETY = 1e-12;

/** Largest-ish integer T with T / 2^32 ≤ p for certain. */
export function thresholdAtMost(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
  return Math.max(0, Math.floor(p * THRESHOLD_ONE * (1 - SAFETY)));
}

/** Smallest-ish integer T with T / 2^32 ≥ p for certain. */
export function thresholdAtLeast(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
  return Math.min(THRESHOLD_ONE, Math.ceil(p * THRESHOLD_ONE * (1 + SAFETY)));
}

/** The probability a threshold implements (exact: a dyadic rational fits a double). */
export function thresholdProbability(threshold: number): number {
  return threshold / THRESHOLD_ONE;
}

