import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { addToSums, GeneralizedRandomizedResponse, OptimizedLocalHashing, PaddingAndSampling, RandomSampler, isPrivacyError, scriptedRandomSource, seededRandomSource } from '../src/index.ts';

describe('PaddingAndSampling', () => {
  it.each([
    [{ k: 1, maxItems: 1, epsilon: 1 }, 'k'],
    [{ k: 10, maxItems: 0, epsilon: 1 }, 'maxItems'],
    [{ k: 10, maxItems: 11, epsilon: 1 }, 'maxItems'],
    [{ k: 10, maxItems: 2.5, epsilon: 1 }, 'maxItems'],
    [{ k: 10, maxItems: '3', epsilon: 1 }, 'maxItems'],
    [{ k: 65_536, maxItems: 1, epsilon: 1 }, 'maxItems'],
    [{ k: 10, maxItems: 3, epsilon: 0 }, 'epsilon'],
    [{ k: 10, maxItems: 3, epsilon: Number.NaN }, 'epsilon'],
    [{ k: 10, maxItems: 3, epsilon: 1, inner: 'oue' }, 'inner'],
  ])('rejects %o naming %s', (options, parameter) => {
    try {
      new PaddingAndSampling(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      expect((error as { path: string }).path).toBe(parameter);
    }
  });

  it('runs GRR over k + L values with the inner oracle’s ε', () => {
    const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon: 2 });
    expect(m.inner).toBeInstanceOf(GeneralizedRandomizedResponse);
    expect(m.inner.k).toBe(11);
    expect(m.implementedEpsilon).toBe(m.inner.implementedEpsilon);
    expect(m.implementedEpsilon).toBeLessThanOrEqual(2);
    expect(m.sumsLength).toBe(12);
  });

  it.each([
    [[1, 1], 'answer.1'],
    [[0, 8], 'answer.1'],
    [[-1], 'answer.0'],
    [[1.5], 'answer.0'],
    [['2'], 'answer.0'],
    [[0, 1, 2, 3], undefined],
    ['0,1', undefined],
    [null, undefined],
  ])('refuses the answer %o before drawing anything', (answer, path) => {
    const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon: 1 });
    const rng = new RandomSampler(scriptedRandomSource([]));
    try {
      m.randomize(answer as never, rng);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'INPUT_INVALID')).toBe(true);
      expect((error as { path?: string }).path).toBe(path);
    }
  });

  it('outputs stay in the inner domain and round-trip the wire format', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.1, max: 8, noNaN: true }),
        fc.nat(),
        fc.uniqueArray(fc.nat({ max: 59 }), { maxLength: 8 }),
        (k, l, epsilon, seed, raw) => {
          const maxItems = Math.min(l, k);
          const items = raw.filter((x) => x < k).slice(0, maxItems);
          const m = new PaddingAndSampling({ k, maxItems, epsilon });
          const rng = new RandomSampler(seededRandomSource(seed));
          const report = m.randomize(items, rng) as number;
          expect(Number.isInteger(report) && report >= 0 && report < k + maxItems).toBe(true);
          expect(m.decodeReport(JSON.parse(JSON.stringify(m.encodeReport(report))))).toBe(report);
        },
      ),
    );
  });

  it('rejects malformed payloads through the inner oracle', () => {
    const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon: 1 });
    for (const payload of [-1, 11, 1.5, 'x', null]) {
      expect(() => m.decodeReport({ payload: payload as never })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
    }
  });

  it('samples every padded slot uniformly: an exact item is reported with probability 1/L before the inner oracle', () => {
    // With ε large the inner GRR almost always keeps the item, so counts show the sampling step.
    const m = new PaddingAndSampling({ k: 5, maxItems: 4, epsilon: 20 });
    const rng = new RandomSampler(seededRandomSource('ps-slots'));
    const counts = new Array<number>(9).fill(0);
    const n = 40_000;
    for (let r = 0; r < n; r++) counts[m.randomize([3, 1], rng) as number]! += 1;
    // Slots: items 3 and 1, dummies 5 and 6 (two missing items). Binomial SD ≈ 87, allow 5 SD.
    for (const v of [3, 1, 5, 6]) expect(Math.abs(counts[v]! - n / 4)).toBeLessThan(450);
    for (const v of [0, 2, 4, 7, 8]) expect(counts[v]).toBeLessThan(5);
  });

  it('debiasing the expected sums returns the true prevalences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0.1, max: 6, noNaN: true }),
        fc.array(fc.uniqueArray(fc.nat({ max: 11 }), { maxLength: 5 }), { minLength: 1, maxLength: 30 }),
        (k, l, epsilon, rawSets) => {
          const maxItems = Math.min(l, k);
          const sets = rawSets.map((s) => s.filter((x) => x < k).slice(0, maxItems));
          const m = new PaddingAndSampling({ k, maxItems, epsilon });
          const grr = m.inner as GeneralizedRandomizedResponse;
          const d = k + maxItems;
          // Expected inner counts: each respondent sends value v with probability
          // q + (p − q)·Pr[v picked], Pr[v picked] = 1/L for each padded slot.
          const sums = new Array<number>(d + 1).fill(0);
          sums[0] = sets.length;
          for (const s of sets) {
            const padded = [...s, ...Array.from({ length: maxItems - s.length }, (_, i) => k + i)];
            for (let v = 0; v < d; v++) sums[v + 1]! += grr.q + (padded.includes(v) ? (grr.p - grr.q) / maxItems : 0);
          }
          const estimate = m.estimate(sums);
          expect(estimate.values).toHaveLength(k);
          for (let x = 0; x < k; x++) {
            const truth = sets.filter((s) => s.includes(x)).length / sets.length;
            expect(estimate.values[x]).toBeCloseTo(truth, 8);
          }
        },
      ),
    );
  });

  it('variance: respondents L²·(inner variance at F/L) + F(L − 1)/n, population L²·π̄(1 − π̄)/(n(p − q)²); the SE uses the one asked for', () => {
    const m = new PaddingAndSampling({ k: 6, maxItems: 3, epsilon: 2 });
    const n = 500;
    expect(m.variance(n, 0, 'respondents')).toBeCloseTo(9 * m.inner.variance(n, 0, 'respondents'), 15);
    expect(m.variance(n, 0.6, 'respondents')).toBeCloseTo(9 * m.inner.variance(n, 0.2, 'respondents') + (0.6 * 2) / n, 15);
    const grr = m.inner as GeneralizedRandomizedResponse;
    // The same from first principles: L²·π̄(1 − π̄)/(n(p − q)²) − F(1 − F)/n for the respondents,
    // without the − F(1 − F)/n for the population (the default).
    const pi = grr.q + (0.6 * (grr.p - grr.q)) / 3;
    expect(m.variance(n, 0.6, 'respondents')).toBeCloseTo((9 * pi * (1 - pi)) / (n * (grr.p - grr.q) ** 2) - (0.6 * 0.4) / n, 12);
    expect(m.variance(n, 0.6)).toBeCloseTo((9 * pi * (1 - pi)) / (n * (grr.p - grr.q) ** 2), 12);
    expect(m.variance(n, 0.6)).toBeCloseTo(9 * m.inner.variance(n, 0.2), 15);
    expect(m.variance(n, 0)).toBe(m.variance(n, 0, 'respondents'));
    const sums = [n, ...Array.from({ length: 9 }, () => n / 9)];
    for (const estimand of ['population', 'respondents'] as const) {
      const estimate = m.estimate(sums, estimand);
      estimate.values.forEach((value, x) => {
        const f = Math.min(1, Math.max(0, value));
        expect(estimate.standardErrors[x]).toBeCloseTo(Math.sqrt(m.variance(n, f, estimand)), 12);
      });
    }
    expect(m.estimate(sums).standardErrors).toEqual(m.estimate(sums, 'population').standardErrors);
    expect(m.estimate(new Array(10).fill(0)).values.every(Number.isNaN)).toBe(true);
  });

  it('inner: olh runs OLH over k + L values, round-trips its [seed, y] payload and debiases expected supports', () => {
    const m = new PaddingAndSampling({ k: 30, maxItems: 4, epsilon: 1.5, inner: 'olh' });
    const olh = m.inner as OptimizedLocalHashing;
    expect(olh).toBeInstanceOf(OptimizedLocalHashing);
    expect(olh.k).toBe(34);
    expect(m.implementedEpsilon).toBe(olh.implementedEpsilon);
    const rng = new RandomSampler(seededRandomSource('ps-olh'));
    for (let r = 0; r < 50; r++) {
      const report = m.randomize([r % 30, (r + 7) % 30], rng);
      expect(m.decodeReport(JSON.parse(JSON.stringify(m.encodeReport(report))))).toEqual(report);
    }
    expect(() => m.decodeReport({ payload: 3 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
    expect(() => m.randomize([30], rng)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    // Expected support counts of a pure protocol: q* + (p* − q*)·Pr[value picked].
    const sets = [[0, 1, 2], [1], [], [2, 29, 5, 6], [1, 2]];
    const sums = new Array<number>(35).fill(0);
    sums[0] = sets.length;
    for (const set of sets) {
      const padded = [...set, ...Array.from({ length: 4 - set.length }, (_, i) => 30 + i)];
      for (let v = 0; v < 34; v++) sums[v + 1]! += olh.q + (padded.includes(v) ? (olh.p - olh.q) / 4 : 0);
    }
    const estimate = m.estimate(sums);
    for (let x = 0; x < 30; x++) expect(estimate.values[x]).toBeCloseTo(sets.filter((s) => s.includes(x)).length / sets.length, 9);
    expect(m.variance(100, 0.3, 'respondents')).toBeCloseTo(16 * olh.variance(100, 0.3 / 4, 'respondents') + (0.3 * 3) / 100, 15);
    expect(m.variance(100, 0.3)).toBeCloseTo(16 * olh.variance(100, 0.3 / 4), 15);
  });

  it('explains itself and never calls Math.random', () => {
    const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random called');
    });
    try {
      const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon: 1 });
      const rng = new RandomSampler(seededRandomSource('ps-no-math-random'));
      const sums = new Float64Array(m.sumsLength);
      for (let r = 0; r < 200; r++) addToSums(m, m.randomize([r % 8], rng), sums);
      expect(m.estimate(sums).n).toBe(200);
      expect(m.describe().summary).toMatch(/picked at random/);
    } finally {
      spy.mockRestore();
    }
  });
});
