/**
 * The plain words `explain()` and receipts give a patient. They depend on the question, its
 * mechanism and the ledger — never on an answer (issue 13 §2): the same for every patient who has
 * made the same number of reports.
 */
import type { AnyRandomizer } from '@practical-privacy/core';
import { isTwoLevel } from '@practical-privacy/core';
import { lifetimeBound, type ChargeRule } from './charges.ts';

export interface ExplainInput {
  campaignId: string;
  mechanism: AnyRandomizer;
  rule: ChargeRule;
  /** ε this question has cost so far. */
  spent: number;
  /** ε one more report adds. */
  next: number;
  persistent: boolean;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function explainText(input: ExplainInput): string {
  const { mechanism, rule } = input;
  const parts = [mechanism.describe().summary, `One report reveals at most ε = ${round(mechanism.implementedEpsilon)}.`];
  if (rule.kind === 'permanent') {
    parts.push(
      `All reports of this question together cost at most ε = ${round(lifetimeBound(rule))}: ε = ${round(rule.epsilon)} on each of its first ${rule.count} reports, nothing after.`,
      `So far it has cost you ε = ${round(input.spent)}; one more report adds ε = ${round(input.next)}.`,
    );
    if (isTwoLevel(mechanism)) parts.push(`That limit is on which answers you gave; whether two days used the same stand-in — which depends on whether your answer changed — is protected by each report's fresh noise only (ε = ${round(mechanism.instantaneousEpsilon)} each).`);
  } else {
    const why = mechanism.name === 'rappor' ? ' (its reports repeat a fixed response, so each is charged what all reports of an answer can reveal)' : '';
    parts.push(`Each report costs ε = ${round(rule.epsilon)}${why}, and reports add up; so far this question has cost you ε = ${round(input.spent)}.`);
  }
  parts.push(`This ledger belongs to campaign ${input.campaignId}: a campaign under a new id starts a new ledger.`);
  if (!input.persistent) parts.push('This browser may erase its storage; the device key and the ledger would go with it, and later reports would start a new ledger.');
  return parts.join(' ');
}
