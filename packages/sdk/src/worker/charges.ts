/**
 * What one more report of a question costs, decided from the ledger alone — never from the answer
 * (docs/privacy-model.md, "Accounting"; issue 13 §2):
 *
 * - two-level question: ε∞ for each of its first D reports, 0 after, counted per (campaign,
 *   question, parameterKey). D = the permanent responses it can ever use (k for L-GRR and the L-UE
 *   family, g for LOLOHA, the rounding levels of alpha-1bit). Lifetime charge D·ε∞: a bound of the
 *   loss of ALL its reports for histories with the same change pattern (which days shared an
 *   answer) — core's test/longitudinal-loss.test.ts checks it exactly for small cases. The change
 *   pattern itself is protected per report only (ε_inst each): the privacy model says so.
 *   Knowing whether an answer repeats would need per-answer state (an answer oracle), and a charge
 *   of "ε∞ or 0" per day would show on which days an answer changed, so the count is blind.
 * - RAPPOR: ε∞ per report. Its permanent response is memoized per Bloom filter (Erlingsson et al.
 *   2014), so its reports are correlated and ε₁ per report is NOT a bound of several reports (the
 *   L-GRR counter-example in longitudinal-loss.test.ts: four reports reveal 0.61 > 4·0.14); its
 *   domain is unbounded, so no D caps the sum. One-off or Google-compatible collection only.
 * - any other one-level question: ε₁ per report; every report is randomized afresh and independently,
 *   so sequential composition is exact.
 */
import { isTwoLevel, type AnyRandomizer } from '@practical-privacy/core';

export type ChargeRule =
  | { kind: 'per-report'; epsilon: number }
  | {
      kind: 'permanent';
      /** ε∞ charged for each of the first `count` reports. */
      epsilon: number;
      /** D. */
      count: number;
      /** The ledger row counting this question's charged reports under these parameters. */
      window: string;
    };

/** `permanentKey`: a two-level question's key (campaign.ts: parameterKey ‖ digest of its domain). */
export function chargeRule(mechanism: AnyRandomizer, permanentKey?: string): ChargeRule {
  if (isTwoLevel(mechanism)) {
    // What is implemented (from the integer thresholds, rounded up; ≤ the ε∞ asked for).
    return { kind: 'permanent', epsilon: mechanism.permanentEpsilon, count: mechanism.permanentCount, window: `levels:${permanentKey ?? mechanism.parameterKey}` };
  }
  if (mechanism.name === 'rappor') return { kind: 'per-report', epsilon: (mechanism as { permanentEpsilon: number }).permanentEpsilon };
  return { kind: 'per-report', epsilon: mechanism.implementedEpsilon };
}

/** The charge of the next report, given how many reports the rule's window has counted. */
export function nextCharge(rule: ChargeRule, reportsSoFar: number): number {
  if (rule.kind === 'per-report') return rule.epsilon;
  return reportsSoFar < rule.count ? rule.epsilon : 0;
}

/** The most this question can ever cost (Infinity for per-report charges). */
export function lifetimeBound(rule: ChargeRule): number {
  return rule.kind === 'permanent' ? rule.count * rule.epsilon : Number.POSITIVE_INFINITY;
}
