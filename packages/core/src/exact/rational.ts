/**
 * Exact rational arithmetic for privacy proofs: BigInt bounds on e^x for a double x.
 *
 * Used by the exactness tests (and available to auditors) to check, with no floating point at
 * all, that an implemented probability ratio is ≤ e^ε. A double is a dyadic rational, so x = a/2^s
 * exactly; e^x is bracketed by a Taylor sum in fixed point with 2^PRECISION_BITS, floored for the
 * lower bound and ceiled (plus the Lagrange remainder) for the upper bound.
 */

export interface Rational {
  num: bigint;
  den: bigint;
}

const PRECISION_BITS = 160n;
const ONE = 1n << PRECISION_BITS;

/** x as an exact fraction a / 2^s. */
export function doubleToRational(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  let scale = 0n;
  let value = x;
  while (!Number.isInteger(value)) {
    value *= 2;
    scale += 1n;
  }
  return { num: BigInt(value), den: 1n << scale };
}

/** A rational U / 2^160 with U / 2^160 ≥ e^x, for 0 ≤ x ≤ 64. */
export function expUpperBound(x: number): Rational {
  return { num: expFixedPoint(x, 'up'), den: ONE };
}

/** A rational L / 2^160 with L / 2^160 ≤ e^x, for 0 ≤ x ≤ 64. */
export function expLowerBound(x: number): Rational {
  return { num: expFixedPoint(x, 'down'), den: ONE };
}

function expFixedPoint(x: number, direction: 'up' | 'down'): bigint {
  if (!(x >= 0 && x <= 64)) throw new RangeError(`x must be in [0, 64], got ${x}`);
  const { num: a, den: b } = doubleToRational(x);
  const divide = (n: bigint, d: bigint): bigint => (direction === 'down' ? n / d : (n + d - 1n) / d);
  // term_n = x^n / n!, built as term_{n-1} · a / (b · n), rounded each step in `direction`.
  let term = ONE;
  let sum = ONE;
  let n = 1n;
  for (;;) {
    term = divide(term * a, b * n);
    sum += term;
    // Stop once terms are tiny and decreasing: n + 1 > 2x means the tail is < 2·term.
    if (term < 1n << 8n && BigInt(2) * a < (n + 1n) * b) break;
    n += 1n;
  }
  // Remaining tail Σ_{j>n} x^j/j! ≤ term · r/(1−r) with r = x/(n+1) ≤ 1/2, so ≤ 2·term (+1 for rounding).
  return direction === 'up' ? sum + 2n * term + 1n : sum;
}

/** a ≤ b for rationals with positive denominators. */
export function rationalLessOrEqual(a: Rational, b: Rational): boolean {
  return a.num * b.den <= b.num * a.den;
}

export function rationalToNumber(r: Rational): number {
  // Scale down both to keep precision within a double's range.
  const shift = BigInt(Math.max(0, r.den.toString(2).length - 1000));
  return Number(r.num >> shift) / Number(r.den >> shift);
}
