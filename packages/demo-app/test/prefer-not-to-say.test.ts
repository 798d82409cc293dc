/**
 * README "A “prefer not to say” answer": core's schema has no special option for it; a campaign
 * author adds it as one more category of a categorical question. Playing the clinic: a report of
 * "prefer not to say" is randomized exactly like any other answer (same probability of being sent
 * as itself, same ε bound between any two answers), and the question is charged like any other —
 * the SDK charges a two-level question ε∞ on each of its first D reports whatever the answers
 * (packages/sdk/src/worker/charges.ts), and one more category raises D for L-GRR (D = k).
 */
import { createQuestionRandomizer, type LgrrRandomizer, RandomSampler, seededRandomSource, validateCampaign, type CategoricalQuestion } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { moodQuestion } from '../src/campaign.ts';

const lowMood = {
  id: 'low-mood',
  type: 'categorical',
  label: 'Low mood',
  prompt: 'Over the last day, have you felt down, depressed or hopeless?',
  tier: 'high',
  epsilon: 1,
  epsilonPermanent: 2,
  mechanism: 'l-grr',
  minBatch: 50,
  domain: { categories: [{ code: 'yes', label: 'Yes' }, { code: 'no', label: 'No' }, { code: 'prefer-not-to-say', label: 'Prefer not to say' }] },
};

describe('a "prefer not to say" category', () => {
  const campaign = validateCampaign({ id: 'daily-checkin', version: 3, title: 'Daily check-in', questions: [lowMood] });
  const question = campaign.questions[0] as CategoricalQuestion;
  const randomizer = createQuestionRandomizer(question) as unknown as LgrrRandomizer;

  it('is a plain category in core’s schema: k = 3, and the question is charged at most 3·ε∞ = 6 instead of the yes/no question’s 4', () => {
    expect(randomizer.k).toBe(3);
    expect(randomizer.implementedEpsilon).toBeLessThanOrEqual(1);
    expect(randomizer.permanentCount).toBe(3);
    expect(randomizer.permanentCount * randomizer.permanentEpsilon).toBeCloseTo(6, 6);
    // The demo's boolean low-mood question: D = 2, at most 4.
    expect(moodQuestion.epsilonPermanent! * 2).toBe(4);
  });

  it('is randomized like any other answer: each answer is sent as itself with the same probability, and the ratio between any two answers is at most e^ε', () => {
    // The mechanism's own chained probabilities: p for the true answer, q for each other one.
    expect(randomizer.p / randomizer.q).toBeLessThanOrEqual(Math.exp(1) * (1 + 1e-9));
    // Empirically, per answer (seeded): the share of reports equal to the answer is p for all three.
    const rng = new RandomSampler(seededRandomSource('prefer-not-to-say'));
    const trials = 40_000;
    const kept = [0, 1, 2].map((answer) => {
      let same = 0;
      for (let i = 0; i < trials; i++) if (randomizer.randomize(answer, rng) === answer) same++;
      return same / trials;
    });
    const se = Math.sqrt((randomizer.p * (1 - randomizer.p)) / trials);
    for (const share of kept) expect(Math.abs(share - randomizer.p)).toBeLessThan(4.5 * se);
  });
});
