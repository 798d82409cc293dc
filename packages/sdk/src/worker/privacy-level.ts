/**
 * The privacy level a report uses (issue 14 §2), for a question whose campaign lists `levels`
 * (ε₁ values sharing one permanent level, core campaign/levels.ts):
 *  - the patient may choose "more private" for one question or for all (stored on the device, in
 *    `meta`: a setting, never an answer); it selects the question's strictest level;
 *  - otherwise the default level — or, budget-aware, the highest level within the app's per-report
 *    cap for the question's tier, so a question whose default exceeds the cap is reported at a
 *    level that fits instead of being refused — unless the campaign forbids it
 *    (`levelPolicy.stepDown: false`: refused at init with TIER_CAP_EXCEEDED, as without levels);
 *  - or, when the campaign assigns levels at random (`levelPolicy.assignment: 'random'`), a draw
 *    from the worker's random source with the campaign's weights (levelFor).
 * Charges do not depend on the level: every level shares the permanent responses, whose charge
 * (ε∞ on each of the first D reports, charges.ts) bounds all reports about an answer at any mix of
 * levels. The level travels with the report (`ext.level`): the collector sees the patient's
 * choice, up to log2(levels) bits of linkage (docs/privacy-model.md).
 */
import { createQuestionRandomizer, drawLevel, levelPolicyOf, PrivacyError, questionLevels, type AnyRandomizer, type Question, type RandomSampler } from '@practical-privacy/core';
import type { SdkDatabase } from '../store/db.ts';

export type PrivacyChoice = 'default' | 'more-private';

/** Levels of a question that fit the per-report cap, and their randomizers (highest first). */
export function levelsWithin(question: Question, cap: number, campaignId: string): Map<number, AnyRandomizer> {
  const fitting = new Map<number, AnyRandomizer>();
  for (const level of questionLevels(question)) {
    const randomizer = createQuestionRandomizer(question, { campaignId, level });
    if (level <= cap && randomizer.implementedEpsilon <= cap) fitting.set(level, randomizer);
  }
  return fitting;
}

const keyOf = (campaignId: string) => `privacy|${campaignId}`;

type Stored = Record<string, PrivacyChoice>;

export async function readChoices(db: SdkDatabase, campaignId: string): Promise<Stored> {
  return ((await db.get('meta', keyOf(campaignId))) as Stored | undefined) ?? {};
}

/** `questionId` undefined: every question ('*'). 'default' removes the choice. */
export async function writeChoice(db: SdkDatabase, campaignId: string, choice: PrivacyChoice, questionId = '*'): Promise<void> {
  const stored = await readChoices(db, campaignId);
  if (choice === 'default') delete stored[questionId];
  else stored[questionId] = choice;
  await db.put('meta', stored, keyOf(campaignId));
}

/**
 * The level a report of `question` uses: the strictest when the patient chose more privacy, else
 * the highest that fits. A campaign that assigns the question's levels at random
 * (`levelPolicy.assignment: 'random'`, core level-policy.ts) gets a fresh draw from the worker's
 * random source, independent of the answer; a patient who chose more privacy for it is refused
 * (LEVEL_ASSIGNED) rather than reported at a level above their choice or at one that would break
 * the independence the collector's inverse-variance weights rely on.
 */
export function levelFor(question: Question, levels: Map<number, AnyRandomizer>, choices: Stored, sampler: RandomSampler): number {
  const fitting = [...levels.keys()];
  const choice = choices[question.id] ?? choices['*'] ?? 'default';
  if (levelPolicyOf(question).assignment === 'random') {
    if (choice === 'more-private') throw levelAssigned(question.id);
    return drawLevel(question, sampler);
  }
  return patientLevel(fitting, choice);
}

/** A patient-assigned question's level: the strictest that fits after "more private", else the highest. */
export function patientLevel(fitting: readonly number[], choice: PrivacyChoice): number {
  return choice === 'more-private' ? Math.min(...fitting) : Math.max(...fitting);
}

export function levelAssigned(questionId: string): PrivacyError {
  return new PrivacyError(
    'LEVEL_ASSIGNED',
    'input',
    `${questionId}: its privacy level is assigned at random, so a choice of more privacy cannot be honoured; nothing was reported`,
    { path: 'questionId' },
  );
}

/**
 * Whether the budget-aware step-down may apply: a campaign can forbid it (`levelPolicy.stepDown:
 * false`), and random assignment never steps down. Without it, the question is held to its default
 * level, so a default above the app's per-report cap refuses the campaign at init
 * (TIER_CAP_EXCEEDED), exactly as for a question without levels.
 */
export function mayUseLevels(question: Question, fitting: Map<number, AnyRandomizer>): boolean {
  if (fitting.size === 0) return false;
  return levelPolicyOf(question).stepDown || fitting.has(question.epsilon);
}
