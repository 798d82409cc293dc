/**
 * Every text the SDK gives a patient (issue 14 §4), as typed messages with English defaults. An app
 * passes its own language at client creation (`createClient({ messages })`): any key it leaves
 * out, and any message of its that throws or returns no string, falls back to English.
 *
 * Main-sentence messages take no ε and no figure (shares come as a fraction for the message to put
 * in words); the `details*` messages word the figures an app may show behind a "details" disclosure.
 * Parameters are read from the ledger, the caps and the patient's privacy choice, never from an
 * answer (issue 13 §2), so every patient with the same history gets the same words.
 */
import { PrivacyError, type ErrorCode } from '@practical-privacy/core';
import type { LevelFacts } from './worker/types.ts';

type Period = 'day' | 'week';

/** Each message's parameters. */
export interface MessageParams {
  /** What scrambling does, plainly. */
  scrambled: Record<string, never>;
  /** The report uses the campaign's usual level (questions with privacy levels). */
  levelDefault: Record<string, never>;
  /** The patient chose more privacy. */
  levelMorePrivate: Record<string, never>;
  /** The SDK lowered the level to stay within the app's limits. */
  levelSteppedDown: Record<string, never>;
  /** The campaign draws each report's level at random (the same chance for every patient, whatever the answer). */
  levelAssigned: Record<string, never>;
  /** A question whose reports together can reveal only a bounded amount: `used` is the share of that bound spent (0–1). */
  lossCapped: { used: number };
  /** A two-level question: whether the answer changed between reports is protected per report only, outside the limit of `lossCapped`. */
  changesPerReport: Record<string, never>;
  /** A question charged for every report (no lifetime bound). */
  lossAdds: Record<string, never>;
  /** The campaign's share (0–1) of the app's lifetime limit used on this device. */
  total: { used: number };
  /** The question was reported in this period; `nextDay` is a UTC date, YYYY-MM-DD. */
  answered: { period: Period; nextDay: string };
  /** The browser did not grant persistent storage. */
  mayBeErased: Record<string, never>;

  /** Details: the mechanism (`summary` is core's English description of it). */
  detailsMechanism: { mechanism: string; summary: string; truthProbability: number };
  /** Details: what one report reveals at most. */
  detailsPerReport: { epsilon: number };
  /** Details: a two-level question's lifetime bound, its schedule and what was spent. */
  detailsPermanent: { lifetimeBound: number; epsilon: number; count: number; spent: number; next: number };
  /** Details: what protects whether a two-level answer changed. */
  detailsChangePattern: { instantaneousEpsilon: number };
  /** Details: a question charged per report. */
  detailsPerReportCharge: { epsilon: number; spent: number; rappor: boolean };
  /** Details: the level used and why. */
  detailsLevel: LevelFacts;
  /** Details: the campaign's total on this device and the app's cap. */
  detailsTotal: { spent: number; limit: number };
  /** Details: which campaign's privacy record this is. */
  detailsLedger: { campaignId: string };

  /** An error's words for the patient (`PrivacyError.patientMessage`); the error's `message` stays the developer's English. */
  errorConsent: { code: ErrorCode };
  errorAlreadyReported: { code: ErrorCode };
  errorBudget: { code: ErrorCode };
  errorClosed: { code: ErrorCode };
  errorAnswer: { code: ErrorCode };
  /** Not available now (offline, storage, the worker, a token): try again later. */
  errorUnavailable: { code: ErrorCode };
  /** Anything else (the app's configuration): not the patient's doing. */
  errorOther: { code: ErrorCode };
}

export type MessageKey = keyof MessageParams;
export type Messages = { [K in MessageKey]: (params: MessageParams[K]) => string };

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A share (0–1) in words, for the English main sentences (no figures there). */
function shareInWords(used: number): string {
  if (used <= 0) return 'none';
  if (used >= 1) return 'all';
  if (used < 0.1) return 'a little';
  if (used < 0.2) return 'about a tenth';
  if (used < 0.3) return 'about a quarter';
  if (used < 0.42) return 'about a third';
  if (used < 0.58) return 'about half';
  if (used < 0.72) return 'about two thirds';
  if (used < 0.9) return 'about three quarters';
  return 'almost all';
}

export const ENGLISH: Messages = {
  scrambled: () => 'Your answer is scrambled on this device before it is sent, so the clinic learns only totals over many patients, not your answer.',
  levelDefault: () => 'It is sent at the clinic’s usual privacy level.',
  levelMorePrivate: () => 'You chose more privacy: it is scrambled more strongly, so it says even less about you.',
  levelSteppedDown: () => 'It is scrambled more strongly than the clinic’s usual level, so that it stays within the privacy limit this app keeps for you.',
  levelAssigned: () => 'How strongly it is scrambled is picked by chance for each answer, the same way for every patient, so your choice of more privacy does not apply to it.',
  lossCapped: ({ used }) =>
    used >= 1
      ? 'However often you answer this question, what it can reveal about your answers has a limit, and you have reached it: answering again does not add to it.'
      : `However often you answer this question, what it can reveal about your answers has a limit; you have used ${shareInWords(used)} of it.`,
  changesPerReport: () => 'Whether your answer changed from one day to another is not covered by that limit: only each report’s own scrambling hides it.',
  lossAdds: () => 'Every answer to this question adds to what it can reveal about you.',
  total: ({ used }) => `In all, this campaign has used ${shareInWords(used)} of the privacy limit this app keeps for you.`,
  answered: ({ period, nextDay }) => `This question was already answered ${period === 'day' ? 'today' : 'this week'}; it can be answered again from ${nextDay} (UTC).`,
  mayBeErased: () => 'This browser may erase its storage; your privacy record would go with it and start again.',

  detailsMechanism: ({ summary }) => summary,
  detailsPerReport: ({ epsilon }) => `One report reveals at most ε = ${round(epsilon)}.`,
  detailsPermanent: ({ lifetimeBound, epsilon, count, spent, next }) =>
    `All reports of this question together cost at most ε = ${round(lifetimeBound)}: ε = ${round(epsilon)} on each of its first ${count} reports, nothing after. So far it has cost you ε = ${round(spent)}; one more report adds ε = ${round(next)}.`,
  detailsChangePattern: ({ instantaneousEpsilon }) =>
    `That limit is on which answers you gave; whether two days used the same stand-in — which depends on whether your answer changed — is protected by each report's fresh noise only (ε = ${round(instantaneousEpsilon)} each).`,
  detailsPerReportCharge: ({ epsilon, spent, rappor }) =>
    `Each report costs ε = ${round(epsilon)}${rappor ? ' (its reports repeat a fixed response, so each is charged what all reports of an answer can reveal)' : ''}, and reports add up; so far this question has cost you ε = ${round(spent)}.`,
  detailsLevel: ({ level, defaultLevel, strictestLevel, reason }) =>
    `Privacy level: ε₁ = ${round(level)} (${reason === 'more-private' ? 'your choice' : reason === 'stepped-down' ? 'lowered to fit this app’s caps' : reason === 'assigned' ? 'drawn at random by the campaign for each report' : 'the default'}; default ε₁ = ${round(defaultLevel)}, strictest ε₁ = ${round(strictestLevel)}).`,
  detailsTotal: ({ spent, limit }) => `This campaign has cost this device ε = ${round(spent)} of the app's lifetime cap of ε = ${round(limit)}.`,
  detailsLedger: ({ campaignId }) => `This privacy record (what your reports have cost) belongs to campaign ${campaignId}: a campaign under a new id starts a new record.`,

  errorConsent: () => 'You have not agreed to take part yet, so nothing was sent.',
  errorAlreadyReported: () => 'You have already answered this question for now; you can answer it again later.',
  errorBudget: () => 'Not sent: it would go over the privacy limit this app keeps for you.',
  errorClosed: () => 'This survey has ended, so nothing more is sent.',
  errorAnswer: () => 'This answer could not be used. Please check it and try again.',
  errorUnavailable: () => 'This could not be done right now. Your answers are safe on this device; please try again later.',
  errorOther: () => 'Something is wrong with this app’s privacy settings, so nothing was sent. This is not your doing.',
};

const KEYS = Object.keys(ENGLISH) as MessageKey[];

/** The app's messages over the English defaults; refuses (PARAMETER_INVALID) a key the SDK does not have or a value that is not a function. */
export function resolveMessages(custom: Partial<Messages> | undefined): (key: MessageKey, params: object) => string {
  if (custom !== undefined && (typeof custom !== 'object' || custom === null)) throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'messages: must be an object of message functions', { path: 'messages' });
  for (const [key, value] of Object.entries(custom ?? {})) {
    if (!KEYS.includes(key as MessageKey)) throw new PrivacyError('PARAMETER_INVALID', 'configuration', `messages.${key}: not a message of the SDK (${KEYS.join(', ')})`, { path: `messages.${key}` });
    if (value !== undefined && typeof value !== 'function') throw new PrivacyError('PARAMETER_INVALID', 'configuration', `messages.${key}: must be a function of the message's parameters`, { path: `messages.${key}` });
  }
  return (key, params) => {
    const own = custom?.[key] as ((p: object) => unknown) | undefined;
    if (own !== undefined) {
      try {
        const text = own(params);
        if (typeof text === 'string') return text;
      } catch {
        // The app's message failing must not fail a committed report's receipt: English instead.
      }
    }
    return (ENGLISH[key] as (p: object) => string)(params);
  };
}

const ERROR_MESSAGES: Partial<Record<ErrorCode, MessageKey>> = {
  CONSENT_REQUIRED: 'errorConsent',
  ALREADY_REPORTED: 'errorAlreadyReported',
  BUDGET_EXCEEDED: 'errorBudget',
  CAMPAIGN_CLOSED: 'errorClosed',
  INPUT_INVALID: 'errorAnswer',
  CAMPAIGN_UNAVAILABLE: 'errorUnavailable',
  STORAGE_UNAVAILABLE: 'errorUnavailable',
  WORKER_UNAVAILABLE: 'errorUnavailable',
  RANDOMNESS_UNAVAILABLE: 'errorUnavailable',
  TOKEN_UNAVAILABLE: 'errorUnavailable',
};

/** The message key of an error code's patient text. */
export function errorMessageKey(code: ErrorCode): MessageKey {
  return ERROR_MESSAGES[code] ?? 'errorOther';
}
