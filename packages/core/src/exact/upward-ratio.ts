/**
 * A double that is ≥ the exact rational a·b/(c·d) for non-negative integers below 2^53.
 *
 * Why: `implementedEpsilonOf` (thresholds.ts) widens ln(ratio) by a margin relative to the
 * loss itself, which is smaller than the rounding error of the ratio when ε is small (ε = 0.1:
 * margin ≈ 9e-17, ratio error ≈ 2e-16). Each of the ≤ 3 correctly rounded operations below is
 * off by at most 2^-53 relative, so multiplying by 1 + 8·2^-52 puts the result above the exact
 * value; ln of it then bounds the true loss (Math.log errs by ~1 ulp of a much smaller quantity).
 * test/exactness.test.ts checks the outcome in BigInt arithmetic.
 */
export function ratioRoundedUp(a: number, b: number, c: number, d = 1): number {
  return ((a * b) / (c * d)) * (1 + 8 * Number.EPSILON);
}
