/**
 * Issue 14 §3: the campaign planner's population plans (planCampaign / worstHalfWidth) against
 * fresh samples of patients. Each trial draws a new population — every patient holds the tracked
 * answer with probability f*, the share where the planner's worst case is reached — then every
 * patient's report goes through the question's own mechanism (two-level ones draw a fresh
 * permanent response: a fresh patient), and the error is measured against f*, the population share
 * (estimand.ts). Target: empirical 95% half-width within ±10% of the prediction, as for the
 * respondents' cells in quality-planner.ts. Mixed privacy levels (issue 14 §2): questions whose
 * campaign assigns levels at random, each patient's level drawn (drawLevel), estimated by the
 * collector's report-count combination, against planCampaign's mix prediction.
 */
import {
  addToSums,
  createQuestionMechanism,
  drawLevel,
  estimateQuestionLevels,
  plannedLevelShares,
  questionLevels,
  validateCampaign,
  worstHalfWidth,
  Z_95,
  type MixedFrequencyEstimate,
  type Question,
  type RandomSampler,
} from '../src/index.ts';
import { meanAndSe, quantile, seededSampler } from './simulate.ts';
import { isQuick } from './results.ts';

/** core's addToSums for a mechanism typed loosely here. */
const addAny = addToSums as (mechanism: unknown, report: unknown, sums: Float64Array) => void;

export interface PopulationPlannerRow {
  label: string;
  mechanism: string;
  epsilon: number;
  epsilonPermanent?: number;
  n: number;
  trials: number;
  worstShare: number;
  predicted: number;
  quantileHalfWidth: number;
  rmseHalfWidth: number;
  quantileRatio: number;
  rmseRatio: number;
  coverageOfPredicted: number;
}

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const QUESTIONS: { label: string; n: number; trials: number; question: Record<string, unknown> }[] = [
  { label: 'clinic yes/no, 300 patients', n: 300, trials: 20_000, question: { type: 'boolean', mechanism: 'binary-rr', epsilon: 1.3 } },
  { label: '4 answers, 1,000 patients (GRR worst at f ≈ 0.66)', n: 1000, trials: 8000, question: { type: 'categorical', mechanism: 'grr', epsilon: 2, domain: { categories: options(['a', 'b', 'c', 'd']) } } },
  { label: 'two-level yes/no, 500 patients', n: 500, trials: 10_000, question: { type: 'boolean', epsilon: 1, epsilonPermanent: 2 } },
  { label: 'two-level 5 answers (L-OUE), 1,000 patients', n: 1000, trials: 4000, question: { type: 'categorical', mechanism: 'l-oue', epsilon: 1, epsilonPermanent: 2, domain: { categories: options(['a', 'b', 'c', 'd', 'e']) } } },
  { label: 'symptoms: 5 items, up to 2, 1,000 patients', n: 1000, trials: 4000, question: { type: 'multiselect', epsilon: 2, domain: { items: options(['a', 'b', 'c', 'd', 'e']), maxItems: 2 } } },
  // Issue 14 §2: mixed privacy levels, assigned at random (the plan knows the mix): each patient's
  // level is core's drawLevel, the estimate the collector's report-count combination.
  { label: 'mixed levels yes/no ε₁ 2 / 0.5 at 7:3, 1,000 patients', n: 1000, trials: 8000, question: { type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: { assignment: 'random', weights: [7, 3] } } },
  { label: 'mixed levels L-OUE 4 answers ε₁ 2 / 1 / 0.5 at 2:1:1, 1,000 patients', n: 1000, trials: 3000, question: { type: 'categorical', mechanism: 'l-oue', epsilon: 2, epsilonPermanent: 4, levels: [2, 1, 0.5], levelPolicy: { assignment: 'random', weights: [2, 1, 1] }, domain: { categories: options(['a', 'b', 'c', 'd']) } } },
];

/**
 * The f in [0, 1] where the population variance of the tracked value is largest (grid, then the
 * planner's own figure is compared). With levels: the report-count mix at the planned shares,
 * Σₗ πₗ·Varₗ(n, f, respondents) + f(1 − f)/n (mixed-levels.ts).
 */
function worstShare(question: Question, n: number): number {
  type Variance = { variance(n: number, f: number, e: 'population' | 'respondents'): number };
  const shares = plannedLevelShares(question);
  const levels = questionLevels(question).map((level) => createQuestionMechanism(question, { level }) as unknown as Variance);
  const variance = (f: number) =>
    question.levels === undefined ? levels[0]!.variance(n, f, 'population') : shares.reduce((s, share, j) => s + share * levels[j]!.variance(n, f, 'respondents'), 0) + (f * (1 - f)) / n;
  let best = 0;
  let at = 0;
  for (let i = 0; i <= 10_000; i++) {
    const v = variance(i / 10_000);
    if (v > best) [best, at] = [v, i / 10_000];
  }
  return at;
}

type Level = { sumsLength: number; randomize(input: unknown, rng: RandomSampler): unknown };
const levelMechanisms = new WeakMap<Question, Map<number, Level>>();

/** One trial of a question with levels: n fresh patients, each at a drawn level; the report-count estimate of the tracked value. */
function mixedTrial(question: Question, n: number, threshold: number, held: unknown, other: unknown, tracked: number, rng: RandomSampler): number {
  const levels = questionLevels(question);
  let mechanisms = levelMechanisms.get(question);
  if (mechanisms === undefined) levelMechanisms.set(question, (mechanisms = new Map(levels.map((level) => [level, createQuestionMechanism(question, { level }) as unknown as Level]))));
  const sums = new Map(levels.map((level) => [level, new Float64Array(mechanisms.get(level)!.sumsLength)]));
  for (let i = 0; i < n; i++) {
    const level = drawLevel(question, rng);
    const mechanism = mechanisms.get(level)!;
    addAny(mechanism, mechanism.randomize(rng.uint32() < threshold ? held : other, rng), sums.get(level)!);
  }
  return (estimateQuestionLevels(question, [...sums].map(([level, s]) => ({ level, sums: s }))) as MixedFrequencyEstimate).values[tracked]!;
}

export function populationPlannerRows(): PopulationPlannerRow[] {
  return QUESTIONS.map(({ label, n, trials: fullTrials, question: q }) => {
    const trials = isQuick ? Math.max(300, Math.round(fullTrials / 10)) : fullTrials;
    const question = validateCampaign({ id: 'plan', version: 1, title: 'plan', questions: [{ id: 'q', prompt: 'q', tier: 'moderate', ...q }] }).questions[0]!;
    const mechanism = createQuestionMechanism(question) as unknown as {
      name: string;
      sumsLength: number;
      randomize(input: unknown, rng: unknown): unknown;
      estimate(sums: Float64Array): { values: number[] };
    };
    const f = worstShare(question, n);
    const threshold = Math.floor(f * 2 ** 32);
    const rng = seededSampler(`bench/quality/planner-population ${label}`);
    // Yes/no questions track "yes" (value 1); the others their first value or item.
    const tracked = question.type === 'boolean' ? 1 : 0;
    const held = question.type === 'multiselect' ? [tracked] : tracked;
    const other = question.type === 'multiselect' ? [1] : tracked === 1 ? 0 : 1;
    const sums = new Float64Array(mechanism.sumsLength);
    const errors = new Float64Array(trials);
    for (let t = 0; t < trials; t++) {
      if (question.levels !== undefined) {
        errors[t] = mixedTrial(question, n, threshold, held, other, tracked, rng) - f;
        continue;
      }
      sums.fill(0);
      for (let i = 0; i < n; i++) addAny(mechanism, mechanism.randomize(rng.uint32() < threshold ? held : other, rng), sums);
      errors[t] = mechanism.estimate(sums).values[tracked]! - f;
    }
    const predicted = worstHalfWidth(question, n);
    const absolute = errors.map(Math.abs).sort();
    const quantileHalfWidth = quantile(absolute, 0.95);
    const rmseHalfWidth = Z_95 * Math.sqrt(meanAndSe(errors.map((e) => e * e)).mean);
    let covered = 0;
    for (const e of absolute) if (e <= predicted) covered++;
    return {
      label,
      mechanism: mechanism.name,
      epsilon: question.epsilon,
      ...(question.epsilonPermanent === undefined ? {} : { epsilonPermanent: question.epsilonPermanent }),
      n,
      trials,
      worstShare: f,
      predicted,
      quantileHalfWidth,
      rmseHalfWidth,
      quantileRatio: quantileHalfWidth / predicted,
      rmseRatio: rmseHalfWidth / predicted,
      coverageOfPredicted: covered / trials,
    };
  });
}
