/**
 * The words of explain() and of a receipt, built on the facade from the worker's figures (so the
 * texts stay out of the worker's bundle) through the app's messages (src/messages.ts).
 *
 * `text`, the main sentence: what scrambling does, the privacy level and why (the default, the
 * patient's "more private", or stepped down to fit the caps), the loss so far in words — no symbol,
 * no figure. `details`: the figures and their technical sentences (ε), for a "details" disclosure.
 * Everything comes from AccountFacts, which the worker reads from the ledger, the caps and the
 * stored choice, never from an answer: the same words whatever the answers were (issue 13 §2).
 */
import type { MessageKey } from './messages.ts';
import type { Availability } from './store/ledger.ts';
import type { AccountFacts, Details } from './worker/types.ts';

type Say = (key: MessageKey, params: object) => string;

const LEVEL_MESSAGE = { default: 'levelDefault', 'more-private': 'levelMorePrivate', 'stepped-down': 'levelSteppedDown', assigned: 'levelAssigned' } as const;

export function plainText(say: Say, facts: AccountFacts, availability?: Availability): string {
  const parts = [say('scrambled', {})];
  if (facts.level !== undefined) parts.push(say(LEVEL_MESSAGE[facts.level.reason], {}));
  parts.push(Number.isFinite(facts.lifetimeBound) ? say('lossCapped', { used: share(facts.spent, facts.lifetimeBound) }) : say('lossAdds', {}));
  if (facts.instantaneousEpsilon !== undefined) parts.push(say('changesPerReport', {}));
  parts.push(say('total', { used: share(facts.totalSpent, facts.totalLimit) }));
  if (availability?.reportedThisPeriod) parts.push(say('answered', { period: availability.period, nextDay: availability.nextReportDay }));
  if (!facts.persistent) parts.push(say('mayBeErased', {}));
  return parts.join(' ');
}

export function detailsOf(say: Say, facts: AccountFacts): Details {
  const parts = [say('detailsMechanism', { mechanism: facts.mechanism, summary: facts.mechanismSummary, truthProbability: facts.truthProbability })];
  if (facts.level !== undefined) parts.push(say('detailsLevel', { ...facts.level }));
  parts.push(say('detailsPerReport', { epsilon: facts.epsilonPerReport }));
  if (facts.chargedReports !== undefined) {
    parts.push(say('detailsPermanent', { lifetimeBound: facts.lifetimeBound, epsilon: facts.permanentEpsilon, count: facts.chargedReports, spent: facts.spent, next: facts.nextCharge }));
    if (facts.instantaneousEpsilon !== undefined) parts.push(say('detailsChangePattern', { instantaneousEpsilon: facts.instantaneousEpsilon }));
  } else {
    parts.push(say('detailsPerReportCharge', { epsilon: facts.nextCharge, spent: facts.spent, rappor: facts.mechanism === 'rappor' }));
  }
  parts.push(say('detailsTotal', { spent: facts.totalSpent, limit: facts.totalLimit }), say('detailsLedger', { campaignId: facts.campaignId }));
  return { ...facts, text: parts.join(' ') };
}

/** spent / limit in [0, 1]; a bound spent to within float error (D·ε∞ summed one ε∞ at a time) is all of it. */
function share(spent: number, limit: number): number {
  if (!(limit > 0)) return 1;
  const used = spent / limit;
  return used >= 1 - 1e-9 ? 1 : Math.max(0, used);
}
