/**
 * Exactness of the numeric mechanisms, in BigInt arithmetic only: for every output index i and
 * input grid points j, j', Pr[i | j] ≤ e^ε · Pr[i | j'], with Pr[i | j] the exact rationals the
 * integer thresholds implement (GridKernel.probability), and e^ε replaced by a rational upper bound
 * (exact/rational.ts). Off-grid answers are mixtures of two grid points and need no separate check
 * (numeric.ts header).
 *
 * Small grids (M ≤ 200) are enumerated in full: every (i, j). For the default M = 1000 and the
 * largest M = 10,000, full enumeration (≈ 2·10^7 BigInt rationals per ε) is too slow for the unit
 * suite, so the bound is derived from the same integer quantities the kernels sample with:
 *  - Piecewise: every Pr[i | j] is T/(2^32 W) or (2^32 − T)/(2^32 M) (in or out of j's window), and
 *    each index is in some window and outside another, so the worst ratio is exactly T·M/((2^32−T)W);
 *    spot checks confirm `probability` takes only those two values.
 *  - Duchi: Pr[high | j] = T_j/2^32 is increasing in j, so the extremes are j = 0 and j = M.
 *  - Hybrid: indices other than the Duchi half's two cells carry α·(Piecewise) only (ratio as
 *    Piecewise); the two Duchi cells are enumerated over every j exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  DuchiMechanism,
  HYBRID_EPSILON_STAR,
  HybridMechanism,
  PiecewiseMechanism,
  expLowerBound,
  expUpperBound,
  rationalLessOrEqual,
  type GridKernel,
  type GridNumericMechanism,
  type NumericOptions,
  type Rational,
} from '../src/index.ts';

const EPSILON_GRID = [0.1, 0.25, 0.5, HYBRID_EPSILON_STAR, 0.62, Math.LN2, 1, 2, 3, 4, 5, 6, 8, 12, 20];
const SMALL_GRIDS = [1, 2, 3, 10, 37];
const MECHANISMS: Array<[string, new (options: NumericOptions) => GridNumericMechanism]> = [
  ['duchi', DuchiMechanism],
  ['piecewise', PiecewiseMechanism],
  ['hybrid', HybridMechanism],
];

/** a/b with a = max, b = min: the worst ratio of one output over a set of inputs. */
interface Extremes {
  max: Rational;
  min: Rational;
}

function extremesOver(kernel: GridKernel, index: number, gridPoints: Iterable<number>): Extremes | undefined {
  let max: Rational | undefined;
  let min: Rational | undefined;
  for (const j of gridPoints) {
    const p = kernel.probability(index, j);
    if (max === undefined || !rationalLessOrEqual(p, max)) max = p;
    if (min === undefined || rationalLessOrEqual(p, min)) min = p;
  }
  if (max === undefined || min === undefined) return undefined;
  if (max.num === 0n) return undefined; // never output under any input
  expect(min.num > 0n, `index ${index} is impossible under some inputs but possible under others`).toBe(true);
  return { max, min };
}

function ratioOf(e: Extremes): Rational {
  return { num: e.max.num * e.min.den, den: e.max.den * e.min.num };
}

function larger(a: Rational, b: Rational): Rational {
  return rationalLessOrEqual(a, b) ? b : a;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function assertWithin(ratio: Rational, epsilon: number, implementedEpsilon: number): void {
  expect(implementedEpsilon).toBeLessThanOrEqual(epsilon);
  expect(rationalLessOrEqual(ratio, expUpperBound(epsilon))).toBe(true);
  expect(rationalLessOrEqual(ratio, expUpperBound(implementedEpsilon))).toBe(true);
}

function fullEnumeration(m: GridNumericMechanism): Rational {
  let worst: Rational = { num: 1n, den: 1n };
  const gridPoints = range(0, m.gridSize);
  for (let i = 0; i < m.outputCount; i++) {
    const e = extremesOver(m.kernel, i, gridPoints);
    if (e !== undefined) worst = larger(worst, ratioOf(e));
  }
  return worst;
}

describe('numeric mechanisms are ε-LDP exactly: full enumeration on small grids', () => {
  for (const [name, Mechanism] of MECHANISMS) {
    for (const gridSize of SMALL_GRIDS) {
      it.each(EPSILON_GRID)(`${name}, gridSize ${gridSize}, ε = %s`, (epsilon) => {
        const m = new Mechanism({ epsilon, low: 0, high: 1, gridSize });
        const worst = fullEnumeration(m);
        assertWithin(worst, epsilon, m.implementedEpsilon);
        // implementedEpsilon is not a loose claim either (Duchi and Piecewise state their exact worst ratio).
        if (name !== 'hybrid') expect(rationalLessOrEqual(expLowerBound(Math.max(0, m.implementedEpsilon - 1e-9)), worst)).toBe(true);
      });
    }
  }

  it.each([0.5, 1, 4])('all three, gridSize 200, ε = %s', (epsilon) => {
    for (const [, Mechanism] of MECHANISMS) {
      const m = new Mechanism({ epsilon, low: 0, high: 1, gridSize: 200 });
      assertWithin(fullEnumeration(m), epsilon, m.implementedEpsilon);
    }
  });
});

describe('numeric mechanisms are ε-LDP exactly: default and largest grids, bounded from the integers', () => {
  for (const gridSize of [1000, 10_000]) {
    it.each(EPSILON_GRID)(`piecewise, gridSize ${gridSize}, ε = %s`, (epsilon) => {
      const m = new PiecewiseMechanism({ epsilon, low: 0, high: 1, gridSize });
      const k = m.kernel;
      // Spot-check the two-value structure the bound relies on.
      const one = 1n << 32n;
      const high: Rational = { num: BigInt(k.windowThreshold), den: one * BigInt(k.windowWidth) };
      const low: Rational = { num: one - BigInt(k.windowThreshold), den: one * BigInt(k.inputSteps) };
      for (const [i, j] of [[0, 0], [k.windowWidth - 1, 0], [k.windowWidth, 0], [k.outputCount - 1, gridSize], [k.outputCount - 1, 0], [gridSize, gridSize - 1]] as const) {
        const p = k.probability(i, j);
        const expected = k.inWindow(i, j) ? high : low;
        expect(p.num * expected.den).toBe(expected.num * p.den);
      }
      const worst = k.worstRatio();
      expect(worst.num * low.num * high.den).toBe(worst.den * high.num * low.den);
      assertWithin(worst, epsilon, m.implementedEpsilon);
    });

    it.each(EPSILON_GRID)(`duchi, gridSize ${gridSize}, ε = %s`, (epsilon) => {
      const m = new DuchiMechanism({ epsilon, low: 0, high: 1, gridSize });
      const worst = larger(ratioOf(extremesOver(m.kernel, 1, [0, gridSize])!), ratioOf(extremesOver(m.kernel, 0, [0, gridSize])!));
      assertWithin(worst, epsilon, m.implementedEpsilon);
    });

    it.each(EPSILON_GRID)(`hybrid, gridSize ${gridSize}, ε = %s`, (epsilon) => {
      const m = new HybridMechanism({ epsilon, low: 0, high: 1, gridSize });
      const { duchi, piecewise } = m.kernel;
      const all = range(0, gridSize);
      let worst = larger(ratioOf(extremesOver(m.kernel, duchi.lowIndex, all)!), ratioOf(extremesOver(m.kernel, duchi.highIndex, all)!));
      if (m.kernel.mixThreshold > 0) worst = larger(worst, piecewise.worstRatio());
      assertWithin(worst, epsilon, m.implementedEpsilon);
    });
  }
});

describe('implementedEpsilonOf (exact/epsilon.ts, the one ε rounding)', () => {
  it('rounds up within the request and refuses a ratio above e^ε', async () => {
    const { implementedEpsilonOf: implementedEpsilonFromIntegers } = await import('../src/exact/epsilon.ts');
    // 3/1 < e^1.1: reported as log 3 rounded up.
    const e = implementedEpsilonFromIntegers({ num: 3n, den: 1n }, 1.1);
    expect(e).toBeGreaterThanOrEqual(Math.log(3));
    expect(e).toBeLessThan(Math.log(3) + 1e-11);
    expect(rationalLessOrEqual({ num: 3n, den: 1n }, expUpperBound(e))).toBe(true);
    expect(() => implementedEpsilonFromIntegers({ num: 3n, den: 1n }, 1)).toThrow(RangeError);
  });
});
