/**
 * Full enumeration of the exactness check on the default grid (M = 1000): every output index
 * against every input grid point, in BigInt arithmetic (≈ 3·10^6 rationals per mechanism and ε).
 * The unit suite (numeric-exactness.test.ts) covers the same grid with the analytic bound; this
 * confirms the structure that bound relies on.
 */
import { describe, expect, it } from 'vitest';
import { DuchiMechanism, HybridMechanism, PiecewiseMechanism, expUpperBound, rationalLessOrEqual, type Rational } from '../src/index.ts';

describe('numeric mechanisms on the default grid: full BigInt enumeration', () => {
  it.each([0.5, 2, 8])('ε = %s', (epsilon) => {
    for (const Mechanism of [DuchiMechanism, PiecewiseMechanism, HybridMechanism]) {
      const m = new Mechanism({ epsilon, low: 0, high: 10 });
      const bound = expUpperBound(m.implementedEpsilon);
      expect(m.implementedEpsilon).toBeLessThanOrEqual(epsilon);
      for (let i = 0; i < m.outputCount; i++) {
        let max: Rational = m.kernel.probability(i, 0);
        let min: Rational = max;
        for (let j = 1; j <= m.gridSize; j++) {
          const p = m.kernel.probability(i, j);
          if (!rationalLessOrEqual(p, max)) max = p;
          if (rationalLessOrEqual(p, min)) min = p;
        }
        if (max.num === 0n) continue;
        expect(min.num > 0n).toBe(true);
        // max/min ≤ U.num/U.den ⇔ max.num·min.den·U.den ≤ U.num·max.den·min.num
        expect(max.num * min.den * bound.den <= bound.num * max.den * min.num).toBe(true);
      }
    }
  });
});
