/**
 * How a report's level is chosen (issue 14 §2, campaign `levelPolicy`): the schema's rules; the
 * device's random draw is exact (integer weights, one uniform integer) and uses nothing but the
 * random source; and when levels are drawn at random — independent of the answer — inverse-variance
 * weights cover in a seeded coverage run and are more precise than report-count weights, which is
 * the only case core allows them in.
 */
import { describe, expect, it } from 'vitest';
import {
  addToSums,
  createQuestionMechanism,
  drawLevel,
  estimateQuestionLevels,
  levelPolicyOf,
  questionLevels,
  RandomSampler,
  seededRandomSource,
  validateCampaign,
  type MixedFrequencyEstimate,
  type Question,
  type RandomSource,
} from '../src/index.ts';

const addAny = addToSums as (mechanism: unknown, report: unknown, sums: Float64Array) => void;
const campaign = (extra: Record<string, unknown>) => ({
  id: 'c',
  version: 1,
  title: 'policy',
  questions: [{ id: 'q0', prompt: 'p', tier: 'moderate', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], ...extra }],
});
const question = (extra: Record<string, unknown>): Question => validateCampaign(campaign(extra)).questions[0]!;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return [(error as { code: string }).code, (error as { path?: string }).path];
  }
  return undefined;
};

describe('levelPolicy in the campaign schema', () => {
  it('defaults: patient assignment with step-down; stepDown: false kept; random needs one integer weight per level and never steps down', () => {
    expect(levelPolicyOf(question({}))).toEqual({ assignment: 'patient', stepDown: true });
    expect(levelPolicyOf(question({ levelPolicy: { stepDown: false } }))).toEqual({ assignment: 'patient', stepDown: false });
    expect(levelPolicyOf(question({ levelPolicy: { assignment: 'random', weights: [3, 1] } }))).toEqual({ assignment: 'random', weights: [3, 1], stepDown: false });
    expect(codeOf(() => question({ levelPolicy: { assignment: 'random' } }))).toEqual(['CAMPAIGN_INVALID', 'questions.0.levelPolicy.weights']);
    expect(codeOf(() => question({ levelPolicy: { assignment: 'random', weights: [1, 1, 1] } }))).toEqual(['CAMPAIGN_INVALID', 'questions.0.levelPolicy.weights']);
    expect(codeOf(() => question({ levelPolicy: { assignment: 'random', weights: [1, 0.5] } }))?.[0]).toBe('CAMPAIGN_INVALID');
    expect(codeOf(() => question({ levelPolicy: { assignment: 'random', weights: [1, 0] } }))?.[0]).toBe('CAMPAIGN_INVALID');
    expect(codeOf(() => question({ levelPolicy: { assignment: 'random', weights: [1, 1], stepDown: true } }))).toEqual(['CAMPAIGN_INVALID', 'questions.0.levelPolicy.stepDown']);
    expect(codeOf(() => question({ levelPolicy: { weights: [1, 1] } }))).toEqual(['CAMPAIGN_INVALID', 'questions.0.levelPolicy.weights']);
    expect(codeOf(() => question({ levelPolicy: { assignment: 'answer' } }))?.[0]).toBe('CAMPAIGN_INVALID');
    expect(codeOf(() => question({ levelPolicy: { stepdown: false } }))?.[0]).toBe('CAMPAIGN_INVALID');
    expect(codeOf(() => question({ levels: undefined, levelPolicy: { stepDown: false } }))).toEqual(['CAMPAIGN_INVALID', 'questions.0.levelPolicy']);
  });
});

describe('drawLevel', () => {
  it('maps one uniform integer in [0, Σw) to a level by exact cumulative weights', () => {
    const q = question({ levelPolicy: { assignment: 'random', weights: [3, 1] } });
    // A source whose first uint32 is x: uniformInt(4) of it is x mod 4 (sampler.ts; 4 divides 2³², nothing rejected).
    const fixed = (x: number): RandomSource => ({ fill: (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(0, x, true) }) as unknown as RandomSource;
    const seen = [0, 1, 2, 3].map((u) => drawLevel(q, new RandomSampler(fixed(u + 4 * 12345))));
    expect(seen).toEqual([2, 2, 2, 0.5]);
  });

  it('draws with the declared probabilities (20,000 seeded draws, weights 7:3)', () => {
    const q = question({ levelPolicy: { assignment: 'random', weights: [7, 3] } });
    const rng = new RandomSampler(seededRandomSource('draw level'));
    let strict = 0;
    for (let i = 0; i < 20_000; i++) if (drawLevel(q, rng) === 0.5) strict++;
    // Binomial(20000, 0.3): sd 64.8; ±5 sd.
    expect(Math.abs(strict - 6000)).toBeLessThan(324);
  });

  it('refuses a question whose levels are not assigned at random', () => {
    expect(() => drawLevel(question({}), new RandomSampler(seededRandomSource('x')))).toThrow(TypeError);
  });
});

describe('inverse-variance weights under random assignment', () => {
  it('seeded coverage with levels drawn independently of the answer: both weightings cover; inverse-variance has the smaller variance', () => {
    const q = question({ levelPolicy: { assignment: 'random', weights: [1, 1] } });
    const rng = new RandomSampler(seededRandomSource('random assignment coverage'));
    const mechanisms = new Map(questionLevels(q).map((level) => [level, createQuestionMechanism(q, { level }) as unknown as { sumsLength: number; randomize(x: number, r: RandomSampler): unknown }]));
    const trials = 300;
    const n = 2000;
    const truth = 0.19;
    const covered = { reports: 0, 'inverse-variance': 0 };
    const values: Record<string, number[]> = { reports: [], 'inverse-variance': [] };
    for (let t = 0; t < trials; t++) {
      const sums = new Map([...mechanisms].map(([level, m]) => [level, new Float64Array(m.sumsLength)]));
      for (let i = 0; i < n; i++) {
        const level = drawLevel(q, rng);
        const yes = rng.uint32() < truth * 2 ** 32 ? 1 : 0;
        addAny(mechanisms.get(level)!, mechanisms.get(level)!.randomize(yes, rng), sums.get(level)!);
      }
      const parts = [...sums].map(([level, s]) => ({ level, sums: s }));
      for (const weighting of ['reports', 'inverse-variance'] as const) {
        const estimate = estimateQuestionLevels(q, parts, { weighting }) as MixedFrequencyEstimate;
        expect(estimate.weighting).toBe(weighting);
        const [low, high] = estimate.ci95[1]!;
        if (low <= truth && truth <= high) covered[weighting]++;
        values[weighting]!.push(estimate.values[1]!);
      }
    }
    // Binomial(300, 0.95) ≥ 272 with probability > 0.999.
    expect(covered.reports).toBeGreaterThanOrEqual(272);
    expect(covered['inverse-variance']).toBeGreaterThanOrEqual(272);
    const variance = (xs: number[]) => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    };
    // Half the reports at ε₁ = 0.5: inverse variance leans on the precise level (≈ 0.4× the report-count variance here).
    expect(variance(values['inverse-variance']!)).toBeLessThan(0.7 * variance(values.reports!));
  });
});
