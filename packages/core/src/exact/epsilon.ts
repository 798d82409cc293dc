/**
 * The ONE place ε is rounded toward more privacy loss (OpenDP's rule: a stated ε must never
 * understate what is implemented). Every mechanism's `implementedEpsilon`, `permanentEpsilon` and
 * `instantaneousEpsilon`, RAPPOR's losses and the shuffle bound go through it.
 *
 * - `lossUpperBound(loss)`: a float loss computed by a few correctly rounded operations and one
 *   Math.log is off by far less than 10^-12·|loss| + 10^-15 (the absolute part covers the ≈ 2^-53
 *   relative error of turning a ratio near 1 into a double); adding that puts it above the true value.
 * - `implementedEpsilonOf(ratio, requested)`: ε of a worst-case probability ratio (an exact
 *   Rational, or a double already rounded up: upward-ratio.ts), rounded up, capped at the ε asked
 *   for — which the threshold rounding guarantees; a loss above the request by more than the
 *   rounding slack means a threshold was rounded the wrong way, and the mechanism is refused.
 * BigInt checks of the outcome: test/exactness.test.ts and its siblings.
 */
import { rationalToNumber, type Rational } from './rational.ts';

const RELATIVE = 1e-12;
const ABSOLUTE = 1e-15;

export function lossUpperBound(loss: number): number {
  return loss + RELATIVE * Math.abs(loss) + ABSOLUTE;
}

export function implementedEpsilonOf(worstRatio: Rational | number, requested: number): number {
  const loss = Math.log(typeof worstRatio === 'number' ? worstRatio : rationalToNumber(worstRatio));
  if (loss > requested + RELATIVE * (1 + requested)) throw new RangeError(`implemented worst ratio e^${loss} exceeds e^ε = e^${requested}`);
  return Math.min(requested, lossUpperBound(loss));
}
