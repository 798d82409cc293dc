import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addToSums, OLH_MAX_G, OptimizedLocalHashing, RandomSampler, isPrivacyError, seededRandomSource, xxh32Uint32 } from '../src/index.ts';

describe('OptimizedLocalHashing', () => {
  it('uses g = max(2, round(e^ε + 1)), p = e^ε/(e^ε+g−1) rounded down and q* = 1/g', () => {
    for (const [epsilon, g] of [[0.1, 2], [1, 4], [2, 8], [4, 56], [16, OLH_MAX_G]] as const) {
      const m = new OptimizedLocalHashing({ k: 100, epsilon });
      const e = Math.exp(epsilon);
      expect(m.g).toBe(g);
      expect(m.q).toBe(1 / g);
      expect(m.p).toBeLessThanOrEqual(e / (e + g - 1));
      expect(e / (e + g - 1) - m.p).toBeLessThan(2 ** -31);
      expect(m.implementedEpsilon).toBeLessThanOrEqual(epsilon);
      expect(m.implementedEpsilon).toBeGreaterThan(epsilon - 1e-6);
    }
  });

  it.each([
    [{ k: 1, epsilon: 1 }, 'k'],
    [{ k: 3.5, epsilon: 1 }, 'k'],
    [{ k: 4, epsilon: 0 }, 'epsilon'],
    [{ k: 4, epsilon: -2 }, 'epsilon'],
    [{ k: 4, epsilon: Number.POSITIVE_INFINITY }, 'epsilon'],
    [{ k: 4 }, 'epsilon'],
  ])('rejects %o naming %s', (options, parameter) => {
    try {
      new OptimizedLocalHashing(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      expect((error as { path: string }).path).toBe(parameter);
    }
  });

  it('the hash is XXH32 of the value\'s 4 little-endian bytes', () => {
    // XXH32("abcd", seed 0) = 0xa3643705: the test table of github.com/deatil/go-hash
    // (xxhash/xxhash32 tests), which agrees with the reference xxHash; "abcd" read as le32 = 0x64636261.
    expect(xxh32Uint32(0x64636261, 0)).toBe(0xa3643705);
  });

  it('the hash is a bijection of the seed for a fixed value (uniform marginal), and addToSums agrees with hash()', () => {
    // Bijectivity on a sample: distinct seeds give distinct XXH32 values for the same input.
    const seen = new Set<number>();
    for (let s = 0; s < 50_000; s++) seen.add(xxh32Uint32(7, s * 85_931));
    expect(seen.size).toBe(50_000);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.1, max: 9, noNaN: true }), fc.nat(), (k, epsilon, seed) => {
        const m = new OptimizedLocalHashing({ k, epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const report = m.randomize(seed % k, rng);
        expect(Number.isInteger(report.seed) && report.seed >= 0 && report.seed < 2 ** 32).toBe(true);
        expect(Number.isInteger(report.y) && report.y >= 0 && report.y < m.g).toBe(true);
        expect(m.decodeReport(m.encodeReport(report))).toEqual(report);
        const sums = new Float64Array(m.sumsLength);
        addToSums(m, report, sums);
        for (let v = 0; v < k; v++) expect(sums[1 + v]).toBe(m.hash(report.seed, v) === report.y ? 1 : 0);
        expect(() => m.randomize(k, rng)).toThrow(/answer/);
      }),
    );
  });

  it('addToSums agrees with hash() for every bucket y and seeds at the int32/uint32 edges (the loop works on wrapped 32-bit integers)', () => {
    const seeds = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 3_000_000_000];
    const mismatches: string[] = [];
    let supports = 0;
    for (const epsilon of [0.1, 1, 2, Math.log(56), 9]) {
      const m = new OptimizedLocalHashing({ k: 64, epsilon });
      for (const seed of seeds) {
        for (let y = 0; y < m.g; y++) {
          const sums = new Float64Array(m.sumsLength);
          addToSums(m, { seed, y }, sums);
          for (let v = 0; v < m.k; v++) if (sums[1 + v] !== (m.hash(seed, v) === y ? 1 : 0)) mismatches.push(`g=${m.g} seed=${seed} y=${y} v=${v}`);
          supports += sums.reduce((a, b) => a + b, 0) - 1;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Each (seed, v) lands in exactly one bucket, so summed over y every value is supported once.
    expect(supports).toBe(seeds.length * 64 * 5);
  });

  it('pairwise collision rate Pr_s[H_s(u) = H_s(v)] matches 1/g (the estimator\'s q* assumption)', () => {
    // For each g, 40 pairs × 20,000 consecutive-and-scrambled seeds; the pooled rate must be within
    // 5 binomial SDs of 1/g, and every pair within 5 SDs (Bonferroni-safe at 40·5 checks).
    for (const g of [2, 4, 8, 56, 1097]) {
      const epsilon = g === 2 ? 0.1 : Math.log(g - 1);
      const m = new OptimizedLocalHashing({ k: 1024, epsilon });
      expect(m.g).toBe(g);
      const seeds = 20_000;
      let pooled = 0;
      for (let pair = 0; pair < 40; pair++) {
        const u = pair * 25;
        const v = u + 1 + (pair % 7) * 3;
        let collisions = 0;
        for (let i = 0; i < seeds; i++) {
          const s = i % 2 === 0 ? i : xxh32Uint32(i, 0xdeadbeef);
          if (m.hash(s, u) === m.hash(s, v)) collisions++;
        }
        const sd = Math.sqrt(((1 / g) * (1 - 1 / g)) / seeds);
        expect(Math.abs(collisions / seeds - 1 / g)).toBeLessThan(5 * sd);
        pooled += collisions;
      }
      const sd = Math.sqrt(((1 / g) * (1 - 1 / g)) / (40 * seeds));
      expect(Math.abs(pooled / (40 * seeds) - 1 / g)).toBeLessThan(5 * sd);
    }
  });

  it('rejects malformed payloads with PAYLOAD_INVALID naming the element', () => {
    const m = new OptimizedLocalHashing({ k: 10, epsilon: 1 }); // g = 4
    const bad: Array<[unknown, string]> = [
      [3, 'payload'],
      [[1], 'payload'],
      [[1, 2, 3], 'payload'],
      [[-1, 0], 'payload.0'],
      [[2 ** 32, 0], 'payload.0'],
      [[1.5, 0], 'payload.0'],
      [['1', 0], 'payload.0'],
      [[1, 4], 'payload.1'],
      [[1, -1], 'payload.1'],
      [[1, null], 'payload.1'],
    ];
    for (const [payload, path] of bad) {
      try {
        m.decodeReport({ payload } as never);
        expect.unreachable(JSON.stringify(payload));
      } catch (error) {
        expect(isPrivacyError(error, 'PAYLOAD_INVALID')).toBe(true);
        expect((error as { path: string }).path).toBe(path);
      }
    }
    expect(m.decodeReport({ payload: [2 ** 32 - 1, 3] })).toEqual({ seed: 2 ** 32 - 1, y: 3 });
  });

  it('debiasing the expected support counts returns the true frequencies', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 40 }), fc.double({ min: 0.1, max: 6, noNaN: true }), (counts, epsilon) => {
        const n = counts.reduce((a, b) => a + b, 0);
        fc.pre(n > 0);
        const m = new OptimizedLocalHashing({ k: counts.length, epsilon });
        const estimate = m.estimate([n, ...counts.map((c) => c * m.p + (n - c) * m.q)]);
        counts.forEach((c, v) => expect(estimate.values[v]).toBeCloseTo(c / n, 9));
      }),
    );
  });

  it('describes itself and its variance is ≈ 4e^ε/(n(e^ε−1)²) at f = 0 when g = e^ε + 1', () => {
    const epsilon = Math.log(7); // g = 8 exactly
    const m = new OptimizedLocalHashing({ k: 64, epsilon });
    expect(m.variance(1000) / ((4 * 7) / (1000 * 36))).toBeCloseTo(1, 6);
    expect(m.describe().summary).toMatch(/8 groups/);
    expect(m.reportBits).toBe(35);
  });
});
