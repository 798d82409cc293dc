/**
 * Exactness: with BigInt arithmetic only, the worst-case ratio of any output's probability under
 * two inputs, computed from each mechanism's integer thresholds, is ≤ a rational upper bound of
 * e^ε — for every categorical mechanism over a grid of k and ε. Also: implementedEpsilon is an
 * honest (upper) statement: e^implementedEpsilon ≥ that ratio. RAPPOR's ε₁ and ε∞ (Google's f, p, q
 * rather than an ε asked for) are checked the same way in rappor-exactness.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BinaryRandomizedResponse,
  GeneralizedRandomizedResponse,
  HadamardResponse,
  OptimizedLocalHashing,
  OptimizedUnaryEncoding,
  SymmetricUnaryEncoding,
  expLowerBound, expUpperBound, rationalLessOrEqual, type Rational } from '../src/index.ts';

const ONE = 1n << 32n;
const K_GRID = [2, 3, 4, 7, 16, 64, 100, 256, 1000, 1024];
const EPSILON_GRID = [0.1, 0.25, 0.5, 1, Math.LN2, 2, 3, 4, 5, 6, 8];

/** Worst ratio of GRR: max over outputs of Pr[y|v]/Pr[y|v'] = p* ÷ q* = T(k−1)/(2^32−T). */
function grrWorstRatio(keepThreshold: number, k: number): Rational {
  const t = BigInt(keepThreshold);
  return { num: t * BigInt(k - 1), den: ONE - t };
}

function assertWithinEpsilon(ratio: Rational, epsilon: number, implementedEpsilon: number): void {
  expect(ratio.den > 0n).toBe(true);
  expect(rationalLessOrEqual(ratio, expUpperBound(epsilon))).toBe(true);
  // implementedEpsilon must really bound the ratio: ratio ≤ e^implemented, checked against a
  // rational LOWER bound of e^implemented so that no rounding of exp can hide an understatement.
  expect(rationalLessOrEqual(ratio, expLowerBound(implementedEpsilon))).toBe(true);
  expect(implementedEpsilon).toBeLessThanOrEqual(epsilon);
}

describe('exact rational bounds of e^x', () => {
  it('bracket Math.exp and are tight', () => {
    for (const x of [0, 1e-9, 0.1, 0.5, 1, 2, 5, 8, 20]) {
      const lo = expLowerBound(x);
      const hi = expUpperBound(x);
      expect(rationalLessOrEqual(lo, hi)).toBe(true);
      const width = Number(((hi.num - lo.num) * 10n ** 30n) / lo.num) / 1e30;
      expect(width).toBeLessThan(1e-30);
      const approx = Number((lo.num * 10n ** 15n) / lo.den) / 1e15;
      expect(Math.abs(approx / Math.exp(x) - 1)).toBeLessThan(1e-12);
    }
  });
});

describe('binary randomized response is ε-LDP exactly', () => {
  it.each(EPSILON_GRID)('ε = %s', (epsilon) => {
    const m = new BinaryRandomizedResponse({ epsilon });
    assertWithinEpsilon(grrWorstRatio(m.keepThreshold, 2), epsilon, m.implementedEpsilon);
  });
});

describe('generalized randomized response is ε-LDP exactly', () => {
  for (const k of K_GRID) {
    it.each(EPSILON_GRID)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = new GeneralizedRandomizedResponse({ k, epsilon });
      assertWithinEpsilon(grrWorstRatio(m.keepThreshold, k), epsilon, m.implementedEpsilon);
    });
  }
});

/** max of two positive rationals. */
function maxRational(a: Rational, b: Rational): Rational {
  return rationalLessOrEqual(a, b) ? b : a;
}

/**
 * Unary encodings: inputs v ≠ v' differ only in bits v and v'. With P1 = T1/2^32 (true bit is 1)
 * and P0 = T0/2^32 (other bit is 1), the four joint outcomes of (B_v, B_v') give ratios
 * (P1/P0)((1−P0)/(1−P1)), its inverse, and 1; the worst is the larger of the first two.
 */
function unaryWorstRatioExact(trueBit: number, otherBit: number): Rational {
  const t1 = BigInt(trueBit);
  const t0 = BigInt(otherBit);
  const a = { num: t1 * (ONE - t0), den: t0 * (ONE - t1) };
  return maxRational(a, { num: a.den, den: a.num });
}

describe('symmetric unary encoding (SUE) is ε-LDP exactly', () => {
  for (const k of K_GRID) {
    it.each(EPSILON_GRID)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = new SymmetricUnaryEncoding({ k, epsilon });
      expect(m.trueBitThreshold + m.otherBitThreshold).toBe(2 ** 32);
      assertWithinEpsilon(unaryWorstRatioExact(m.trueBitThreshold, m.otherBitThreshold), epsilon, m.implementedEpsilon);
    });
  }
});

describe('optimized unary encoding (OUE) is ε-LDP exactly', () => {
  for (const k of K_GRID) {
    it.each(EPSILON_GRID)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = new OptimizedUnaryEncoding({ k, epsilon });
      expect(m.trueBitThreshold).toBe(2 ** 31);
      assertWithinEpsilon(unaryWorstRatioExact(m.trueBitThreshold, m.otherBitThreshold), epsilon, m.implementedEpsilon);
    });
  }
});

describe('optimized local hashing (OLH) is ε-LDP exactly', () => {
  // For a fixed public seed the report is GRR over [g] applied to H_seed(v): worst ratio T(g−1)/(2^32−T),
  // whatever the hash (if H_seed(v) = H_seed(v') the ratio is 1).
  for (const k of K_GRID) {
    it.each(EPSILON_GRID)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = new OptimizedLocalHashing({ k, epsilon });
      const ratio = grrWorstRatio(m.keepThreshold, m.g);
      // GRR over [g]'s other direction, q*/p*, is < 1 whenever p* > q*; check it anyway.
      assertWithinEpsilon(maxRational(ratio, { num: ratio.den, den: ratio.num }), epsilon, m.implementedEpsilon);
    });
  }
});

describe('Hadamard response is ε-LDP exactly', () => {
  // Pr[y|x] = 2T/(K·2^32) on C_x and 2(2^32−T)/(K·2^32) off it: worst ratio T/(2^32−T) (or its inverse).
  for (const k of K_GRID) {
    it.each(EPSILON_GRID)(`k = ${k}, ε = %s`, (epsilon) => {
      const m = new HadamardResponse({ k, epsilon });
      const t = BigInt(m.inSetThreshold);
      const ratio = { num: t, den: ONE - t };
      assertWithinEpsilon(maxRational(ratio, { num: ratio.den, den: ratio.num }), epsilon, m.implementedEpsilon);
    });
  }
});
