/**
 * The benchmark's campaign: one question of each type, with the parameters a deployment would use
 * (RAPPOR as in core's rappor-decode step: k = 128 bits, h = 2, m = 64 cohorts), and answers that
 * vary the way a patient population's would. Answers are a function of the report's index, so
 * every run reports the same sequence.
 */
import type { CampaignInput } from '@practical-privacy/core';

const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ code: `${prefix}${i}`, label: `${prefix} ${i}` }));

export const benchCampaign: CampaignInput = {
  id: 'sdk-bench',
  version: 1,
  title: 'SDK benchmark',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    { id: 'symptom', prompt: 'Main symptom', type: 'categorical', tier: 'moderate', epsilon: 2, domain: { categories: codes('s', 16) } },
    { id: 'meds', prompt: 'Medications taken', type: 'multiselect', tier: 'low', epsilon: 2, domain: { items: codes('m', 12), maxItems: 3 } },
    { id: 'pain', prompt: 'Pain (0–10)', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
    {
      id: 'diagnosis',
      prompt: 'Diagnosis, in your words',
      type: 'string',
      // RAPPOR is charged its ε∞ (≈ 4.39 here) per report: only the low tier's ε∞ cap (8) allows it.
      tier: 'low',
      epsilon: 1.1,
      domain: { candidates: Array.from({ length: 40 }, (_, i) => `diagnosis-${i}`), rappor: { k: 128, h: 2, m: 64, f: 0.5, p: 0.5, q: 0.75 } },
    },
  ],
};

/** Question ids in the order reports cycle through them, with the type each stands for. */
export const QUESTIONS = [
  { id: 'fever', type: 'boolean' },
  { id: 'symptom', type: 'categorical (16 options)' },
  { id: 'meds', type: 'multiselect (12 items, ≤ 3)' },
  { id: 'pain', type: 'numeric [0, 10]' },
  { id: 'diagnosis', type: 'string (RAPPOR k=128, m=64)' },
] as const;

export type QuestionId = (typeof QUESTIONS)[number]['id'];

/** The i-th answer to a question: 2 booleans, 16 categories, 101 pain levels, 40 strings, many item sets. */
export function answerFor(questionId: QuestionId, i: number): unknown {
  switch (questionId) {
    case 'fever':
      return i % 3 !== 0;
    case 'symptom':
      return `s${(i * 7) % 16}`;
    case 'meds': {
      const picked = new Set([(i * 5) % 12, (i * 7 + 3) % 12, (i * 11 + 1) % 12].slice(0, 1 + (i % 3)));
      return [...picked].map((n) => `m${n}`);
    }
    case 'pain':
      return ((i * 37) % 101) / 10;
    case 'diagnosis':
      return `diagnosis-${(i * 13) % 40}`;
  }
}
