import { describe, expect, it } from 'vitest';
import { PiecewiseMechanism, THRESHOLD_ONE, piecewiseVariance, piecewiseWorstCaseVariance } from '../src/index.ts';
import { describeNumericMechanism } from './numeric-cases.ts';

describeNumericMechanism('PiecewiseMechanism', PiecewiseMechanism, piecewiseVariance);

describe('PiecewiseMechanism', () => {
  it('keeps the paper proportions: window/slide ≈ e^{−ε/2}, Pr[window] ≈ e^{ε/2}/(e^{ε/2}+1)', () => {
    for (const epsilon of [0.5, 1, 2, 4]) {
      const m = new PiecewiseMechanism({ epsilon, low: 0, high: 10 });
      const z = Math.exp(epsilon / 2);
      const { windowWidth, inputSteps, windowThreshold, outputCount } = m.kernel;
      expect(outputCount).toBe(inputSteps + windowWidth);
      expect(Math.abs(windowWidth - inputSteps / z)).toBeLessThanOrEqual(0.5);
      expect(windowThreshold / THRESHOLD_ONE).toBeCloseTo(z / (z + 1), 2);
    }
  });

  it('outputs span ≈ [−C, C] with C = (e^{ε/2}+1)/(e^{ε/2}−1), in [−1, 1] units', () => {
    const epsilon = 1;
    const m = new PiecewiseMechanism({ epsilon, low: -1, high: 1 });
    const z = Math.exp(epsilon / 2);
    const c = (z + 1) / (z - 1);
    const halfCell = c / m.outputCount;
    expect(m.outputValue(m.outputCount - 1)).toBeCloseTo(c - halfCell, 2);
    expect(m.outputValue(0)).toBeCloseTo(-c + halfCell, 2);
  });

  it('paper variance formula t²/(e^{ε/2}−1) + (e^{ε/2}+3)/(3(e^{ε/2}−1)²), worst at |t| = 1', () => {
    const z = Math.exp(0.5);
    expect(piecewiseVariance(1, 0.5)).toBeCloseTo(0.25 / (z - 1) + (z + 3) / (3 * (z - 1) ** 2), 12);
    expect(piecewiseWorstCaseVariance(1)).toBe(piecewiseVariance(1, 1));
    const m = new PiecewiseMechanism({ epsilon: 1, low: -1, high: 1 });
    expect(m.variance(1) / piecewiseWorstCaseVariance(1)).toBeGreaterThan(0.999);
    expect(m.variance(1) / piecewiseWorstCaseVariance(1)).toBeLessThan(1.003);
  });

  it('stays exact but coarse on small grids and at huge ε (one-cell window)', () => {
    const coarse = new PiecewiseMechanism({ epsilon: 20, low: 0, high: 10, gridSize: 10 });
    expect(coarse.kernel.windowWidth).toBe(1);
    expect(coarse.implementedEpsilon).toBeLessThanOrEqual(20);
    expect(coarse.outputCount).toBe(11);
  });
});
