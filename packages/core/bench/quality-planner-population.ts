/**
 * Issue 14 §3: the campaign planner's population plans (planCampaign / worstHalfWidth) against
 * fresh samples of patients. Each trial draws a new population — every patient holds the tracked
 * answer with probability f*, the share where the planner's worst case is reached — then every
 * patient's report goes through the question's own mechanism (two-level ones draw a fresh
 * permanent response: a fresh patient), and the error is measured against f*, the population share
 * (estimand.ts). Target: empirical 95% half-width within ±10% of the prediction, as for the
 * respondents' cells in quality-planner.ts.
 */
import { addToSums, createQuestionMechanism, validateCampaign, worstHalfWidth, Z_95, type Question } from '../src/index.ts';
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
];

/** The f in [0, 1] where the population variance of the tracked value is largest (grid, then the planner's own figure is compared). */
function worstShare(question: Question, n: number): number {
  const mechanism = createQuestionMechanism(question) as unknown as { variance(n: number, f: number, e: 'population'): number };
  let best = 0;
  let at = 0;
  for (let i = 0; i <= 10_000; i++) {
    const v = mechanism.variance(n, i / 10_000, 'population');
    if (v > best) [best, at] = [v, i / 10_000];
  }
  return at;
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
