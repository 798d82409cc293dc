import { describe, expect, it } from 'vitest';
import { duchiWorstCaseVariance, piecewiseWorstCaseVariance, Z_95 } from '../src/index.ts';
import { EPSILON_STEP, epsilonFor, epsilonForMean, plan, planMean } from '../src/planner.ts';

describe('plan', () => {
  it('GRR at f ≈ 0 matches (e^ε+k−2)/(n(e^ε−1)²); worst case at f = 1 when 1−p−q > 0', () => {
    const k = 5;
    const epsilon = 1;
    const n = 10_000;
    const e = Math.E;
    const result = plan({ mechanism: 'grr', k, epsilon, n });
    const v0 = (e + k - 2) / (n * (e - 1) ** 2);
    expect(result.atZero.standardError).toBeCloseTo(Math.sqrt(v0), 12);
    expect(result.atZero.halfWidth95).toBeCloseTo(Z_95 * Math.sqrt(v0), 12);
    const p = e / (e + k - 1);
    const q = 1 / (e + k - 1);
    expect(result.worstCase.f).toBe(1);
    expect(result.worstCase.standardError ** 2).toBeCloseTo(v0 + (1 - p - q) / (n * (p - q)), 14);
  });

  it('binary RR and SUE have a variance independent of f', () => {
    for (const mechanism of ['binary-rr', 'sue'] as const) {
      const r = plan({ mechanism, k: 2, epsilon: 0.7, n: 500 });
      expect(r.worstCase.standardError).toBeCloseTo(r.atZero.standardError, 12);
    }
    const e = Math.exp(0.7);
    const p = e / (e + 1);
    expect(plan({ mechanism: 'binary-rr', k: 2, epsilon: 0.7, n: 500 }).atZero.standardError ** 2).toBeCloseTo((p * (1 - p)) / (500 * (2 * p - 1) ** 2), 14);
  });

  it('resolves auto through selectMechanism', () => {
    expect(plan({ mechanism: 'auto', k: 4, epsilon: 2, n: 100 }).mechanism).toBe('grr');
    expect(plan({ mechanism: 'auto', k: 400, epsilon: 1, n: 100 }).mechanism).toBe('oue');
    expect(plan({ mechanism: 'auto', k: 400, epsilon: 1, n: 100, maxBits: 40 }).mechanism).toBe('olh');
  });

  it('rejects bad input', () => {
    expect(() => plan({ mechanism: 'grr', k: 5, epsilon: 1, n: 0 })).toThrow(/n/);
    expect(() => plan({ mechanism: 'nope' as never, k: 5, epsilon: 1, n: 10 })).toThrow(/mechanism/);
    expect(() => plan({ mechanism: 'binary-rr', k: 3, epsilon: 1, n: 10 })).toThrow(/k/);
  });
});

describe('epsilonFor', () => {
  it('returns the smallest ε on the 0.01 grid that reaches the half-width', () => {
    for (const [k, n, halfWidth] of [[5, 10_000, 0.03], [50, 100_000, 0.01], [2, 1000, 0.1]] as const) {
      const { epsilon, mechanism, halfWidth95 } = epsilonFor({ k, n, halfWidth });
      expect(halfWidth95).toBeLessThanOrEqual(halfWidth);
      expect(plan({ mechanism, k, epsilon, n }).worstCase.halfWidth95).toBe(halfWidth95);
      const below = Number((epsilon - EPSILON_STEP).toFixed(2));
      expect(plan({ mechanism: 'auto', k, epsilon: below, n }).worstCase.halfWidth95).toBeGreaterThan(halfWidth);
      expect(Math.round(epsilon / EPSILON_STEP) * EPSILON_STEP).toBeCloseTo(epsilon, 12);
    }
  });

  it('basis zero needs no more ε than the worst case', () => {
    const zero = epsilonFor({ k: 20, n: 5000, halfWidth: 0.05, mechanism: 'oue', basis: 'zero' }).epsilon;
    const worst = epsilonFor({ k: 20, n: 5000, halfWidth: 0.05, mechanism: 'oue' }).epsilon;
    expect(zero).toBeLessThanOrEqual(worst);
  });

  it('throws when even ε = 20 cannot reach the target', () => {
    // OUE keeps the true bit with p = 1/2 at any ε: at f = 1 the SE is ≥ √(1/n).
    expect(() => epsilonFor({ k: 5, n: 10, halfWidth: 0.1, mechanism: 'oue' })).toThrow(/halfWidth/);
    expect(() => epsilonFor({ k: 5, n: 10, halfWidth: 1.5 })).toThrow(/halfWidth/);
  });
});

describe('planMean / epsilonForMean', () => {
  it('scales the paper worst case by ((high − low)/2)²', () => {
    const r = planMean({ mechanism: 'piecewise', epsilon: 1, n: 1000, low: 0, high: 10 });
    expect(r.standardError).toBeCloseTo(Math.sqrt((piecewiseWorstCaseVariance(1) * 25) / 1000), 12);
    const d = planMean({ mechanism: 'duchi', epsilon: 1, n: 1000, low: -1, high: 1 });
    expect(d.halfWidth95).toBeCloseTo(Z_95 * Math.sqrt(duchiWorstCaseVariance(1) / 1000), 12);
  });

  it('finds the smallest ε for a half-width of the mean', () => {
    const { epsilon, halfWidth95 } = epsilonForMean({ mechanism: 'hybrid', n: 2000, low: 0, high: 10, halfWidth: 0.5 });
    expect(halfWidth95).toBeLessThanOrEqual(0.5);
    expect(planMean({ mechanism: 'hybrid', n: 2000, low: 0, high: 10, epsilon: Number((epsilon - 0.01).toFixed(2)) }).halfWidth95).toBeGreaterThan(0.5);
  });

  it('rejects bad ranges and mechanisms', () => {
    expect(() => planMean({ mechanism: 'piecewise', epsilon: 1, n: 10, low: 1, high: 1 })).toThrow(/high/);
    expect(() => planMean({ mechanism: 'grr' as never, epsilon: 1, n: 10, low: 0, high: 1 })).toThrow(/mechanism/);
  });
});
