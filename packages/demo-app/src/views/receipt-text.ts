/**
 * The receipt's words (no DOM, so unit tests run in Node): what one report cost and the most all
 * reports of its question can cost, from the SDK's receipt and `explain()` — figures read from the
 * ledger, so the same words for every patient whose question has had as many reports, whatever
 * the answers — and a delivery line that claims nothing when nothing was sent.
 */
import type { Explanation, FlushResult, Receipt } from '@practical-privacy/sdk';
import { count, formatNumber } from '../dom.ts';

/**
 * What one report cost and what the question can cost at most, from the receipt and `explain()`:
 * the same words for every patient whose question has had as many reports, whatever the answers.
 */
export function chargeText(receipt: Pick<Receipt, 'epsilonSpent'>, explanation: Pick<Explanation, 'lifetimeBound' | 'permanentEpsilon' | 'chargedReports' | 'spent'>): string {
  const cost = `this report cost ε = ${formatNumber(receipt.epsilonSpent)}`;
  if (!Number.isFinite(explanation.lifetimeBound) || explanation.chargedReports === undefined) {
    return `${cost}; every report of this question is charged and they add up (so far ε = ${formatNumber(explanation.spent)})`;
  }
  const schedule = `ε = ${formatNumber(explanation.permanentEpsilon)} on each of its first ${count(explanation.chargedReports, 'report')}, nothing after`;
  return `${cost}; all reports of this question together cost at most ε = ${formatNumber(explanation.lifetimeBound)} (${schedule}; so far ε = ${formatNumber(explanation.spent)})`;
}

/** The delivery line: about this check-in's reports, and nothing to claim when none was sent. */
export function deliveryText(sentNow: number, delivery: FlushResult): string {
  if (sentNow === 0) return delivery.pending === 0 ? 'Nothing new was sent.' : `Nothing new was sent; ${count(delivery.pending, 'earlier report')} still queued on this device (sent automatically when the collector is reachable).`;
  if (delivery.pending === 0) return `Delivered to the clinic's collector (${count(sentNow, 'report')}).`;
  return `${count(delivery.sent, 'report')} sent now; ${count(delivery.pending, 'report')} still queued on this device (sent automatically when the collector is reachable).`;
}

