import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomSampler, SymmetricUnaryEncoding, isPrivacyError, seededRandomSource } from '../src/index.ts';
import { checkUnaryEncoding } from './helpers/unary-cases.ts';

describe('SymmetricUnaryEncoding', () => {
  it('implements p = e^{ε/2}/(e^{ε/2}+1) and q = 1 − p exactly, rounded toward privacy', () => {
    const m = new SymmetricUnaryEncoding({ k: 8, epsilon: 2 });
    expect(m.p + m.q).toBe(1);
    expect(m.p).toBeLessThanOrEqual(Math.E / (Math.E + 1));
    expect(Math.E / (Math.E + 1) - m.p).toBeLessThan(2 ** -31);
    expect(m.implementedEpsilon).toBeLessThanOrEqual(2);
    expect(m.implementedEpsilon).toBeGreaterThan(2 - 1e-8);
    // Respondents: Var = e^{ε/2}/(n(e^{ε/2}−1)²) for every f, since p + q = 1; the population adds f(1−f)/n.
    expect(m.variance(1000, 0.3, 'respondents') / (Math.E / (1000 * (Math.E - 1) ** 2))).toBeCloseTo(1, 7);
    expect(m.variance(1000, 0.3) / (Math.E / (1000 * (Math.E - 1) ** 2) + 0.21 / 1000)).toBeCloseTo(1, 7);
  });

  checkUnaryEncoding((options) => new SymmetricUnaryEncoding(options));

  it('the true bit is kept at rate p (seeded)', () => {
    const m = new SymmetricUnaryEncoding({ k: 4, epsilon: 1 });
    const rng = new RandomSampler(seededRandomSource('sue-rate'));
    let ones = 0;
    const trials = 20_000;
    for (let i = 0; i < trials; i++) ones += (m.randomize(2, rng)[0]! >> 2) & 1;
    expect(Math.abs(ones / trials - m.p)).toBeLessThan(5 * Math.sqrt((m.p * m.q) / trials));
  });

  it('refuses k and ε with the parameter named', () => {
    fc.assert(
      fc.property(fc.constantFrom<[unknown, unknown, string]>([1, 1, 'k'], [70_000, 1, 'k'], [4, 0, 'epsilon'], [4, Number.NaN, 'epsilon'], [4, 21, 'epsilon']), ([k, epsilon, parameter]) => {
        try {
          new SymmetricUnaryEncoding({ k, epsilon } as never);
          expect.unreachable();
        } catch (error) {
          expect(isPrivacyError(error, 'PARAMETER_INVALID') && error.path === parameter).toBe(true);
        }
      }),
    );
  });
});
