import { describe, expect, it } from 'vitest';
import { DuchiMechanism, THRESHOLD_ONE, duchiOutputMagnitude, duchiVariance, duchiWorstCaseVariance } from '../src/index.ts';
import { describeNumericMechanism } from './numeric-cases.ts';

describeNumericMechanism('DuchiMechanism', DuchiMechanism, duchiVariance);

describe('DuchiMechanism', () => {
  it('reports one of two values ≈ ±C = ±(e^ε+1)/(e^ε−1) in [−1, 1] units', () => {
    for (const epsilon of [0.1, 1, 3]) {
      const m = new DuchiMechanism({ epsilon, low: -1, high: 1 });
      expect(m.outputCount).toBe(2);
      const c = duchiOutputMagnitude(epsilon);
      expect(m.outputValue(1) / c).toBeCloseTo(1, 5);
      expect(m.outputValue(0) / c).toBeCloseTo(-1, 5);
    }
  });

  it('maps outputs back to the declared range', () => {
    const m = new DuchiMechanism({ epsilon: 1, low: 0, high: 10 });
    const c = duchiOutputMagnitude(1);
    expect(m.outputValue(1)).toBeCloseTo(5 + 5 * c, 4);
    expect(m.outputValue(0)).toBeCloseTo(5 - 5 * c, 4);
  });

  it('uses integer thresholds affine in the grid point, inside [2^32 − T*, T*]', () => {
    const m = new DuchiMechanism({ epsilon: 1, low: 0, high: 10 });
    const { lowThreshold, highThreshold, thresholdStep, inputSteps } = m.kernel;
    expect(Number.isInteger(lowThreshold) && Number.isInteger(thresholdStep)).toBe(true);
    expect(highThreshold).toBe(lowThreshold + inputSteps * thresholdStep);
    const pTop = Math.E / (Math.E + 1);
    expect(highThreshold / THRESHOLD_ONE).toBeLessThanOrEqual(pTop);
    expect(lowThreshold / THRESHOLD_ONE).toBeGreaterThanOrEqual(1 - pTop);
    expect(highThreshold / THRESHOLD_ONE).toBeGreaterThan(pTop - 1e-6);
  });

  it('paper variance: C² − t², worst at t = 0', () => {
    const c = duchiOutputMagnitude(2);
    expect(duchiVariance(2, 0.5)).toBeCloseTo(c * c - 0.25, 12);
    expect(duchiWorstCaseVariance(2)).toBeCloseTo(c * c, 12);
    const m = new DuchiMechanism({ epsilon: 2, low: -1, high: 1 });
    expect(m.variance(1) / duchiWorstCaseVariance(2)).toBeGreaterThan(0.999);
    expect(m.variance(1) / duchiWorstCaseVariance(2)).toBeLessThan(1.001);
  });
});
