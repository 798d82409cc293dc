/**
 * The "more private" offer's words (issue 14 §2): which questions it changes and what it costs the
 * clinic, from core's planner for the demo campaign — checked here against the mechanisms'
 * own population variance, so a cost figure that ignored the level would fail.
 */
import { describe, expect, it } from 'vitest';
import { createQuestionMechanism, type Question } from '@practical-privacy/core';
import { costText, levelCosts, levelLine, offerText, PLANNED_PATIENTS_PER_DAY } from '../src/views/privacy-cost.ts';

const Z = 1.959963984540054;

/** Worst case over the true share f ∈ [0, 1] (a fine grid) of the mechanism's own population variance. */
function worstShareHalfWidth(question: Question, n: number, level: number): number {
  const m = createQuestionMechanism(question, { level }) as unknown as { variance(n: number, f: number, estimand: 'population'): number };
  let worst = 0;
  for (let i = 0; i <= 1000; i++) worst = Math.max(worst, m.variance(n, i / 1000, 'population'));
  return Z * Math.sqrt(worst);
}

describe('what more privacy costs the clinic', () => {
  const costs = levelCosts();

  it('covers the demo campaign questions with levels (pain and low mood), each wider at its strictest level', () => {
    expect(costs.map((c) => c.question.id)).toEqual(['pain', 'low-mood']);
    for (const c of costs) expect(c.morePrivate).toBeGreaterThan(c.usual * 1.5);
    const mood = costs.find((c) => c.question.id === 'low-mood')!;
    expect(mood.usual).toBeCloseTo(worstShareHalfWidth(mood.question, PLANNED_PATIENTS_PER_DAY, 1), 4);
    expect(mood.morePrivate).toBeCloseTo(worstShareHalfWidth(mood.question, PLANNED_PATIENTS_PER_DAY, 0.5), 4);
  });

  it('says it in plain words with the planner figures: ±13 instead of ±7 points for low mood, ±0.9 instead of ±0.5 for pain at 1,000 patients a day', () => {
    const text = costText(costs);
    expect(text).toContain('With 1,000 patients a day');
    expect(text).toContain('the share of patients answering yes to “Low mood” within about ±13 points instead of ±7');
    expect(text).toContain('the average “Pain score (0-10)” within about ±0.9 instead of ±0.5 on the 0–10 scale');
    expect(offerText(costs)).toContain('“Pain score (0-10)” and “Low mood” are then scrambled more strongly');
    for (const words of [text, offerText(costs)]) expect(words).not.toMatch(/ε|epsilon/i);
  });

  it("the receipt's line names the questions sent with more privacy, and says nothing when none was", () => {
    const at = (reason: 'default' | 'more-private' | 'stepped-down') => ({ details: { level: { level: 1, defaultLevel: 1, strictestLevel: 0.5, reason } } }) as never;
    expect(levelLine([{ label: 'Pain', receipt: at('more-private') }, { label: 'Low mood', receipt: at('more-private') }, { label: 'Symptoms', receipt: { details: {} } as never }])).toBe('Sent with more privacy, as you chose: Pain and Low mood.');
    expect(levelLine([{ label: 'Pain', receipt: at('default') }])).toBeUndefined();
    expect(levelLine([{ label: 'Pain', receipt: at('stepped-down') }])).toContain('to stay within this app’s privacy limit: Pain.');
  });
});
