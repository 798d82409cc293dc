/**
 * The mechanism of each demo question, from core's `createQuestionMechanism` — the one factory
 * the SDK (to randomize) and the collector (to debias) also use, so the simulator's reports are
 * exactly what a device would send.
 *
 * The medication question is a string question under LOLOHA (campaign version 2): the answer is
 * one of the candidates or "other" (core's `stringIndex`), and the collector estimates a share per
 * candidate plus one for "other". The simulator and the dashboard are written for that form, so a
 * campaign that gives the question another mechanism (RAPPOR) fails here, by name.
 */
import { createQuestionMechanism, Loloha, type Question } from '@practical-privacy/core';
import { medicationQuestion, moodQuestion, painQuestion, symptomsQuestion } from '../campaign.ts';

export const symptomsMechanism = () => createQuestionMechanism(symptomsQuestion);
export const painMechanism = () => createQuestionMechanism(painQuestion);
export const moodMechanism = () => createQuestionMechanism(moodQuestion);

export function medicationMechanism(): Loloha {
  // Through the general overload: core's string overload is typed for RAPPOR only.
  const mechanism = createQuestionMechanism(medicationQuestion as Question);
  if (!(mechanism instanceof Loloha)) throw new Error(`demo campaign: question ${medicationQuestion.id} must use loloha (the simulator and dashboard expect candidate shares plus "other"), got ${mechanism.name}`);
  return mechanism;
}
