/**
 * Which privacy level a question's next report uses and why (issue 14 §4: the receipt and explain()
 * say it). From the patient's stored choice and the levels within the app's caps (privacy-level.ts)
 * — settings, never an answer, so the same for every patient with the same choice and caps.
 */
import { questionLevels, type AnyRandomizer, type Question } from '@practical-privacy/core';
import { levelFor, type PrivacyChoice } from './privacy-level.ts';
import type { LevelFacts } from './types.ts';

export function levelFacts(question: Question, fitting: Map<number, AnyRandomizer> | undefined, choices: Record<string, PrivacyChoice>): LevelFacts | undefined {
  if (fitting === undefined) return undefined;
  const level = levelFor(fitting, choices, question.id);
  const all = questionLevels(question);
  const defaultLevel = all[0]!;
  const chose = (choices[question.id] ?? choices['*']) === 'more-private';
  return { level, defaultLevel, strictestLevel: Math.min(...all), reason: chose ? 'more-private' : level < defaultLevel ? 'stepped-down' : 'default' };
}
