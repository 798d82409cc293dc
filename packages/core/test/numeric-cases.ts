/**
 * Unit tests shared by the three numeric mechanisms (duchi, piecewise, hybrid .test.ts call this):
 * parameter validation, outputs on the grid, the wire format, the exact kernel moments, and
 * "debiasing the expected sums returns the truth".
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { addToSums, RandomSampler, isPrivacyError, scriptedRandomSource, seededRandomSource, type GridNumericMechanism, type NumericOptions } from '../src/index.ts';

type NumericConstructor = new (options: NumericOptions) => GridNumericMechanism;

/** Expected sums [n, Σ E[i], Σ E[i²]] for the given true answers, including the input rounding. */
export function expectedSums(m: GridNumericMechanism, answers: readonly number[]): number[] {
  let first = 0;
  let second = 0;
  for (const x of answers) {
    const position = m.gridPosition(x);
    const below = Math.min(m.gridSize - 1, Math.floor(position));
    const up = position - below;
    first += (1 - up) * m.kernel.mean(below) + up * m.kernel.mean(below + 1);
    second += (1 - up) * m.kernel.meanSquare(below) + up * m.kernel.meanSquare(below + 1);
  }
  return [answers.length, first, second];
}

function rationalToFloat(r: { num: bigint; den: bigint }): number {
  return Number((r.num * 10n ** 30n) / r.den) / 1e30;
}

export function describeNumericMechanism(label: string, Mechanism: NumericConstructor, paperVariance: (epsilon: number, t: number) => number): void {
  describe(`${label}: shared numeric behaviour`, () => {
    it.each([
      [{ epsilon: 0, low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: -1, low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: Number.NaN, low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: Number.POSITIVE_INFINITY, low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: '1', low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: 21, low: 0, high: 10 }, 'epsilon'],
      [{ epsilon: 1, low: Number.NaN, high: 10 }, 'low'],
      [{ epsilon: 1, low: '0', high: 10 }, 'low'],
      [{ epsilon: 1, low: 0, high: Number.POSITIVE_INFINITY }, 'high'],
      [{ epsilon: 1, low: 5, high: 5 }, 'high'],
      [{ epsilon: 1, low: 5, high: 4 }, 'high'],
      [{ epsilon: 1, low: -1.7e308, high: 1.7e308 }, 'high'],
      [{ epsilon: 1, low: 0, high: 10, gridSize: 0 }, 'gridSize'],
      [{ epsilon: 1, low: 0, high: 10, gridSize: 2.5 }, 'gridSize'],
      [{ epsilon: 1, low: 0, high: 10, gridSize: 10_001 }, 'gridSize'],
      [{ epsilon: 1, low: 0, high: 10, gridSize: Number.NaN }, 'gridSize'],
    ])('rejects %o naming %s', (options, parameter) => {
      try {
        new Mechanism(options as never);
        expect.unreachable();
      } catch (error) {
        expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
        expect((error as { path: string }).path).toBe(parameter);
      }
    });

    it('refuses out-of-range answers before drawing anything', () => {
      const m = new Mechanism({ epsilon: 1, low: 0, high: 10 });
      // An empty script throws RANDOMNESS_UNAVAILABLE on the first draw: INPUT_INVALID proves none happened.
      const rng = new RandomSampler(scriptedRandomSource([]));
      for (const bad of [-0.001, 10.001, Number.NaN, Number.POSITIVE_INFINITY, '5', null, undefined]) {
        try {
          m.randomize(bad as never, rng);
          expect.unreachable();
        } catch (error) {
          expect(isPrivacyError(error, 'INPUT_INVALID')).toBe(true);
        }
      }
    });

    it('puts answers that are multiples of (high − low)/M exactly on the grid', () => {
      const m = new Mechanism({ epsilon: 1, low: 0, high: 10 });
      for (let x = 0; x <= 10; x++) expect(m.gridPosition(x)).toBe(x * 100);
      const celsius = new Mechanism({ epsilon: 1, low: 35, high: 42, gridSize: 70 });
      expect(celsius.gridPosition(36.6)).toBeCloseTo(16, 9);
    });

    it('outputs lie on the fixed output grid, round-trip the wire format and have finite values', () => {
      fc.assert(
        fc.property(
          fc.double({ min: 0.05, max: 10, noNaN: true }),
          fc.double({ min: -1000, max: 1000, noNaN: true }),
          fc.double({ min: 1e-3, max: 1000, noNaN: true }),
          fc.integer({ min: 1, max: 2000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.nat(),
          (epsilon, low, width, gridSize, where, seed) => {
            const high = low + width;
            const m = new Mechanism({ epsilon, low, high, gridSize });
            const x = Math.min(high, low + where * width);
            const rng = new RandomSampler(seededRandomSource(seed));
            for (let r = 0; r < 5; r++) {
              const index = m.randomize(x, rng);
              expect(Number.isInteger(index) && index >= 0 && index < m.outputCount).toBe(true);
              expect(m.kernel.isOutput(index)).toBe(true);
              expect(m.decodeReport(JSON.parse(JSON.stringify(m.encodeReport(index))))).toBe(index);
              expect(Number.isFinite(m.outputValue(index))).toBe(true);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('rejects malformed payloads', () => {
      const m = new Mechanism({ epsilon: 1, low: 0, high: 10 });
      for (const payload of [-1, m.outputCount, 1.5, '3', null, [1], { index: 1 }, Number.NaN, true]) {
        expect(() => m.decodeReport({ payload: payload as never })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
      }
      expect(() => m.decodeReport({ payload: 0, cohort: 1 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID', path: 'cohort' }));
    });

    it('kernel moments agree with the exact output probabilities, which sum to one', () => {
      for (const epsilon of [0.3, 1, 3]) {
        const m = new Mechanism({ epsilon, low: 0, high: 1, gridSize: 12 });
        for (let j = 0; j <= m.gridSize; j++) {
          let total = 0;
          let first = 0;
          let second = 0;
          for (let i = 0; i < m.outputCount; i++) {
            const p = rationalToFloat(m.kernel.probability(i, j));
            if (!m.kernel.isOutput(i)) expect(p).toBe(0);
            total += p;
            first += p * i;
            second += p * i * i;
          }
          expect(total).toBeCloseTo(1, 12);
          expect(first).toBeCloseTo(m.kernel.mean(j), 9);
          expect(second).toBeCloseTo(m.kernel.meanSquare(j), 7);
        }
      }
    });

    it('E[index | grid point] is exactly affine, so the estimator is unbiased', () => {
      for (const epsilon of [0.1, 0.7, 2, 8]) {
        const m = new Mechanism({ epsilon, low: 0, high: 10 });
        for (let j = 0; j <= m.gridSize; j += 37) {
          const t = -1 + (2 * j) / m.gridSize;
          expect(m.kernel.mean(j)).toBeCloseTo(m.intercept + m.slope * t, 9);
        }
      }
    });

    it('debiasing the expected sums returns the true mean', () => {
      fc.assert(
        fc.property(
          fc.double({ min: 0.05, max: 10, noNaN: true }),
          fc.integer({ min: 1, max: 3000 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
          (epsilon, gridSize, fractions) => {
            const m = new Mechanism({ epsilon, low: -5, high: 15, gridSize });
            const answers = fractions.map((f) => -5 + 20 * f);
            const truth = answers.reduce((a, b) => a + b, 0) / answers.length;
            expect(m.estimate(expectedSums(m, answers)).mean).toBeCloseTo(truth, 7);
          },
        ),
        { numRuns: 80 },
      );
    });

    it('reports NaN with no reports and the worst-case SE with one', () => {
      const m = new Mechanism({ epsilon: 1, low: 0, high: 10 });
      expect(m.estimate([0, 0, 0]).mean).toBeNaN();
      const one = m.estimate([1, 5, 25]);
      expect(one.standardError).toBeCloseTo(Math.sqrt(m.variance(1)), 12);
      expect(one.ci95[1] - one.ci95[0]).toBeCloseTo(2 * 1.959963984540054 * one.standardError, 9);
    });

    it('the empirical SE from sums of squares equals the exact variance when everyone gives the same answer', () => {
      const m = new Mechanism({ epsilon: 2, low: 0, high: 10 });
      const n = 1000;
      const sums = expectedSums(m, Array.from({ length: n }, () => 7));
      // With expected sums, nΣi² − (Σi)² = n²·Var[i]; the sample variance has the n/(n−1) factor.
      const reported = m.estimate(sums).standardError ** 2;
      expect(reported * ((n - 1) / n)).toBeCloseTo(m.variance(n, 7), 12);
    });

    it('implemented variance matches the paper formula on the default grid', () => {
      for (const epsilon of [0.25, 0.5, 1, 2, 4]) {
        const m = new Mechanism({ epsilon, low: -1, high: 1 });
        for (const t of [-1, -0.3, 0, 0.55, 1]) {
          const ratio = m.variance(1, t) / paperVariance(epsilon, t);
          expect(ratio, `ε=${epsilon}, t=${t}`).toBeGreaterThan(0.995);
          expect(ratio, `ε=${epsilon}, t=${t}`).toBeLessThan(1.005);
        }
      }
    });

    it('implementedEpsilon is ≤ ε and loses almost nothing', () => {
      for (const epsilon of [0.05, 0.5, 1, 4, 8]) {
        const m = new Mechanism({ epsilon, low: 0, high: 10 });
        expect(m.implementedEpsilon).toBeLessThanOrEqual(epsilon);
        expect(m.implementedEpsilon).toBeGreaterThan(epsilon * (1 - 1e-4));
        expect(m.describe().implementedEpsilon).toBe(m.implementedEpsilon);
        expect(m.describe().summary.length).toBeGreaterThan(20);
      }
    });

    it('never calls Math.random', () => {
      const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
        throw new Error('Math.random called');
      });
      try {
        const m = new Mechanism({ epsilon: 1, low: 0, high: 10 });
        const rng = new RandomSampler(seededRandomSource('no-math-random'));
        const sums = new Float64Array(m.sumsLength);
        for (let r = 0; r < 100; r++) addToSums(m, m.randomize(r % 11, rng), sums);
        expect(m.estimate(sums).n).toBe(100);
      } finally {
        spy.mockRestore();
      }
    });
  });
}
