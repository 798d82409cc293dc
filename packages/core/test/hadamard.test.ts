import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HadamardResponse, RandomSampler, fastWalshHadamard, isPrivacyError, seededRandomSource } from '../src/index.ts';

describe('HadamardResponse', () => {
  it('K is the smallest power of two > k and p = e^ε/(e^ε+1) rounded down', () => {
    for (const [k, K] of [[2, 4], [3, 4], [4, 8], [7, 8], [8, 16], [1000, 1024], [1024, 2048]] as const) {
      const m = new HadamardResponse({ k, epsilon: 1 });
      expect(m.K).toBe(K);
      expect(m.reportBits).toBe(Math.log2(K));
      expect(m.p).toBeLessThanOrEqual(Math.E / (Math.E + 1));
      expect(Math.E / (Math.E + 1) - m.p).toBeLessThan(2 ** -31);
    }
  });

  it.each([
    [{ k: 1, epsilon: 1 }, 'k'],
    [{ k: 65_537, epsilon: 1 }, 'k'],
    [{ k: 4, epsilon: 0 }, 'epsilon'],
    [{ k: 4, epsilon: Number.NaN }, 'epsilon'],
    [{ k: 4, epsilon: 100 }, 'epsilon'],
  ])('rejects %o naming %s', (options, parameter) => {
    try {
      new HadamardResponse(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      expect((error as { path: string }).path).toBe(parameter);
    }
  });

  it('each C_x has K/2 elements and two sets meet in K/4 (orthogonal rows)', () => {
    const m = new HadamardResponse({ k: 15, epsilon: 1 });
    for (let x = 0; x < m.k; x++) {
      let size = 0;
      for (let j = 0; j < m.K; j++) if (m.inSet(x, j)) size++;
      expect(size).toBe(m.K / 2);
      for (let u = x + 1; u < m.k; u++) {
        let both = 0;
        for (let j = 0; j < m.K; j++) if (m.inSet(x, j) && m.inSet(u, j)) both++;
        expect(both).toBe(m.K / 4);
      }
    }
  });

  it('outputs lie in [0, K), round-trip, and land in C_x at rate p (seeded)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3000 }), fc.double({ min: 0.1, max: 8, noNaN: true }), fc.nat(), (k, epsilon, seed) => {
        const m = new HadamardResponse({ k, epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const y = m.randomize(seed % k, rng);
        expect(Number.isInteger(y) && y >= 0 && y < m.K).toBe(true);
        expect(m.decodeReport(m.encodeReport(y))).toBe(y);
        expect(() => m.randomize(k, rng)).toThrow(/answer/);
      }),
    );
    const m = new HadamardResponse({ k: 6, epsilon: 1 });
    const rng = new RandomSampler(seededRandomSource('hr-rate'));
    const trials = 20_000;
    let inSet = 0;
    for (let i = 0; i < trials; i++) if (m.inSet(5, m.randomize(5, rng))) inSet++;
    expect(Math.abs(inSet / trials - m.p)).toBeLessThan(5 * Math.sqrt((m.p * (1 - m.p)) / trials));
  });

  it('rejects malformed payloads with PAYLOAD_INVALID', () => {
    const m = new HadamardResponse({ k: 5, epsilon: 1 }); // K = 8
    for (const payload of [8, -1, 2.5, '3', null, [3]]) {
      expect(() => m.decodeReport({ payload } as never)).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
    }
    expect(() => m.decodeReport({ payload: 3, cohort: 1 })).toThrow(/cohort/);
    expect(m.decodeReport({ payload: 7 })).toBe(7);
  });

  it('the fast Walsh–Hadamard transform matches the matrix product', () => {
    const a = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6]);
    const expected = Array.from({ length: 8 }, (_, r) => a.reduce((s, v, j) => s + (popcountParity(r & j) ? -v : v), 0));
    fastWalshHadamard(a);
    expect(Array.from(a)).toEqual(expected);
  });

  it('debiasing the expected output histogram returns the true frequencies', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 40 }), fc.double({ min: 0.1, max: 6, noNaN: true }), (counts, epsilon) => {
        const n = counts.reduce((a, b) => a + b, 0);
        fc.pre(n > 0);
        const m = new HadamardResponse({ k: counts.length, epsilon });
        // E[c_j] = Σ_x count_x · Pr[j | x], Pr[j|x] = 2p/K on C_x and 2(1−p)/K off it.
        const sums = [n, ...Array.from({ length: m.K }, (_, j) => counts.reduce((s, c, x) => s + (c * 2 * (m.inSet(x, j) ? m.p : 1 - m.p)) / m.K, 0))];
        const estimate = m.estimate(sums);
        counts.forEach((c, v) => expect(estimate.values[v]).toBeCloseTo(c / n, 9));
        expect(estimate.n).toBe(n);
      }),
    );
    expect(new HadamardResponse({ k: 3, epsilon: 1 }).estimate([0, 0, 0, 0, 0]).values.every(Number.isNaN)).toBe(true);
  });

  it('variance is (e^ε+1)²/(n(e^ε−1)²) − f/n for the respondents, f(1−f)/n more for the population', () => {
    const m = new HadamardResponse({ k: 10, epsilon: 1.5 });
    const e = Math.exp(1.5);
    for (const f of [0, 0.2, 1]) {
      const respondents = (e + 1) ** 2 / (500 * (e - 1) ** 2) - f / 500;
      expect(m.variance(500, f, 'respondents') / respondents).toBeCloseTo(1, 7);
      expect(m.variance(500, f) / (respondents + (f * (1 - f)) / 500)).toBeCloseTo(1, 7);
    }
    expect(m.describe().summary).toMatch(/16 possible codes/);
  });
});

function popcountParity(x: number): boolean {
  let parity = false;
  for (; x !== 0; x &= x - 1) parity = !parity;
  return parity;
}
