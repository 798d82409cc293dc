import { describe, expect, it } from 'vitest';
import { shuffleAmplifiedEpsilon, shuffleMaxLocalEpsilon } from '../src/shuffle.ts';

// Hand-computed (Python 3, math module) from Feldman–McMillan–Talwar 2021 Thm 3.1:
// log(1 + (e^ε₀−1)/(e^ε₀+1)·(8√(e^ε₀·log(4/δ))/√n + 8e^ε₀/n)), then rounded up to 10^-6.
describe('shuffleAmplifiedEpsilon', () => {
  it.each([
    [1, 100_000, 1e-6, 0.072555], // raw 0.0725549248870
    [2, 1_000_000, 1e-8, 0.071161], // raw 0.0711604053040
    [0.5, 10_000, 1e-5, 0.086803], // raw 0.0868024246044
  ])('ε₀=%f n=%i δ=%f → %f', (epsilon0, n, delta, expected) => {
    const r = shuffleAmplifiedEpsilon({ epsilon0, n, delta });
    expect(r.applicable).toBe(true);
    if (r.applicable) expect(r.epsilon).toBe(expected);
  });

  it('validity limit log(n/(16·log(2/δ)))', () => {
    expect(shuffleMaxLocalEpsilon(100_000, 1e-6)).toBeCloseTo(6.065591186073028, 12);
    const r = shuffleAmplifiedEpsilon({ epsilon0: 6.1, n: 100_000, delta: 1e-6 });
    expect(r.applicable).toBe(false);
    if (!r.applicable) expect(r.reason).toMatch(/exceeds/);
    const small = shuffleAmplifiedEpsilon({ epsilon0: 1, n: 100, delta: 1e-6 });
    expect(small.applicable).toBe(false);
    if (!small.applicable) expect(small.reason).toMatch(/too small/);
  });

  it('never reports more than ε₀ and decreases with n', () => {
    let previous = Infinity;
    for (const n of [10_000, 100_000, 1_000_000, 10_000_000]) {
      const r = shuffleAmplifiedEpsilon({ epsilon0: 2, n, delta: 1e-6 });
      if (!r.applicable) throw new Error(r.reason);
      expect(r.epsilon).toBeLessThanOrEqual(2);
      expect(r.epsilon).toBeLessThan(previous);
      previous = r.epsilon;
    }
  });

  it('rejects bad parameters', () => {
    expect(() => shuffleAmplifiedEpsilon({ epsilon0: 1, n: 1000, delta: 0 })).toThrow(/delta/);
    expect(() => shuffleAmplifiedEpsilon({ epsilon0: Number.NaN, n: 1000, delta: 1e-6 })).toThrow(/epsilon0/);
    expect(() => shuffleAmplifiedEpsilon({ epsilon0: 1, n: 10.5, delta: 1e-6 })).toThrow(/n/);
  });
});
