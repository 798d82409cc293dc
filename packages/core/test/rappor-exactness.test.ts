/**
 * RAPPOR exactness, in BigInt arithmetic only (as test/exactness.test.ts does for the other
 * mechanisms), over a grid of (mode, k, h, f, p, q):
 *  - ε∞ (`permanentEpsilon`): the worst PRR ratio of two values is ≤ e^ε∞;
 *  - ε₁ (`implementedEpsilon`): the worst ratio of one report (Bloom → PRR → IRR) is ≤ e^ε₁;
 *  - both figures are never understated: the exact ratio is compared with a rational LOWER bound of
 *    e^figure, so no rounding of exp can hide an understatement;
 *  - rounding goes toward privacy: the exact implemented ratios are ≤ the exact ratios of the
 *    parameters as given (f, p, q read as the dyadic rationals they are).
 * For small k the closed forms are themselves checked against brute force over every pair of Bloom
 * filters and every output, so the test does not merely restate the formula the code uses.
 *
 * README (Google's naming, implemented f′ = F/2^s, p′ = P/2^32, q′ = Q/2^32, S = 2^(s+1),
 * D = S·2^32): per Bloom bit
 *   q₁ = Pr[IRR 1 | Bloom 1] = (Q(S − F) + P·F)/D,   p₁ = Pr[IRR 1 | Bloom 0] = (P(S − F) + Q·F)/D,
 * two values' Bloom filters differ in ≤ h bits each way, so the worst one-report ratio is
 * (q₁(D − p₁)/(p₁(D − q₁)))^h = e^ε₁ and the worst PRR ratio ((S − F)/F)^(2h) = e^ε∞
 * (Erlingsson, Pihur, Korolova 2014, §4).
 */
import { describe, expect, it } from 'vitest';
import { doubleToRational, expLowerBound, expUpperBound, Rappor, rationalLessOrEqual, type Rational, type RapporMode } from '../src/index.ts';
import { GOOGLE_PY_F_BITS, GOOGLE_PY_MAX_BITS, GOOGLE_PY_MAX_HASHES, HARDENED_F_BITS, HARDENED_MAX_HASHES } from '../src/mechanisms/rappor-bloom.ts';

const ONE = 1n << 32n;

interface Thresholds {
  /** 2^(s+1): f′/2 = F/S. */
  S: bigint;
  F: bigint;
  P: bigint;
  Q: bigint;
}

function thresholdsOf(r: Rappor): Thresholds {
  return { S: 2n << BigInt(r.fBits), F: BigInt(r.fThreshold), P: BigInt(r.pThreshold), Q: BigInt(r.qThreshold) };
}

/** Numerators over D = S·2^32 of q₁ = Pr[IRR 1 | Bloom 1] and p₁ = Pr[IRR 1 | Bloom 0]. */
function reportBitNumerators({ S, F, P, Q }: Thresholds): { D: bigint; p1: bigint; q1: bigint } {
  return { D: S * ONE, p1: P * (S - F) + Q * F, q1: Q * (S - F) + P * F };
}

/**
 * Rational bounds of e^x for x ≥ 0 beyond expLowerBound/expUpperBound's [0, 64] (h up to 64 puts ε∞
 * in the hundreds): e^x = (e^(x/2^j))^(2^j), and x/2^j is exact for a double.
 */
function expBound(x: number, direction: 'lower' | 'upper'): Rational {
  let j = 0n;
  while (x / 2 ** Number(j) > 64) j++;
  const base = (direction === 'lower' ? expLowerBound : expUpperBound)(x / 2 ** Number(j));
  return power(base, 1n << j);
}

function power(r: Rational, e: bigint): Rational {
  return { num: r.num ** e, den: r.den ** e };
}

/** e^ε₁ of the implemented thresholds: (q₁(D − p₁)/(p₁(D − q₁)))^h. */
function oneReportRatio(t: Thresholds, h: number): Rational {
  const { D, p1, q1 } = reportBitNumerators(t);
  return power({ num: q1 * (D - p1), den: p1 * (D - q1) }, BigInt(h));
}

/** e^ε∞ of the implemented threshold: ((S − F)/F)^(2h). */
function permanentRatio(t: Thresholds, h: number): Rational {
  return power({ num: t.S - t.F, den: t.F }, 2n * BigInt(h));
}

// Exact rational arithmetic on the parameters as given (doubles are dyadic rationals).
const mul = (a: Rational, b: Rational): Rational => ({ num: a.num * b.num, den: a.den * b.den });
const add = (a: Rational, b: Rational): Rational => ({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });
const oneMinus = (a: Rational): Rational => ({ num: a.den - a.num, den: a.den });
const div = (a: Rational, b: Rational): Rational => ({ num: a.num * b.den, den: a.den * b.num });

/** The same two ratios for f, p, q exactly as given (what rounding must not exceed). */
function nominalRatios(f: number, p: number, q: number, h: number): { report: Rational; permanent: Rational } {
  const halfF = doubleToRational(f / 2); // f/2 is exact in binary
  const keep = oneMinus(halfF);
  const [P, Q] = [doubleToRational(p), doubleToRational(q)];
  const q1 = add(mul(Q, keep), mul(P, halfF));
  const p1 = add(mul(P, keep), mul(Q, halfF));
  const perBit = div(mul(q1, oneMinus(p1)), mul(p1, oneMinus(q1)));
  return { report: power(perBit, BigInt(h)), permanent: power(div(keep, halfF), 2n * BigInt(h)) };
}

/**
 * e^(figure·(1 − 1e-9) − h·1e-14) ≤ ratio: the figure overstates ln(ratio) by no more than rounding.
 */
function isTight(ratio: Rational, figure: number, h: number): boolean {
  const below = figure * (1 - 1e-9) - h * 1e-14;
  return below <= 0 || rationalLessOrEqual(expBound(below, 'upper'), ratio);
}

// f: small, Google's defaults, values that round up on both grids (2^-7, 2^-15), one just below 1.
const F_GRID = [0.01, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.99, 1 - 2 ** -14];
// (p, q): Google's defaults, extremes, non-dyadic (rounded), and tiny gaps q − p, where ε₁ ≪ 1 and a
// float evaluation of q₁(1 − p₁)/(p₁(1 − q₁)) loses most of its relative precision.
const PQ_GRID: Array<[number, number]> = [
  [0.5, 0.75],
  [0.25, 0.75],
  [0, 1],
  [0.1, 0.11],
  [1 / 3, 2 / 3],
  [0.5, 0.5 + 2 ** -24],
  [0.2, 0.2 + 1e-9],
  [0.9, 0.9 + 2 ** -31],
];
const K_H_GRID: Record<RapporMode, Array<[number, number[]]>> = {
  'google-py': [[1, [1]], [8, [1, 2, 4]], [16, [1, 2, 4, 8]], [GOOGLE_PY_MAX_BITS, [1, 2, GOOGLE_PY_MAX_HASHES]]],
  'hardened-v1': [[1, [1]], [16, [1, 2, 4]], [128, [2, 8, 32]], [4096, [1, 4, HARDENED_MAX_HASHES]]],
};

const CASES: Array<[RapporMode, number, number]> = [];
for (const mode of ['google-py', 'hardened-v1'] as const) {
  for (const [k, hs] of K_H_GRID[mode]) for (const h of hs) CASES.push([mode, k, h]);
}

describe('RAPPOR ε₁ and ε∞ are exact statements about the implemented thresholds', () => {
  it.each(CASES)('%s k=%i h=%i over the (f, p, q) grid', (mode, k, h) => {
    let checked = 0;
    for (const f of F_GRID) {
      for (const [p, q] of PQ_GRID) {
        const fBits = mode === 'google-py' ? GOOGLE_PY_F_BITS : HARDENED_F_BITS;
        if (Math.ceil(f * 2 ** fBits) >= 2 ** fBits) {
          // f′ would round to 1 (pure-noise PRR): refused at construction, naming f.
          checked++;
          expect(() => new Rappor({ k, h, m: 4, f, p, q, mode, metricId: 'exactness' }), `f=${f}`).toThrow(/rounds up to 1/);
          continue;
        }
        const r = new Rappor({ k, h, m: 4, f, p, q, mode, metricId: 'exactness' });
        const where = `f=${f} p=${p} q=${q}`;
        const t = thresholdsOf(r);
        const report = oneReportRatio(t, h);
        const permanent = permanentRatio(t, h);
        expect(report.den > 0n && permanent.den > 0n, where).toBe(true);
        // Never understated.
        expect(rationalLessOrEqual(report, expBound(r.implementedEpsilon, 'lower')), `ε₁ understated at ${where}: ${r.implementedEpsilon}`).toBe(true);
        expect(rationalLessOrEqual(permanent, expBound(r.permanentEpsilon, 'lower')), `ε∞ understated at ${where}: ${r.permanentEpsilon}`).toBe(true);
        // One report is a post-processing of the PRR (the IRR), so ε₁ ≤ ε∞ exactly.
        expect(rationalLessOrEqual(report, permanent), where).toBe(true);
        // Rounding toward privacy, exactly.
        const nominal = nominalRatios(f, p, q, h);
        expect(rationalLessOrEqual(report, nominal.report), `ε₁ rounded the wrong way at ${where}`).toBe(true);
        expect(rationalLessOrEqual(permanent, nominal.permanent), `ε∞ rounded the wrong way at ${where}`).toBe(true);
        // And tight: within 1e-9 relative, plus h·1e-14 absolute (the upward rounding of each ratio).
        expect(isTight(report, r.implementedEpsilon, h), `ε₁ loose at ${where}: ${r.implementedEpsilon}`).toBe(true);
        expect(isTight(permanent, r.permanentEpsilon, h), `ε∞ loose at ${where}: ${r.permanentEpsilon}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(F_GRID.length * PQ_GRID.length);
  });
});

/** Pr[one report = y | Bloom filter b] as an integer over D^k: each bit independently q₁ or p₁. */
function reportProbability(t: Thresholds, bloom: number, y: number, k: number): bigint {
  const { D, p1, q1 } = reportBitNumerators(t);
  let numerator = 1n;
  for (let i = 0; i < k; i++) {
    const one = (bloom >> i) & 1 ? q1 : p1;
    numerator *= (y >> i) & 1 ? one : D - one;
  }
  return numerator;
}

/** Pr[PRR = y | Bloom filter b] as an integer over S^k: each bit is kept w.p. (S − F)/S. */
function prrProbability(t: Thresholds, bloom: number, y: number, k: number): bigint {
  let numerator = 1n;
  for (let i = 0; i < k; i++) numerator *= ((bloom ^ y) >> i) & 1 ? t.F : t.S - t.F;
  return numerator;
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

describe('the closed forms are the worst case (brute force, k ≤ 6)', () => {
  // Every Bloom filter with 1 … h bits set (h hashes may collide), every pair, every output.
  const grid: Array<[RapporMode, number, number, number, number, number]> = [
    ['google-py', 4, 1, 0.5, 0.5, 0.75],
    ['google-py', 6, 2, 0.25, 0.25, 0.75],
    ['hardened-v1', 5, 2, 0.1, 1 / 3, 2 / 3],
    ['hardened-v1', 6, 3, 0.75, 0, 1],
  ];
  it.each(grid)('%s k=%i h=%i f=%s p=%s q=%s', (mode, k, h, f, p, q) => {
    const r = new Rappor({ k, h, m: 1, f, p, q, mode, metricId: 'exactness' });
    const t = thresholdsOf(r);
    const blooms = Array.from({ length: 2 ** k }, (_, b) => b).filter((b) => popcount(b) >= 1 && popcount(b) <= h);
    let worstReport: Rational = { num: 1n, den: 1n };
    let worstPrr: Rational = { num: 1n, den: 1n };
    for (const a of blooms) {
      for (const b of blooms) {
        for (let y = 0; y < 2 ** k; y++) {
          const report = { num: reportProbability(t, a, y, k), den: reportProbability(t, b, y, k) };
          if (!rationalLessOrEqual(report, worstReport)) worstReport = report;
          const prr = { num: prrProbability(t, a, y, k), den: prrProbability(t, b, y, k) };
          if (!rationalLessOrEqual(prr, worstPrr)) worstPrr = prr;
        }
      }
    }
    // The worst case equals the closed form (attained by disjoint filters of h bits each)…
    const report = oneReportRatio(t, h);
    const permanent = permanentRatio(t, h);
    expect(rationalLessOrEqual(worstReport, report) && rationalLessOrEqual(report, worstReport)).toBe(true);
    expect(rationalLessOrEqual(worstPrr, permanent) && rationalLessOrEqual(permanent, worstPrr)).toBe(true);
    // …and is covered by the reported figures.
    expect(rationalLessOrEqual(worstReport, expBound(r.implementedEpsilon, 'lower'))).toBe(true);
    expect(rationalLessOrEqual(worstPrr, expBound(r.permanentEpsilon, 'lower'))).toBe(true);
  });
});
