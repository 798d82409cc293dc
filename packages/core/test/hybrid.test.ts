import { describe, expect, it } from 'vitest';
import {
  HYBRID_EPSILON_STAR,
  HybridMechanism,
  THRESHOLD_ONE,
  duchiWorstCaseVariance,
  hybridPiecewiseProbability,
  hybridVariance,
  hybridWorstCaseVariance,
  piecewiseWorstCaseVariance,
} from '../src/index.ts';
import { describeNumericMechanism } from './numeric-cases.ts';

describeNumericMechanism('HybridMechanism', HybridMechanism, hybridVariance);

describe('HybridMechanism', () => {
  it('ε* ≈ 0.61 and α = 1 − e^{−ε/2} above it, 0 below', () => {
    expect(HYBRID_EPSILON_STAR).toBeCloseTo(0.6094, 4);
    expect(hybridPiecewiseProbability(0.6)).toBe(0);
    expect(hybridPiecewiseProbability(2)).toBeCloseTo(1 - Math.exp(-1), 12);
    const m = new HybridMechanism({ epsilon: 2, low: 0, high: 10 });
    expect(m.kernel.mixThreshold / THRESHOLD_ONE).toBeCloseTo(1 - Math.exp(-1), 9);
  });

  it('paper variance is flat in t above ε* and below both halves’ worst cases', () => {
    for (const epsilon of [0.7, 1, 2, 4, 8]) {
      expect(hybridVariance(epsilon, 0)).toBeCloseTo(hybridVariance(epsilon, 1), 9);
      const z = Math.exp(epsilon / 2);
      const e = Math.exp(epsilon);
      const lemma = (z + 3) / (3 * z * (z - 1)) + (e + 1) ** 2 / (z * (e - 1) ** 2);
      expect(hybridWorstCaseVariance(epsilon)).toBeCloseTo(lemma, 9);
      expect(hybridWorstCaseVariance(epsilon)).toBeLessThan(Math.min(piecewiseWorstCaseVariance(epsilon), duchiWorstCaseVariance(epsilon)));
    }
  });

  it('below ε* it is Duchi on two cells of the grid, and only those are valid payloads', () => {
    const m = new HybridMechanism({ epsilon: 0.5, low: 0, high: 10 });
    expect(m.kernel.mixThreshold).toBe(0);
    const { lowIndex, highIndex } = m.kernel.duchi;
    expect(lowIndex + highIndex).toBe(m.outputCount - 1);
    expect(m.decodeReport({ payload: lowIndex })).toBe(lowIndex);
    expect(() => m.decodeReport({ payload: lowIndex + 1 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
  });

  it('the Duchi half sits symmetrically inside the Piecewise grid with a matching slope', () => {
    const m = new HybridMechanism({ epsilon: 2, low: -1, high: 1 });
    const { duchi, piecewise } = m.kernel;
    expect(duchi.lowIndex + duchi.highIndex).toBe(m.outputCount - 1);
    const slopeOf = (k: { mean(j: number): number }) => (k.mean(m.gridSize) - k.mean(0)) / m.gridSize;
    expect(slopeOf(duchi) / slopeOf(piecewise)).toBeCloseTo(1, 3);
    // The Duchi cells stand for values ≥ C_Duchi, as in the paper.
    const c = (Math.exp(2) + 1) / Math.expm1(2);
    expect(m.outputValue(duchi.highIndex)).toBeGreaterThanOrEqual(c * (1 - 1e-3));
  });
});
