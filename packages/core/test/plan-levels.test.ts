/**
 * worstHalfWidth at a privacy level (issue 14 §2): what the planner predicts if every report of a
 * question used one of its levels — the demo's "more private" offer states it for the patient.
 */
import { describe, expect, it } from 'vitest';
import { isPrivacyError, validateCampaign, worstHalfWidth, type Question } from '../src/index.ts';

const campaign = validateCampaign({
  id: 'plan-levels',
  version: 1,
  title: 'Plan levels',
  questions: [
    { id: 'mood', prompt: 'Low mood?', type: 'boolean', tier: 'high', epsilon: 1, epsilonPermanent: 2, mechanism: 'l-grr', levels: [1, 0.5] },
    { id: 'pain', prompt: 'Pain', type: 'numeric', tier: 'low', epsilon: 1.5, epsilonPermanent: 3, mechanism: 'alpha-1bit', domain: { low: 0, high: 10, levels: 2 }, levels: [1.5, 0.75] },
  ],
});
const [mood, pain] = campaign.questions as [Question, Question];

describe('worstHalfWidth at a level', () => {
  it('is the default half-width at the default level, and the half-width of a question asking that ε₁ at a stricter one', () => {
    for (const q of [mood, pain]) {
      expect(worstHalfWidth(q, 1000, q.epsilon)).toBe(worstHalfWidth(q, 1000));
      const strict = q.levels![1]!;
      // L-GRR and alpha-1bit: the permanent thresholds depend on ε∞ only, so a level is the same mechanism as a one-level-list question at that ε₁.
      const alone = { ...q, epsilon: strict, levels: undefined } as Question;
      expect(worstHalfWidth(q, 1000, strict)).toBeCloseTo(worstHalfWidth(alone, 1000), 12);
      expect(worstHalfWidth(q, 1000, strict)).toBeGreaterThan(worstHalfWidth(q, 1000));
    }
  });

  it('refuses a level the question does not allow', () => {
    let error: unknown;
    try {
      worstHalfWidth(mood, 1000, 0.7);
    } catch (e) {
      error = e;
    }
    expect(isPrivacyError(error, 'INPUT_INVALID')).toBe(true);
  });
});
