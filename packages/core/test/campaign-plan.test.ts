/**
 * The campaign planner (issue 14 §3): per question, the predicted worst-case 95% half-width for
 * the population, whether minBatch is reached, the ε and the patients a target needs, and warnings
 * for a clinic — checked against closed forms, against a fine grid over true answers, and against
 * the minimality of what it proposes (one patient or 0.01 of ε less must miss the target).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createQuestionMechanism,
  nFor,
  plan,
  planCampaign,
  planMean,
  planRapporDetection,
  validateCampaign,
  worstHalfWidth,
  Z_95,
  type NumericQuestion,
  type Question,
} from '../src/index.ts';

const yesNo = (epsilon: number, extra: Record<string, unknown> = {}) => ({
  id: 'c',
  version: 1,
  title: 'Plan test',
  questions: [{ id: 'mood', label: 'Low mood', prompt: 'Low mood today?', tier: 'high', type: 'boolean', mechanism: 'binary-rr', epsilon, ...extra }],
});

function closedFormYesNo(epsilon: number, n: number): number {
  const e = Math.exp(epsilon);
  const gap = (e - 1) / (e + 1); // p − q of binary RR
  return Z_95 * Math.sqrt(0.25 / (n * gap * gap)); // population worst case at f = 1/2 (π = 1/2)
}

describe('planCampaign', () => {
  it('yes/no at ε = 1.3 with 300 patients a day: ±9.9 points, and ±4 needs 1,837 patients (one fewer misses), and no ε reaches it with 300 (the sampling term alone is ±5.7)', () => {
    const result = planCampaign(yesNo(1.3), { patients: 300, targets: { mood: 0.04 } });
    const [q] = result.questions;
    expect(result.estimand).toBe('population');
    expect(q!.halfWidth95).toBeCloseTo(closedFormYesNo(1.3, 300), 6);
    expect(Number((q!.halfWidth95! * 100).toFixed(1))).toBe(9.9);
    expect(q!.patientsForTarget).toBe(1837);
    expect(q!.epsilonForTarget).toBeUndefined();
    expect(Z_95 * Math.sqrt(0.25 / 300)).toBeGreaterThan(0.04);
    const question = validateCampaign(yesNo(1.3)).questions[0]!;
    expect(worstHalfWidth(question, 1837)).toBeLessThanOrEqual(0.04);
    expect(worstHalfWidth(question, 1836)).toBeGreaterThan(0.04);
    expect(q!.reachesMinBatch).toBe(true);
    expect(q!.warnings.map((w) => w.kind)).toEqual(['wider-than-target']);
    expect(q!.warnings[0]!.message).toBe('"Low mood": with 300 patients a day it will be known to within ±9.9 points; the target ±4.0 points needs about 1,837 patients a day.');
    expect(result.warnings).toEqual([{ questionId: 'mood', ...q!.warnings[0]! }]);
  });

  it('the ε it proposes is the smallest multiple of 0.01 that reaches the target', () => {
    const [q] = planCampaign(yesNo(1.3), { patients: 300, targets: { mood: 0.07 } }).questions;
    const question = validateCampaign(yesNo(1.3)).questions[0]!;
    const at = (epsilon: number) => worstHalfWidth({ ...question, epsilon } as Question, 300);
    expect(q!.epsilonForTarget).toBeGreaterThan(1.3);
    expect(at(q!.epsilonForTarget!)).toBeLessThanOrEqual(0.07);
    expect(at(Number((q!.epsilonForTarget! - 0.01).toFixed(2)))).toBeGreaterThan(0.07);
    expect(q!.warnings[0]!.message).toContain(`or a weaker privacy level (ε ${q!.epsilonForTarget} instead of 1.3)`);
  });

  it('warns when a period will not reach minBatch, and says nothing when the default ±10 points is met', () => {
    const few = planCampaign(yesNo(2, { minBatch: 50 }), { patients: 40 }).questions[0]!;
    expect(few.reachesMinBatch).toBe(false);
    expect(few.warnings.map((w) => w.kind)).toContain('below-min-batch');
    expect(few.warnings[0]!.message).toContain('withheld');
    const enough = planCampaign(yesNo(2), { patients: 2000 }).questions[0]!;
    expect(enough.targetGiven).toBe(false);
    expect(enough.target).toBe(0.1);
    expect(enough.warnings).toEqual([]);
  });

  it('two-level, categorical and multiselect questions: the worst case over a fine grid of true shares, ε∞/ε₁ kept', () => {
    const campaign = {
      id: 'c',
      version: 1,
      title: 'Plan test',
      questions: [
        { id: 'mood', prompt: 'p', tier: 'high', type: 'boolean', epsilon: 1, epsilonPermanent: 2 },
        { id: 'cat', prompt: 'p', tier: 'moderate', type: 'categorical', epsilon: 2, domain: { categories: ['a', 'b', 'c', 'd'].map((code) => ({ code, label: code })) }, mechanism: 'grr' },
        { id: 'sym', prompt: 'p', tier: 'moderate', type: 'multiselect', epsilon: 1, epsilonPermanent: 3, domain: { items: ['a', 'b', 'c', 'd', 'e'].map((code) => ({ code, label: code })), maxItems: 2 } },
      ],
    };
    const validated = validateCampaign(campaign);
    const result = planCampaign(campaign, { patients: 500, targets: { mood: 0.05 } });
    for (const [i, question] of validated.questions.entries()) {
      const mechanism = createQuestionMechanism(question) as unknown as { variance(n: number, f: number, e: 'population'): number };
      let grid = 0;
      for (let j = 0; j <= 2000; j++) grid = Math.max(grid, mechanism.variance(500, j / 2000, 'population'));
      const planned = result.questions[i]!.halfWidth95!;
      expect(planned).toBeGreaterThanOrEqual(Z_95 * Math.sqrt(grid) * (1 - 1e-12));
      expect(planned / (Z_95 * Math.sqrt(grid))).toBeLessThan(1 + 1e-6);
    }
    const mood = result.questions[0]!;
    expect(mood.mechanism).toBe('l-grr');
    const stronger = { ...validated.questions[0]!, epsilon: mood.epsilonForTarget!, epsilonPermanent: mood.epsilonForTarget! * 2 } as Question;
    expect(worstHalfWidth(stronger, 500)).toBeLessThanOrEqual(0.05);
  });

  it('numeric means agree with planMean; alpha-1bit with its worst-case variance', () => {
    const campaign = {
      id: 'c',
      version: 1,
      title: 'Plan test',
      questions: [
        { id: 'pain', prompt: 'p', tier: 'moderate', type: 'numeric', epsilon: 1, mechanism: 'hybrid', domain: { low: 0, high: 10 } },
        { id: 'pain2', prompt: 'p', tier: 'moderate', type: 'numeric', epsilon: 1, epsilonPermanent: 2, domain: { low: 0, high: 10 } },
      ],
    };
    const [hybrid, alpha] = planCampaign(campaign, { patients: 400 }).questions;
    expect(hybrid!.halfWidth95).toBe(planMean({ mechanism: 'hybrid', epsilon: 1, n: 400, low: 0, high: 10 }).halfWidth95);
    expect(hybrid!.target).toBe(1); // ±10% of the range
    const question = validateCampaign(campaign).questions[1]!;
    expect(alpha!.mechanism).toBe('alpha-1bit');
    expect(alpha!.halfWidth95).toBe(Z_95 * Math.sqrt(createQuestionMechanism(question as NumericQuestion).variance(400)));
  });

  it('plans the demo campaign without error, and every proposed patient count is minimal', () => {
    const demo = JSON.parse(readFileSync(new URL('../../demo-app/campaign/daily-checkin.json', import.meta.url), 'utf8')) as unknown;
    const result = planCampaign(demo, { patients: 300 });
    const questions = validateCampaign(demo).questions;
    for (const [i, q] of result.questions.entries()) {
      if (q.patientsForTarget === undefined) continue;
      expect(worstHalfWidth(questions[i]!, q.patientsForTarget)).toBeLessThanOrEqual(q.target!);
      if (q.patientsForTarget > 1) expect(worstHalfWidth(questions[i]!, q.patientsForTarget - 1)).toBeGreaterThan(q.target!);
    }
  });

  it('refuses bad input with PARAMETER_INVALID naming the field', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return [(error as { code: string }).code, (error as { path: string }).path];
      }
      return undefined;
    };
    expect(code(() => planCampaign(yesNo(1), { patients: 0 }))).toEqual(['PARAMETER_INVALID', 'patients']);
    expect(code(() => planCampaign(yesNo(1), { patients: 1.5 }))).toEqual(['PARAMETER_INVALID', 'patients']);
    expect(code(() => planCampaign(yesNo(1), { patients: 10, targets: { nope: 0.1 } }))).toEqual(['PARAMETER_INVALID', 'targets.nope']);
    expect(code(() => planCampaign(yesNo(1), { patients: 10, targets: { mood: 1 } }))).toEqual(['PARAMETER_INVALID', 'targets.mood']);
    expect(code(() => planCampaign({ id: 'bad' }, { patients: 10 }))?.[0]).toBe('CAMPAIGN_INVALID');
  });
});

describe('nFor', () => {
  it('is the smallest n reaching the half-width (n − 1 misses), for the population by default', () => {
    const result = nFor({ mechanism: 'binary-rr', k: 2, epsilon: 1.3, halfWidth: 0.04 });
    expect(result.n).toBe(1837);
    expect(plan({ mechanism: 'binary-rr', k: 2, epsilon: 1.3, n: result.n }).worstCase.halfWidth95).toBeLessThanOrEqual(0.04);
    expect(plan({ mechanism: 'binary-rr', k: 2, epsilon: 1.3, n: result.n - 1 }).worstCase.halfWidth95).toBeGreaterThan(0.04);
    const respondents = nFor({ mechanism: 'binary-rr', k: 2, epsilon: 1.3, halfWidth: 0.04, estimand: 'respondents' });
    expect(respondents.n).toBeLessThan(result.n);
  });
});

describe('RAPPOR strings in the campaign plan', () => {
  it('give the detectable share of the planner (the collector\'s detection limit), and warn above ±10%', () => {
    const document = {
      id: 'c',
      version: 1,
      title: 'Plan test',
      questions: [{ id: 'drug', label: 'Medication', prompt: 'p', tier: 'low', type: 'string', epsilon: 4.2, domain: { candidates: Array.from({ length: 20 }, (_, i) => `d${i}`), rappor: { k: 32, h: 2, m: 8, f: 0.5, p: 0.25, q: 0.75 } } }],
    };
    const few = planCampaign(document, { patients: 2000 }).questions[0]!;
    const many = planCampaign(document, { patients: 200_000 }).questions[0]!;
    const expected = planRapporDetection({ k: 32, h: 2, f: 0.5, p: 0.25, q: 0.75, n: 2000, candidates: 20 }).detectableShare;
    expect(few.detectableShare).toBe(expected);
    expect(few.halfWidth95).toBeUndefined();
    expect(many.detectableShare!).toBeLessThan(few.detectableShare!);
    expect(few.warnings.map((w) => w.kind)).toEqual(['not-detectable']);
    expect(few.warnings[0]!.message).toContain('can be told apart from noise');
    expect(many.warnings).toEqual([]);
  });
});
