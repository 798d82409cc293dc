import { describe, expect, it } from 'vitest';
import { empiricalHalfWidth } from '../src/sim/empirical.ts';
import { plan } from '@practical-privacy/core';
import { predictedHalfWidth } from '../src/views/tradeoff-model.ts';

// The explorer's promise: the planner's predicted interval matches what simulation shows.
// Seeded, so deterministic; the ±25% band is ~3.5 SDs of the SD estimate with 200 trials.
describe('trade-off explorer', () => {
  it.each([
    ['yes-no', 1, 300, 0.2],
    ['symptom', 2, 1000, 0.2],
    ['pain', 2, 1000, 3.5],
  ] as const)('%s at ε=%s, n=%s: empirical half-width ≈ predicted', async (question, epsilon, n, truth) => {
    const predicted = predictedHalfWidth(question, epsilon, n, truth).halfWidth;
    const result = await empiricalHalfWidth(question, epsilon, n, truth, 'unit-test');
    if (question === 'pain') {
      // planMean is a worst-case bound over the answers, so the empirical width should not exceed
      // it beyond the noise of an SD estimated from 200 trials (±5% per SD; 1.25 ≈ 5 SDs).
      expect(result.empiricalHalfWidth / predicted).toBeLessThan(1.25);
      expect(result.empiricalHalfWidth / predicted).toBeGreaterThan(0.5);
    } else {
      expect(result.empiricalHalfWidth / predicted).toBeGreaterThan(0.75);
      expect(result.empiricalHalfWidth / predicted).toBeLessThan(1.25);
    }
    expect(result.coverage).toBeGreaterThan(0.85);
  });

  it('the explorer predicts and simulates the population interval: yes/no at ε = 2, n = 1,000, f = 0.5 is ±4.07 points, not the respondents’ ±2.64', async () => {
    const predicted = predictedHalfWidth('yes-no', 2, 1000, 0.5).halfWidth;
    expect(Number((predicted * 100).toFixed(2))).toBe(4.07);
    const respondentsOnly = plan({ mechanism: 'binary-rr', k: 2, epsilon: 2, n: 1000, estimand: 'respondents' }).worstCase.halfWidth95;
    const result = await empiricalHalfWidth('yes-no', 2, 1000, 0.5, 'unit-test');
    expect(result.empiricalHalfWidth / predicted).toBeGreaterThan(0.75);
    expect(result.empiricalHalfWidth / predicted).toBeLessThan(1.25);
    // Fresh clinics differ by who answered: the respondents-only width is clearly too narrow.
    expect(result.empiricalHalfWidth / respondentsOnly).toBeGreaterThan(1.25);
    expect(result.coverage).toBeGreaterThan(0.88);
  });
});
