/**
 * Which privacy level a question's next report uses and why (issue 14 §4: the receipt and explain()
 * say it). From the patient's stored choice and the levels within the app's caps (privacy-level.ts)
 * — settings, never an answer, so the same for every patient with the same choice and caps. A
 * campaign that assigns levels at random (`levelPolicy.assignment: 'random'`) says so ('assigned'):
 * `drawn` is the level a report drew; explain() draws nothing and names the default level.
 */
import { levelPolicyOf, questionLevels, type AnyRandomizer, type Question } from '@practical-privacy/core';
import { patientLevel, type PrivacyChoice } from './privacy-level.ts';
import type { LevelFacts } from './types.ts';

export function levelFacts(question: Question, fitting: Map<number, AnyRandomizer> | undefined, choices: Record<string, PrivacyChoice>, drawn?: number): LevelFacts | undefined {
  if (fitting === undefined) return undefined;
  const all = questionLevels(question);
  const defaultLevel = all[0]!;
  const strictestLevel = Math.min(...all);
  if (levelPolicyOf(question).assignment === 'random') return { level: drawn ?? defaultLevel, defaultLevel, strictestLevel, reason: 'assigned' };
  const choice = choices[question.id] ?? choices['*'] ?? 'default';
  const level = drawn ?? patientLevel([...fitting.keys()], choice);
  return { level, defaultLevel, strictestLevel, reason: choice === 'more-private' ? 'more-private' : level < defaultLevel ? 'stepped-down' : 'default' };
}
