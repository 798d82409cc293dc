import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomSampler, OptimizedUnaryEncoding, isPrivacyError, seededRandomSource } from '../src/index.ts';
import { checkUnaryEncoding } from './helpers/unary-cases.ts';

describe('OptimizedUnaryEncoding', () => {
  it('implements p = 1/2 exactly and q = 1/(e^ε+1) rounded up', () => {
    const m = new OptimizedUnaryEncoding({ k: 8, epsilon: 2 });
    const e = Math.exp(2);
    expect(m.p).toBe(0.5);
    expect(m.trueBitThreshold).toBe(2 ** 31);
    expect(m.q).toBeGreaterThanOrEqual(1 / (e + 1));
    expect(m.q - 1 / (e + 1)).toBeLessThan(2 ** -31);
    expect(m.implementedEpsilon).toBeLessThanOrEqual(2);
    expect(m.implementedEpsilon).toBeGreaterThan(2 - 1e-8);
    // Wang et al. 2017: Var ≈ 4e^ε/(n(e^ε−1)²) at f = 0.
    expect(m.variance(1000) / ((4 * e) / (1000 * (e - 1) ** 2))).toBeCloseTo(1, 7);
  });

  checkUnaryEncoding((options) => new OptimizedUnaryEncoding(options));

  it('the true bit is kept at rate p (seeded)', () => {
    const m = new OptimizedUnaryEncoding({ k: 4, epsilon: 1 });
    const rng = new RandomSampler(seededRandomSource('oue-rate'));
    let ones = 0;
    const trials = 20_000;
    for (let i = 0; i < trials; i++) ones += (m.randomize(2, rng)[0]! >> 2) & 1;
    expect(Math.abs(ones / trials - m.p)).toBeLessThan(5 * Math.sqrt((m.p * m.q) / trials));
  });

  it('refuses k and ε with the parameter named', () => {
    fc.assert(
      fc.property(fc.constantFrom<[unknown, unknown, string]>([1, 1, 'k'], [70_000, 1, 'k'], [4, 0, 'epsilon'], [4, Number.NaN, 'epsilon'], [4, 21, 'epsilon']), ([k, epsilon, parameter]) => {
        try {
          new OptimizedUnaryEncoding({ k, epsilon } as never);
          expect.unreachable();
        } catch (error) {
          expect(isPrivacyError(error, 'PARAMETER_INVALID') && error.path === parameter).toBe(true);
        }
      }),
    );
  });
});
