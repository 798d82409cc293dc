/**
 * Exactness: with BigInt arithmetic only, the worst-case ratio of any output's probability under
 * two inputs, computed from each mechanism's integer thresholds, is ≤ a rational upper bound of
 * e^ε — for every categorical mechanism over a grid of k and ε. Also: implementedEpsilon is an
 * honest (upper) statement: e^implementedEpsilon ≥ that ratio.
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
import { Rappor } from '../src/index.ts';

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

describe('RAPPOR is ε₁-LDP per report and ε∞ over its permanent response, exactly', () => {
  // With f′ = F/2^s, p′ = P/2^32, q′ = Q/2^32 (the integer thresholds), per Bloom bit
  //   p₁ = Pr[IRR 1 | Bloom 0] = (P(2^(s+1) − F) + Q·F) / 2^(33+s),  q₁ = (Q(2^(s+1) − F) + P·F) / 2^(33+s),
  // and two values differ in ≤ 2h Bloom bits, so the worst report ratio is (q₁(1−p₁)/(p₁(1−q₁)))^h
  // and the worst PRR ratio ((1 − f′/2)/(f′/2))^(2h) = ((2^(s+1) − F)/F)^(2h) (Erlingsson et al. 2014).
  const cases: Array<['google-py' | 'hardened-v1', number, number, number, number, number]> = [];
  for (const mode of ['google-py', 'hardened-v1'] as const) {
    for (const f of [0.1, 0.3, 0.5, 0.75, 0.99]) {
      for (const [p, q] of [[0.5, 0.75], [0.25, 0.75], [0, 1], [0.1, 0.11], [1 / 3, 2 / 3]] as const) {
        for (const h of [1, 2, 4]) cases.push([mode, 16, h, f, p, q]);
      }
    }
  }
  it.each(cases)('%s k=%i h=%i f=%s p=%s q=%s', (mode, k, h, f, p, q) => {
    const r = new Rappor({ k, h, m: 4, f, p, q, mode, metricId: 'exactness' });
    const F = BigInt(r.fThreshold);
    const twoS = 2n << BigInt(r.fBits);
    const P = BigInt(r.pThreshold);
    const Q = BigInt(r.qThreshold);
    const D = twoS * ONE;
    const p1 = P * (twoS - F) + Q * F;
    const q1 = Q * (twoS - F) + P * F;
    const perBit: Rational = { num: q1 * (D - p1), den: p1 * (D - q1) };
    const H = BigInt(h);
    const report: Rational = { num: perBit.num ** H, den: perBit.den ** H };
    assertWithinEpsilon(report, r.epsilon, r.implementedEpsilon);
    const permanent: Rational = { num: (twoS - F) ** (2n * H), den: F ** (2n * H) };
    expect(rationalLessOrEqual(permanent, expUpperBound(r.permanentEpsilon))).toBe(true);
    // Rounding toward privacy: the nominal ε∞ from f as given is never below the implemented one.
    expect(r.permanentEpsilon).toBeLessThanOrEqual(2 * h * Math.log((1 - f / 2) / (f / 2)) * (1 + 1e-12) + 1e-300);
  });
});
