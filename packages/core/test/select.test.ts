import { describe, expect, it } from 'vitest';
import { BinaryRandomizedResponse, GeneralizedRandomizedResponse } from '../src/index.ts';
import { OptimizedUnaryEncoding } from '../src/mechanisms/oue.ts';
import { SymmetricUnaryEncoding } from '../src/mechanisms/sue.ts';
import { OptimizedLocalHashing } from '../src/mechanisms/olh.ts';
import { HadamardResponse } from '../src/mechanisms/hadamard.ts';
import { pureParameters } from '../src/planner.ts';
import { scoreMechanism, scoreMechanisms, selectMechanism, SELECTION_ORDER } from '../src/select.ts';

// Variance formulas at f ≈ 0 from the published formulas (Wang et al. 2017; n = 1), written out independently of select.ts.
const formula = {
  grr: (k: number, e: number) => (Math.exp(e) + k - 2) / Math.expm1(e) ** 2,
  sue: (_k: number, e: number) => Math.exp(e / 2) / Math.expm1(e / 2) ** 2,
  oue: (_k: number, e: number) => (4 * Math.exp(e)) / Math.expm1(e) ** 2,
};

describe('selectMechanism', () => {
  it.each([
    // [k, ε, expected] — GRR when k − 2 < 3e^ε (Wang et al. 2017 §4.4), else OUE (OLH is a near-tie, ≥ OUE for integer g).
    [2, 1, 'grr'],
    [4, 0.5, 'grr'],
    [10, 1, 'grr'], // 8 < 3e = 8.15
    [11, 1, 'oue'], // 9 > 8.15
    [10, 0.5, 'oue'], // 8 > 3e^0.5 = 4.95
    [100, 4, 'grr'], // 98 < 3e^4 = 163.8
    [200, 4, 'oue'],
    [1024, 2, 'oue'],
    [65_536, 0.1, 'oue'],
  ] as const)('k=%i ε=%f → %s', (k, epsilon, expected) => {
    expect(selectMechanism(k, epsilon)).toBe(expected);
  });

  it('agrees with the GRR-vs-OUE formula comparison over a grid', () => {
    for (const k of [2, 3, 5, 8, 16, 33, 100, 1000]) {
      for (const epsilon of [0.1, 0.5, 1, 2, 3, 5, 8]) {
        const grrWins = formula.grr(k, epsilon) <= formula.oue(k, epsilon) * (1 + 1e-9);
        expect(selectMechanism(k, epsilon), `k=${k} ε=${epsilon}`).toBe(grrWins ? 'grr' : 'oue');
      }
    }
  });

  it('scores match the published variance formulas and the pure-protocol variance of the closed-form p, q', () => {
    for (const k of [2, 7, 64, 1000]) {
      for (const epsilon of [0.2, 1, 4]) {
        for (const name of ['grr', 'sue', 'oue'] as const) expect(scoreMechanism(name, k, epsilon).unitVariance).toBeCloseTo(formula[name](k, epsilon), 9);
        for (const name of SELECTION_ORDER) {
          const { p, q } = pureParameters(name, k, epsilon);
          expect(scoreMechanism(name, k, epsilon).unitVariance / ((q * (1 - q)) / (p - q) ** 2)).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('scores agree with the implemented mechanisms’ variance (within their 2^-32 rounding)', () => {
    for (const [k, epsilon] of [[5, 1], [50, 2], [500, 0.5]] as const) {
      const pairs = [
        ['grr', new GeneralizedRandomizedResponse({ k, epsilon })],
        ['oue', new OptimizedUnaryEncoding({ k, epsilon })],
        ['sue', new SymmetricUnaryEncoding({ k, epsilon })],
        ['olh', new OptimizedLocalHashing({ k, epsilon })],
        ['hadamard', new HadamardResponse({ k, epsilon })],
      ] as const;
      for (const [name, m] of pairs) {
        expect(m.variance(1, 0) / scoreMechanism(name, k, epsilon).unitVariance).toBeCloseTo(1, 6);
        expect(m.reportBits).toBe(scoreMechanism(name, k, epsilon).reportBits);
      }
    }
    expect(new BinaryRandomizedResponse({ epsilon: 1 }).variance(1)).toBeCloseTo(formula.grr(2, 1), 6);
  });

  it('honours the bandwidth limit', () => {
    // k = 1000, ε = 1: OUE wins on variance but takes 1000 bits; OLH fits in 34 bits.
    expect(selectMechanism(1000, 1)).toBe('oue');
    expect(selectMechanism(1000, 1, { maxBits: 64 })).toBe('olh');
    // Only GRR and Hadamard (10 bits each: K = 1024) fit in 10 bits; Hadamard has lower variance here.
    expect(selectMechanism(1000, 1, { maxBits: 10 })).toBe('hadamard');
    expect(selectMechanism(1000, 8, { maxBits: 10 })).toBe('grr'); // large ε: GRR's (e^ε+k−2)/(e^ε−1)² ≪ 1
    expect(() => selectMechanism(1000, 1, { maxBits: 9 })).toThrow(/maxBits/);
    expect(() => selectMechanism(1000, 1, { maxBits: 2 })).toThrow(/maxBits/);
    // 511 values: GRR needs 9 bits, Hadamard 9 (K = 512).
    expect(selectMechanism(511, 1, { maxBits: 9 })).toBe('hadamard');
    for (const s of scoreMechanisms(1000, 1)) expect(s.reportBits).toBeGreaterThan(0);
  });

  it('rejects bad parameters with a named error', () => {
    expect(() => selectMechanism(1, 1)).toThrow(/k/);
    expect(() => selectMechanism(10, Number.NaN)).toThrow(/epsilon/);
    expect(() => selectMechanism(10, 0)).toThrow(/epsilon/);
    expect(() => selectMechanism(10, 1, { maxBits: 1.5 })).toThrow(/maxBits/);
  });
});
