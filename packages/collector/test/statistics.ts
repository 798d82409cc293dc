/**
 * Exact binomial bounds for coverage tests. With X ~ Binomial(n, p), p = pNum/pDen, the bounds are
 * computed in integer arithmetic: Pr[X = i]·pDen^n = C(n, i)·pNum^i·(pDen − pNum)^(n−i), so
 * comparing a partial sum with α = aNum/aDen needs no rounding at all.
 */
type Fraction = readonly [numerator: number, denominator: number];

/** The largest b with Pr[X < b] ≤ α: asserting X ≥ b fails with probability ≤ α when the model holds. */
export function binomialLowerBound(n: number, [pNum, pDen]: Fraction, [aNum, aDen]: Fraction): number {
  const N = BigInt(n);
  const [p, q, d] = [BigInt(pNum), BigInt(pDen - pNum), BigInt(pDen)];
  const limit = BigInt(aNum) * d ** N; // α·pDen^n, compared with (Σ_{i<b} Pr[X = i]·pDen^n)·aDen
  let choose = 1n;
  let below = 0n;
  for (let i = 0n; i <= N; i++) {
    const term = choose * p ** i * q ** (N - i);
    if ((below + term) * BigInt(aDen) > limit) return Number(i);
    below += term;
    choose = (choose * (N - i)) / (i + 1n);
  }
  return n + 1;
}

/** The smallest b with Pr[X > b] ≤ α: asserting X ≤ b fails with probability ≤ α when the model holds. */
export function binomialUpperBound(n: number, [pNum, pDen]: Fraction, alpha: Fraction): number {
  // X > b ⟺ n − X < n − b, and n − X ~ Binomial(n, 1 − p).
  return n - binomialLowerBound(n, [pDen - pNum, pDen], alpha);
}
