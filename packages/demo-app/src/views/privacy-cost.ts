/**
 * What "more private" costs the clinic, in the patient's words (no DOM, so unit tests run in Node;
 * issue 14 §2). For each question of the demo campaign with privacy levels, core's planner gives the
 * worst-case 95% half-width of the clinic's daily estimate (population estimand) at the usual level
 * and at the strictest one, as if every patient chose it: `worstHalfWidth(question, n, level)`, the
 * function the collector's publish-time plan uses.
 */
import { questionLevels, worstHalfWidth, type Question } from '@practical-privacy/core';
import type { Receipt } from '@practical-privacy/sdk';
import { campaign } from '../campaign.ts';
import { listOf } from './patient-text.ts';

/** The clinic size the cost is stated for: patients checking in per day. */
export const PLANNED_PATIENTS_PER_DAY = 1_000;

export interface LevelCost {
  question: Question;
  /** Worst-case 95% half-width at the usual (default) level and at the strictest level: a share (0–1), or answer units for numeric questions. */
  usual: number;
  morePrivate: number;
}

/** The questions with privacy levels, and what their strictest level costs at `n` patients a day. */
export function levelCosts(n = PLANNED_PATIENTS_PER_DAY, questions: readonly Question[] = campaign.questions): LevelCost[] {
  return questions
    .filter((q) => q.levels !== undefined)
    .map((question) => {
      const levels = questionLevels(question);
      return { question, usual: worstHalfWidth(question, n, levels[0]), morePrivate: worstHalfWidth(question, n, Math.min(...levels)) };
    });
}

const label = (q: Question) => `“${q.label ?? q.id}”`;

/** "the share of patients answering yes to “Low mood” within about ±13 points instead of ±7". */
function costPhrase({ question, usual, morePrivate }: LevelCost): string {
  if (question.type === 'numeric') {
    const { low, high } = question.domain;
    return `the average ${label(question)} within about ±${morePrivate.toFixed(1)} instead of ±${usual.toFixed(1)} on the ${low}–${high} scale`;
  }
  const what = question.type === 'boolean' ? `the share of patients answering yes to ${label(question)}` : `each share of ${label(question)}`;
  return `${what} within about ±${Math.round(morePrivate * 100)} points instead of ±${Math.round(usual * 100)}`;
}

/** The offer, in plain words: what changes for the patient. */
export function offerText(costs: readonly LevelCost[]): string {
  return `You can ask for more privacy: your answers to ${listOf(costs.map((c) => label(c.question)))} are then scrambled more strongly, so they are even harder to tell apart from other patients’ answers. Your other questions stay as they are.`;
}

/** What it costs the clinic, from the planner. */
export function costText(costs: readonly LevelCost[], n = PLANNED_PATIENTS_PER_DAY): string {
  return `It costs the clinic accuracy. With ${n.toLocaleString('en')} patients a day, if every patient chose it, the clinic’s daily estimate would be less precise: ${listOf(costs.map(costPhrase))}.`;
}

/** What the choice does not hide. */
export const VISIBLE_TEXT = 'Your choice is kept on this phone until you change it or stop. The clinic can see that an answer was sent with more privacy, never the answer.';

/** The receipt's plain line about answers sent with more privacy, or undefined when none was. */
export function levelLine(receipts: ReadonlyArray<{ label: string; receipt: Pick<Receipt, 'details'> }>): string | undefined {
  const chosen = receipts.filter((r) => r.receipt.details.level?.reason === 'more-private').map((r) => r.label);
  const stepped = receipts.filter((r) => r.receipt.details.level?.reason === 'stepped-down').map((r) => r.label);
  const lines = [
    ...(chosen.length === 0 ? [] : [`Sent with more privacy, as you chose: ${listOf(chosen)}.`]),
    ...(stepped.length === 0 ? [] : [`Sent with more privacy, to stay within this app’s privacy limit: ${listOf(stepped)}.`]),
  ];
  return lines.length === 0 ? undefined : lines.join(' ');
}
