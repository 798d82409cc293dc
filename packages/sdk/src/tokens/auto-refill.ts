/**
 * When the wallet refills by itself (issue 17 §1: "ahead of time and in bulk"), and when it does not.
 *
 * The issuer sees WHEN an account fetches; the collector sees when reports with tokens arrive. If a
 * device fetched right before (or right after) each report, the two sets of times would join an
 * account to its reports — blind RSA hides the token, not the timing (RFC 9576 §6, "timing"
 * correlation). So the wallet fetches early and spends later:
 *
 * - it refills only when it is LOW: some question of the campaign has no token for one of its next
 *   `lowPeriods` listed periods (the current one included); then it fetches every listed period at
 *   once (the issuer publishes `aheadDays` ahead, 14 by default), so with the defaults a device
 *   fetches about once every 12 days — not once a report;
 * - the check never runs because of a report: it runs when the app starts the client (after a
 *   random delay of 0 to `maxDelayMs`, drawn from the platform CSPRNG), then every `checkEveryMs`
 *   while the app stays open;
 * - what remains: the issuer learns that the account opened the app on the day of a refill, and a
 *   token's key tells the collector its period (by design). The anonymity set of a key is every
 *   account that fetched under it: all patients, when they refill ahead (docs/privacy-model.md).
 */
import type { TokenKey } from '@practical-privacy/core';

export interface AutoRefillOptions {
  /** Refill when a question lacks a token for one of its next `lowPeriods` listed periods (default 3). */
  lowPeriods?: number;
  /** How often the wallet checks while the app runs (default 1 hour). */
  checkEveryMs?: number;
  /** The first check waits a uniform random 0..maxDelayMs after start (default 60 s). */
  maxDelayMs?: number;
  /** A refill that failed (offline, logged out: the tokenProvider threw); the next check tries again. */
  onError?: (error: unknown) => void;
}

export const AUTO_REFILL_DEFAULTS = { lowPeriods: 3, checkEveryMs: 3_600_000, maxDelayMs: 60_000 } as const;

/**
 * Whether the wallet is low for `campaignId`: some question has, among its first `lowPeriods`
 * issuable keys by period, one whose context the wallet neither holds nor has spent nor was
 * refused (a refused context — the allowance used on another device — is not asked for again by
 * the automatic check; `refill()` still asks).
 */
export function isLow(keys: readonly TokenKey[], campaignId: string, covered: (key: TokenKey) => boolean, nowMs: number, lowPeriods: number): boolean {
  const byQuestion = new Map<string, TokenKey[]>();
  for (const key of keys) {
    if (key.campaignId !== campaignId || Date.parse(key.issueUntil) <= nowMs) continue;
    const list = byQuestion.get(key.questionId) ?? [];
    list.push(key);
    byQuestion.set(key.questionId, list);
  }
  for (const list of byQuestion.values()) {
    list.sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
    if (list.slice(0, lowPeriods).some((key) => !covered(key))) return true;
  }
  return false;
}
