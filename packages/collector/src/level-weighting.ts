/**
 * How the estimates of a question with privacy levels combine its levels (issue 14 §2; core's
 * mixed-levels.ts for the estimators), chosen by `?weighting=`:
 *  - `reports` (default): weights proportional to each level's number of reports — the mean of
 *    every report's own debiased value, unbiased for the share among all respondents whatever makes
 *    a patient choose a level;
 *  - `inverse-variance`: Σ f̂ₗ/Vₗ / Σ 1/Vₗ, more precise, but biased when the level depends on the
 *    patient (30% at ε = 0.5 with prevalence 40%, 70% at ε = 2 with 10%: truth 19.0%,
 *    inverse-variance 10.8%). Served only for a question whose campaign assigns its levels at
 *    random (`levelPolicy.assignment: 'random'`: the SDK draws each report's level from its random
 *    source, independently of the answer); anything else is 400 WEIGHTING_UNAVAILABLE.
 * Shares only: alpha-1bit means combine by report counts (their SE is the per-report values'
 * empirical one). The release says which weighting it used (`weighting`).
 */
import { levelPolicyOf, type LevelWeighting } from '@practical-privacy/core';
import type { QuestionModel } from './campaigns/model.ts';
import { HttpError } from './errors.ts';
import type { WeightingStatement } from './release.ts';

export const WEIGHTINGS = ['reports', 'inverse-variance'] as const satisfies readonly LevelWeighting[];

const NOTES: Record<LevelWeighting, string> = {
  reports:
    'Levels are combined with weights proportional to their numbers of reports (the mean of every report’s own debiased value): unbiased for the share among all respondents whatever makes a patient choose a level.',
  'inverse-variance':
    'Levels are combined with inverse-variance weights: valid here because the campaign assigns each report’s level at random, independently of the answer; they would be biased were the level chosen by the patient.',
};

/** `?weighting=`: reports (default) or inverse-variance; anything else is 400 REQUEST_INVALID. */
export function parseWeighting(value: unknown): LevelWeighting {
  if (value === undefined) return 'reports';
  if (typeof value === 'string' && (WEIGHTINGS as readonly string[]).includes(value)) return value as LevelWeighting;
  throw new HttpError(400, 'REQUEST_INVALID', `weighting: must be ${WEIGHTINGS.join(' or ')}`, 'weighting');
}

/**
 * The question to estimate with `weighting`: itself for report-count weights; for inverse-variance
 * weights, a view whose mechanism combines its levels that way — refused (400 WEIGHTING_UNAVAILABLE,
 * nothing read) unless the question has levels the campaign assigns at random and estimates shares.
 */
export function weightedQuestion(question: QuestionModel, weighting: LevelWeighting): QuestionModel {
  if (weighting === 'reports') return question;
  const levelled = question.levelled;
  if (levelled === undefined) throw unavailable(`question ${question.id} has no privacy levels to weight`);
  if (levelPolicyOf(question.question).assignment !== 'random') {
    throw unavailable(`question ${question.id}'s levels are chosen on the patient's side (levelPolicy.assignment 'patient'), so a level may depend on the answer and inverse-variance weights would be biased; use weighting=reports`);
  }
  if (question.type === 'numeric') throw unavailable(`question ${question.id} is a mean (${levelled.name}): its levels combine by report counts only`);
  // The same LevelledMechanism (withholding, parts, sumsLength) with its combination fixed.
  const mechanism = Object.create(levelled, {
    estimate: { value: (sums: ArrayLike<number>, estimand?: Parameters<typeof levelled.estimate>[1]) => levelled.estimate(sums, estimand, 'inverse-variance') },
  }) as typeof levelled;
  return { ...question, mechanism: mechanism as unknown as QuestionModel['mechanism'], levelled: mechanism };
}

/** The release's `weighting` for a question with levels; undefined without levels (nothing is combined). */
export function weightingStatement(question: QuestionModel, weighting: LevelWeighting): WeightingStatement | undefined {
  if (question.levelled === undefined) return undefined;
  return { name: weighting, assignment: levelPolicyOf(question.question).assignment, note: NOTES[weighting] };
}

function unavailable(message: string): HttpError {
  return new HttpError(400, 'WEIGHTING_UNAVAILABLE', `weighting: ${message}`, 'weighting');
}
