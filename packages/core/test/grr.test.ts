import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GeneralizedRandomizedResponse, RandomSampler, isPrivacyError, seededRandomSource } from '../src/index.ts';

describe('GeneralizedRandomizedResponse', () => {
  it('implements p = e^ε/(e^ε+k−1) to within 2^-32', () => {
    const m = new GeneralizedRandomizedResponse({ k: 5, epsilon: 1 });
    const e = Math.E;
    expect(Math.abs(m.p - e / (e + 4))).toBeLessThan(2 ** -31);
    expect(m.p).toBeLessThanOrEqual(e / (e + 4));
    expect(m.implementedEpsilon).toBeLessThanOrEqual(1);
    expect(m.implementedEpsilon).toBeGreaterThan(1 - 1e-8);
  });

  it.each([
    [{ k: 1, epsilon: 1 }, 'k'],
    [{ k: 2.5, epsilon: 1 }, 'k'],
    [{ k: 4, epsilon: 0 }, 'epsilon'],
    [{ k: 4, epsilon: -1 }, 'epsilon'],
    [{ k: 4, epsilon: Number.NaN }, 'epsilon'],
    [{ k: 4, epsilon: Number.POSITIVE_INFINITY }, 'epsilon'],
    [{ k: 4, epsilon: '1' }, 'epsilon'],
  ])('rejects %o naming %s', (options, parameter) => {
    try {
      new GeneralizedRandomizedResponse(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      expect((error as { path: string }).path).toBe(parameter);
    }
  });

  it('outputs stay in the domain and out-of-domain answers are refused before any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.double({ min: 0.05, max: 8, noNaN: true }), fc.nat(), (k, epsilon, seed) => {
        const m = new GeneralizedRandomizedResponse({ k, epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const y = m.randomize(seed % k, rng);
        expect(Number.isInteger(y) && y >= 0 && y < k).toBe(true);
        expect(m.decodeReport(m.encodeReport(y))).toBe(y);
        expect(() => m.randomize(k, rng)).toThrow(/answer/);
      }),
    );
  });

  it('debiasing the expected counts returns the true frequencies', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 40 }), fc.double({ min: 0.1, max: 6, noNaN: true }), (counts, epsilon) => {
        const n = counts.reduce((a, b) => a + b, 0);
        fc.pre(n > 0);
        const m = new GeneralizedRandomizedResponse({ k: counts.length, epsilon });
        const sums = [n, ...counts.map((c) => c * m.p + (n - c) * m.q)];
        const estimate = m.estimate(sums);
        counts.forEach((c, v) => expect(estimate.values[v]).toBeCloseTo(c / n, 9));
      }),
    );
  });
});
