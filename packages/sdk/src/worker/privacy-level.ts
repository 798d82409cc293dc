/**
 * The privacy level a report uses (issue 14 §2), for a question whose campaign lists `levels`
 * (ε₁ values sharing one permanent level, core campaign/levels.ts):
 *  - the patient may choose "more private" for one question or for all (stored on the device, in
 *    `meta`: a setting, never an answer); it selects the question's strictest level;
 *  - otherwise the default level — or, budget-aware, the highest level within the app's per-report
 *    cap for the question's tier, so a question whose default exceeds the cap is reported at a
 *    level that fits instead of being refused.
 * Charges do not depend on the level: every level shares the permanent responses, whose charge
 * (ε∞ on each of the first D reports, charges.ts) bounds all reports about an answer at any mix of
 * levels. The level travels with the report (`ext.level`): the collector sees the patient's
 * choice, up to log2(levels) bits of linkage (docs/privacy-model.md).
 */
import { createQuestionRandomizer, questionLevels, type AnyRandomizer, type Question } from '@practical-privacy/core';
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

/** The level a report of `questionId` uses: the strictest when the patient chose more privacy, else the highest that fits. */
export function levelFor(levels: Map<number, AnyRandomizer>, choices: Stored, questionId: string): number {
  const fitting = [...levels.keys()];
  const choice = choices[questionId] ?? choices['*'] ?? 'default';
  return choice === 'more-private' ? Math.min(...fitting) : Math.max(...fitting);
}
