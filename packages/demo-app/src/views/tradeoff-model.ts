/**
 * Predictions behind the trade-off explorer: the 95% half-width core's planner (or, for
 * multiselect, the mechanism's own variance) promises for a question, ε, n and true value — for
 * the population estimand, what the collector releases by default: the share (or mean) among the
 * clinic's patients, of whom the n who answer are a sample (core's estimand.ts).
 */
import { PaddingAndSampling, plan, planMean, Z_95 } from '@practical-privacy/core';
import { checkClinicSize } from '../sim/clinic-size.ts';
import type { TradeoffQuestion } from '../sim/empirical.ts';

export const QUESTIONS: Record<TradeoffQuestion, { label: string; unit: 'share' | 'points'; defaultTruth: number }> = {
  'yes-no': { label: 'Yes/no question (binary randomized response)', unit: 'share', defaultTruth: 0.2 },
  symptom: { label: 'One symptom of 8, up to 3 ticked (padding-and-sampling)', unit: 'share', defaultTruth: 0.2 },
  pain: { label: 'Mean pain score 0–10 (Hybrid mechanism)', unit: 'points', defaultTruth: 3.5 },
};

/**
 * Predicted 95% half-width at the true value `truth` (worst case over the truth for means): closed
 * forms, the same work at any n. Refuses an n that is not a whole number from 1 to 10⁹
 * (ClinicSizeError).
 */
export function predictedHalfWidth(question: TradeoffQuestion, epsilon: number, n: number, truth: number): { halfWidth: number; source: string } {
  checkClinicSize(n);
  if (question === 'yes-no') {
    const p = plan({ mechanism: 'binary-rr', k: 2, epsilon, n, share: Math.min(1, Math.max(0, truth)) });
    return { halfWidth: p.atShare!.halfWidth95, source: 'core plan()' };
  }
  if (question === 'symptom') {
    const m = new PaddingAndSampling({ k: 8, maxItems: 3, epsilon });
    return { halfWidth: Z_95 * Math.sqrt(m.variance(n, truth)), source: 'core PaddingAndSampling.variance()' };
  }
  return { halfWidth: planMean({ mechanism: 'hybrid', epsilon, n, low: 0, high: 10 }).halfWidth95, source: 'core planMean() (worst case)' };
}

