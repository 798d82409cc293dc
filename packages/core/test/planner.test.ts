import { describe, expect, it } from 'vitest';
import {
  addToSums,
  DuchiMechanism,
  duchiWorstCaseVariance,
  HybridMechanism,
  PiecewiseMechanism,
  piecewiseVariance,
  piecewiseWorstCaseVariance,
  RandomSampler,
  seededRandomSource,
  Z_95,
  type NumericMechanism,
  type NumericMechanismName,
} from '../src/index.ts';
import { EPSILON_STEP, epsilonFor, epsilonForMean, plan, planMean, pureParameters, worstFrequency } from '../src/planner.ts';

describe('plan', () => {
  it('issue 14 check: n = 1,000, ε = 2, yes/no → ±4.07 points in the worst case (population, f = 1/2); ±2.64 for the respondents', () => {
    const population = plan({ mechanism: 'binary-rr', k: 2, epsilon: 2, n: 1000 });
    expect(population.estimand).toBe('population');
    expect(population.worstCase.f).toBe(0.5);
    expect(Number((population.worstCase.halfWidth95 * 100).toFixed(2))).toBe(4.07);
    const e = Math.exp(2);
    const gap = (e - 1) / (e + 1);
    expect(population.worstCase.standardError ** 2).toBeCloseTo(1 / (4 * 1000 * gap * gap), 15);
    const respondents = plan({ mechanism: 'binary-rr', k: 2, epsilon: 2, n: 1000, estimand: 'respondents' });
    expect(Number((respondents.worstCase.halfWidth95 * 100).toFixed(2))).toBe(2.64);
    // Both estimands agree at f = 0, where sampling adds nothing.
    expect(population.atZero).toEqual(respondents.atZero);
  });

  it('GRR k = 4, ε = 2: the population worst case is at f ≈ 0.66, the maximum over a fine grid of f', () => {
    const result = plan({ mechanism: 'grr', k: 4, epsilon: 2, n: 1000 });
    expect(result.worstCase.f).toBeCloseTo(0.66, 2);
    const { p, q } = pureParameters('grr', 4, 2);
    expect(result.worstCase.f).toBeCloseTo((0.5 - q) / (p - q), 15);
    let gridMax = 0;
    for (let i = 0; i <= 1000; i++) gridMax = Math.max(gridMax, plan({ mechanism: 'grr', k: 4, epsilon: 2, n: 1000, share: i / 1000 }).atShare!.standardError);
    expect(result.worstCase.standardError).toBeGreaterThanOrEqual(gridMax);
    expect(result.worstCase.standardError / gridMax).toBeLessThan(1 + 1e-6);
    // π(1 − π) at π = 1/2: 1/(4n(p − q)²).
    expect(result.worstCase.standardError ** 2).toBeCloseTo(1 / (4 * 1000 * (p - q) ** 2), 15);
  });

  it('population worst case: f = 1/2 for yes/no and SUE; f = 1 for OUE, OLH and GRR with p ≤ 1/2 (k = 16, ε = 2)', () => {
    expect(plan({ mechanism: 'sue', k: 8, epsilon: 1.3, n: 500 }).worstCase.f).toBeCloseTo(0.5, 12);
    expect(plan({ mechanism: 'binary-rr', k: 2, epsilon: 0.7, n: 500 }).worstCase.f).toBeCloseTo(0.5, 12);
    expect(plan({ mechanism: 'oue', k: 8, epsilon: 2, n: 500 }).worstCase.f).toBe(1);
    expect(pureParameters('grr', 16, 2).p).toBeLessThanOrEqual(0.5);
    expect(plan({ mechanism: 'grr', k: 16, epsilon: 2, n: 500 }).worstCase.f).toBe(1);
    for (const epsilon of [0.5, 1, 3, 5]) {
      const { p, q } = pureParameters('olh', 50, epsilon);
      // OLH's g = round(e^ε + 1) makes p* ≤ 1/2 whenever it rounds up; f* is then 1, else just below it.
      expect(worstFrequency(p, q)).toBe(p <= 0.5 ? 1 : Math.min(1, (0.5 - q) / (p - q)));
      expect(plan({ mechanism: 'olh', k: 50, epsilon, n: 500 }).worstCase.f).toBeGreaterThan(0.95);
    }
  });

  it('population variance = respondents variance + f(1−f)/n at any share, for every frequency mechanism', () => {
    for (const mechanism of ['binary-rr', 'grr', 'sue', 'oue', 'olh', 'hadamard'] as const) {
      const k = mechanism === 'binary-rr' ? 2 : 6;
      for (const share of [0, 0.1, 0.37, 0.5, 0.9, 1]) {
        const population = plan({ mechanism, k, epsilon: 1.5, n: 700, share }).atShare!;
        const respondents = plan({ mechanism, k, epsilon: 1.5, n: 700, share, estimand: 'respondents' }).atShare!;
        expect(population.standardError ** 2).toBeCloseTo(respondents.standardError ** 2 + (share * (1 - share)) / 700, 15);
      }
    }
    // Two-level forms use their chained P, Q the same way.
    const lgrr = plan({ mechanism: 'l-grr', k: 2, epsilon: 1, epsilonPermanent: 2, n: 400, share: 0.3 });
    const lgrrR = plan({ mechanism: 'l-grr', k: 2, epsilon: 1, epsilonPermanent: 2, n: 400, share: 0.3, estimand: 'respondents' });
    expect(lgrr.atShare!.standardError ** 2).toBeCloseTo(lgrrR.atShare!.standardError ** 2 + 0.21 / 400, 15);
  });

  it('GRR at f ≈ 0 matches (e^ε+k−2)/(n(e^ε−1)²); the respondents worst case is at f = 1 when 1−p−q > 0', () => {
    const k = 5;
    const epsilon = 1;
    const n = 10_000;
    const e = Math.E;
    const result = plan({ mechanism: 'grr', k, epsilon, n, estimand: 'respondents' });
    const v0 = (e + k - 2) / (n * (e - 1) ** 2);
    expect(result.atZero.standardError).toBeCloseTo(Math.sqrt(v0), 12);
    expect(result.atZero.halfWidth95).toBeCloseTo(Z_95 * Math.sqrt(v0), 12);
    const p = e / (e + k - 1);
    const q = 1 / (e + k - 1);
    expect(result.worstCase.f).toBe(1);
    expect(result.worstCase.standardError ** 2).toBeCloseTo(v0 + (1 - p - q) / (n * (p - q)), 14);
  });

  it('for the respondents, binary RR and SUE have a variance independent of f', () => {
    for (const mechanism of ['binary-rr', 'sue'] as const) {
      const r = plan({ mechanism, k: 2, epsilon: 0.7, n: 500, estimand: 'respondents' });
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
    expect(() => plan({ mechanism: 'grr', k: 5, epsilon: 1, n: 10, estimand: 'everyone' as never })).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID', path: 'estimand' }));
    expect(() => plan({ mechanism: 'grr', k: 5, epsilon: 1, n: 10, share: 1.5 })).toThrow(/share/);
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

  it('the population needs at least the ε the respondents need', () => {
    const population = epsilonFor({ k: 2, n: 1000, halfWidth: 0.05, mechanism: 'binary-rr' });
    const respondents = epsilonFor({ k: 2, n: 1000, halfWidth: 0.05, mechanism: 'binary-rr', estimand: 'respondents' });
    expect(population.epsilon).toBeGreaterThan(respondents.epsilon);
    expect(plan({ mechanism: 'binary-rr', k: 2, epsilon: population.epsilon, n: 1000 }).worstCase.halfWidth95).toBe(population.halfWidth95);
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
  it('scales the paper worst case by ((high − low)/2)²: for the respondents max V(t), for the population max V(t) + t²', () => {
    const r = planMean({ mechanism: 'piecewise', epsilon: 1, n: 1000, low: 0, high: 10, estimand: 'respondents' });
    expect(r.standardError).toBeCloseTo(Math.sqrt((piecewiseWorstCaseVariance(1) * 25) / 1000), 12);
    const p = planMean({ mechanism: 'piecewise', epsilon: 1, n: 1000, low: 0, high: 10 });
    expect(p.estimand).toBe('population');
    expect(p.standardError).toBeCloseTo(Math.sqrt(((piecewiseVariance(1, 1) + 1) * 25) / 1000), 12);
    // Duchi: V(t) + t² = C² for every t, so both estimands plan the same.
    for (const estimand of ['population', 'respondents'] as const) {
      const d = planMean({ mechanism: 'duchi', epsilon: 1, n: 1000, low: -1, high: 1, estimand });
      expect(d.halfWidth95).toBeCloseTo(Z_95 * Math.sqrt(duchiWorstCaseVariance(1) / 1000), 12);
    }
  });

  // The collector's SE of a mean is the empirical one (numeric.ts), which includes the spread of
  // the answers; planMean's default must be what it reports in the worst case — answers split
  // between the ends of the range (Piecewise, Hybrid above ε*; Duchi too, where every t is worst).
  it.each([
    ['piecewise', 1],
    ['piecewise', 3],
    ['hybrid', 2],
    ['duchi', 1],
  ] as const)('agrees with the empirical SE of %s at ε = %s on the worst population (within 3%)', (name, epsilon) => {
    const classes: Record<NumericMechanismName, new (o: { epsilon: number; low: number; high: number }) => NumericMechanism> = { piecewise: PiecewiseMechanism, hybrid: HybridMechanism, duchi: DuchiMechanism };
    const m = new classes[name]({ epsilon, low: 0, high: 10 });
    const rng = new RandomSampler(seededRandomSource(`planMean/${name}/${epsilon}`));
    const n = 20_000;
    const sums = new Float64Array(m.sumsLength);
    for (let i = 0; i < n; i++) addToSums(m, m.randomize(i % 2 === 0 ? 0 : 10, rng), sums);
    const reported = m.estimate(sums).standardError;
    const planned = planMean({ mechanism: name, epsilon, n, low: 0, high: 10 }).standardError;
    expect(reported / planned).toBeGreaterThan(0.97);
    expect(reported / planned).toBeLessThan(1.03);
    // The respondents' worst case leaves the answers' spread out: too small except for Duchi.
    const respondents = planMean({ mechanism: name, epsilon, n, low: 0, high: 10, estimand: 'respondents' }).standardError;
    if (name !== 'duchi') expect(reported / respondents).toBeGreaterThan(1.05);
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
