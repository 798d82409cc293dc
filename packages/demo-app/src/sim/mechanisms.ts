/**
 * The mechanism of each demo question, from core's `createQuestionMechanism` — the one factory
 * the SDK (to randomize) and the collector (to debias) also use, so the simulator's reports are
 * exactly what a device would send.
 */
import { createQuestionMechanism } from '@practical-privacy/core';
import { campaign, medicationQuestion, moodQuestion, painQuestion, symptomsQuestion } from '../campaign.ts';

export const symptomsMechanism = () => createQuestionMechanism(symptomsQuestion);
export const painMechanism = () => createQuestionMechanism(painQuestion);
export const moodMechanism = () => createQuestionMechanism(moodQuestion);
export const medicationMechanism = () => createQuestionMechanism(medicationQuestion, { campaignId: campaign.id });
