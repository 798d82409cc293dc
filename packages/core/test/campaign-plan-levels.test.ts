/**
 * The planner for questions with privacy levels (issue 14 §2–3): under random assignment it plans
 * the campaign's level mix — the report-count estimator's population variance at the expected
 * shares, checked against the estimator's own standard error on expected sums over a grid of true
 * shares (its maximum is the plan's) — and under patient assignment the default level, with the
 * strictest level's half-width beside it; ε for a target scales every level.
 */
import { describe, expect, it } from 'vitest';
import { createQuestionMechanism, estimateQuestionLevels, planCampaign, plannedLevelShares, validateCampaign, worstHalfWidth, Z_95, type MixedFrequencyEstimate, type Question } from '../src/index.ts';

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const campaign = (question: Record<string, unknown>) => ({ id: 'c', version: 1, title: 'plan levels', questions: [{ id: 'q', prompt: 'p', tier: 'moderate', ...question }] });
const question = (q: Record<string, unknown>): Question => validateCampaign(campaign(q)).questions[0]!;
const RANDOM = { assignment: 'random', weights: [3, 7] };
const QUESTIONS: Record<string, Record<string, unknown>> = {
  'yes/no': { type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: RANDOM },
  'l-oue': { type: 'categorical', mechanism: 'l-oue', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: RANDOM, domain: { categories: options(['a', 'b', 'c', 'd']) } },
  padding: { type: 'multiselect', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.7], levelPolicy: RANDOM, domain: { items: options(['a', 'b', 'c', 'd', 'e']), maxItems: 2, inner: 'loloha' } },
};

/** The estimator's own 95% half-width of value 0 on expected sums with true share f at every level. */
function estimatorHalfWidth(q: Question, n: number, shares: number[], f: number): number {
  const levels = q.levels!;
  const parts = levels.map((level, j) => {
    const m = createQuestionMechanism(q, { level }) as unknown as { p?: number; q?: number; k: number; maxItems?: number; inner?: { p: number; q: number; k: number } };
    const nl = n * shares[j]!;
    // Padding-and-sampling: an item held with prevalence f is the inner oracle's value with share f/L.
    const [p, qq, k, share] = m.inner === undefined ? [m.p!, m.q!, m.k, f] : [m.inner.p, m.inner.q, m.inner.k, f / m.maxItems!];
    const sums = [nl, ...Array.from({ length: k }, (_, v) => nl * (qq + (v === 0 ? share : 0) * (p - qq)))];
    return { level, sums };
  });
  const estimate = estimateQuestionLevels(q, parts) as MixedFrequencyEstimate;
  expect(estimate.values[0]).toBeCloseTo(f, 9);
  return Z_95 * estimate.standardErrors[0]!;
}

describe('planning questions with privacy levels', () => {
  for (const [name, spec] of Object.entries(QUESTIONS)) {
    it(`${name}, random assignment 3:7: the plan is the largest of the estimator's own half-widths over true shares`, () => {
      const q = question(spec);
      const n = 1000;
      const shares = plannedLevelShares(q);
      expect(shares).toEqual([0.3, 0.7]);
      let largest = 0;
      for (let i = 0; i <= 200; i++) largest = Math.max(largest, estimatorHalfWidth(q, n, shares, i / 200));
      const planned = worstHalfWidth(q, n);
      expect(planned).toBeGreaterThanOrEqual(largest * (1 - 1e-9));
      expect(planned).toBeLessThan(largest * 1.001);
      // Between all at the default and all at the strict level.
      const at = (levels: number[], weights: number[]) => worstHalfWidth(question({ ...spec, levels, levelPolicy: { assignment: 'random', weights } }), n);
      expect(planned).toBeGreaterThan(at(q.levels as number[], [1000000, 1]));
      expect(planned).toBeLessThan(at(q.levels as number[], [1, 1000000]));
    });
  }

  it('patient assignment plans the default level and gives the strictest beside it; random assignment plans the mix', () => {
    const patient = planCampaign(campaign({ type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5] }), { patients: 1000 }).questions[0]!;
    const plain = planCampaign(campaign({ type: 'boolean', epsilon: 2, epsilonPermanent: 4 }), { patients: 1000 }).questions[0]!;
    expect(patient.halfWidth95).toBeCloseTo(plain.halfWidth95!, 12);
    expect(patient.levelMix).toMatchObject({ assignment: 'patient', shares: [1, 0] });
    // Every report at ε₁ = 0.5 (sharing the default's ε∞ = 4): the estimator's own half-width on expected sums at its worst share.
    const q = question({ type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5] });
    const strict = createQuestionMechanism(q, { level: 0.5 }) as unknown as { variance(n: number, f: number, e: 'population'): number };
    expect(patient.levelMix!.strictestHalfWidth95).toBeCloseTo(Z_95 * Math.sqrt(strict.variance(1000, 0.5, 'population')), 12);
    expect(patient.levelMix!.strictestHalfWidth95).toBeGreaterThan(2 * patient.halfWidth95!);
    const random = planCampaign(campaign(QUESTIONS['yes/no']!), { patients: 1000 }).questions[0]!;
    expect(random.levelMix).toMatchObject({ assignment: 'random', shares: [0.3, 0.7] });
    expect(random.halfWidth95).toBeGreaterThan(patient.halfWidth95!);
    expect(random.halfWidth95).toBeLessThan(patient.levelMix!.strictestHalfWidth95);
    expect(plain.levelMix).toBeUndefined();
  });

  it('the ε for a target scales every level with the default, and reaches the target', () => {
    const plan = planCampaign(campaign(QUESTIONS['yes/no']!), { patients: 1000, targets: { q: 0.05 } }).questions[0]!;
    const epsilon = plan.epsilonForTarget!;
    expect(epsilon).toBeGreaterThan(2);
    const scaled = { ...QUESTIONS['yes/no']!, epsilon, epsilonPermanent: 2 * epsilon, levels: [epsilon, epsilon / 4] };
    expect(worstHalfWidth(question(scaled), 1000)).toBeLessThanOrEqual(0.05);
    const less = Number((epsilon - 0.01).toFixed(2));
    expect(worstHalfWidth(question({ ...scaled, epsilon: less, epsilonPermanent: 2 * less, levels: [less, less / 4] }), 1000)).toBeGreaterThan(0.05);
  });
});
