/**
 * The demo campaign (campaign/daily-checkin.json, the same file `pnpm demo` publishes), validated
 * with core's `validateCampaign` so that defaults are applied exactly as the collector and the
 * SDK apply them, and the few look-ups the views need.
 */
import { validateCampaign, type BooleanQuestion, type Campaign, type MultiselectQuestion, type NumericQuestion, type Question, type StringQuestion, type Tier } from '@practical-privacy/core';
import campaignDocument from '../campaign/daily-checkin.json';

export type { BooleanQuestion, MultiselectQuestion, NumericQuestion, Question, StringQuestion, Tier };

export const campaign: Campaign = validateCampaign(campaignDocument);

export function questionById<T extends Question['type']>(id: string, type: T): Extract<Question, { type: T }> {
  const question = campaign.questions.find((q) => q.id === id);
  if (question === undefined || question.type !== type) throw new Error(`demo campaign has no ${type} question ${id}`);
  return question as Extract<Question, { type: T }>;
}

export const symptomsQuestion = questionById('symptoms', 'multiselect');
export const painQuestion = questionById('pain', 'numeric');
export const moodQuestion = questionById('low-mood', 'boolean');
export const medicationQuestion = questionById('medication', 'string');

export const symptomItems = symptomsQuestion.domain.items;
export const medicationCandidates = medicationQuestion.domain.candidates;

export function symptomLabel(index: number): string {
  return symptomItems[index]?.label ?? String(index);
}

export const TIER_DESCRIPTIONS: Record<Tier, string> = {
  low: 'low sensitivity',
  moderate: 'moderate sensitivity',
  high: 'high sensitivity — stronger protection',
  restricted: 'restricted — strongest protection',
};
