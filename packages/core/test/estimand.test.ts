import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BinaryRandomizedResponse,
  checkEstimand,
  DEFAULT_ESTIMAND,
  ESTIMAND_ASSUMPTIONS,
  ESTIMANDS,
  GeneralizedRandomizedResponse,
  pureProtocolEstimate,
  pureProtocolVariance,
  samplingVariance,
} from '../src/index.ts';

describe('estimands', () => {
  it('population is the default; the names are validated at the boundary', () => {
    expect(DEFAULT_ESTIMAND).toBe('population');
    expect(ESTIMANDS).toEqual(['population', 'respondents']);
    expect(checkEstimand(undefined)).toBe('population');
    expect(checkEstimand('respondents')).toBe('respondents');
    for (const bad of ['Population', '', 0, null, {}]) expect(() => checkEstimand(bad)).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID', path: 'estimand' }));
  });

  it('states what the population interval assumes', () => {
    const text = ESTIMAND_ASSUMPTIONS.join(' ');
    expect(text).toMatch(/independent sample from a large population/);
    expect(text).toMatch(/finite-population correction/);
    expect(text).toMatch(/non-response bias/);
  });

  it('pure protocols: π(1−π)/(n(p−q)²) with π = q + f(p−q) equals the respondents’ variance + f(1−f)/n', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (a, b, f, n) => {
        const [q, p] = a < b ? [a, b] : [b, a];
        fc.pre(p - q > 1e-3);
        const population = pureProtocolVariance(n, f, p, q, 'population');
        const pi = q + f * (p - q);
        expect(population).toBeCloseTo((pi * (1 - pi)) / (n * (p - q) ** 2), 10);
        expect(population).toBeCloseTo(pureProtocolVariance(n, f, p, q, 'respondents') + samplingVariance(n, f), 10);
        expect(pureProtocolVariance(n, f, p, q)).toBe(population);
      }),
    );
  });

  it('the plug-in clips f̂ to [0, 1] in the sampling term', () => {
    expect(samplingVariance(100, -0.2)).toBe(0);
    expect(samplingVariance(100, 1.3)).toBe(0);
    expect(samplingVariance(100, 0.5)).toBe(0.0025);
    expect(samplingVariance(100, 0.5, 'respondents')).toBe(0);
    // Sums whose estimate falls outside [0, 1] get the clipped (f = 0 or 1) variance, where the two agree.
    const m = new GeneralizedRandomizedResponse({ k: 3, epsilon: 2 });
    const sums = [100, 0, 30, 70];
    const population = pureProtocolEstimate(sums, 3, m.p, m.q);
    const respondents = pureProtocolEstimate(sums, 3, m.p, m.q, 'respondents');
    expect(population.values[0]).toBeLessThan(0);
    expect(population.standardErrors[0]).toBe(respondents.standardErrors[0]);
    expect(population.standardErrors[2]).toBeGreaterThan(respondents.standardErrors[2]!);
  });

  it('an oracle’s estimate uses the estimand asked for', () => {
    const m = new BinaryRandomizedResponse({ epsilon: 2 });
    const sums = [1000, 500, 500];
    const population = m.estimate(sums);
    const respondents = m.estimate(sums, 'respondents');
    expect(population.values).toEqual(respondents.values);
    expect(population.standardErrors[1]! ** 2).toBeCloseTo(respondents.standardErrors[1]! ** 2 + 0.25 / 1000, 15);
    expect(population.standardErrors[1]!).toBeCloseTo(Math.sqrt(m.variance(1000, 0.5)), 15);
  });
});
