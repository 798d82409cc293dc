/**
 * Tokens of one batch (issue 17): each report's token checked on its own (check-token.ts), and the
 * per-report answer that lets one bad token leave the honest reports of its batch stored.
 *
 * A batch is refused whole (400) only for malformed input — the wire schema (a token that is not 472
 * base64url characters is REPORT_INVALID) or a payload its mechanism refuses; those checks run before
 * this. A well-formed token that fails is a per-report refusal with a code; the batch's other reports
 * are stored, and the answer says which is which.
 */
import type { BatchReport } from '@practical-privacy/core';
import type { CampaignModel } from '../campaigns/model.ts';
import type { ReportContribution, ReportOutcome } from '../storage/repository.ts';
import { checkToken, type TokenCheck, type TokenRefusal } from './check-token.ts';
import type { TokenKeyRing } from './key-ring.ts';

export type ReportAnswer = { id: string; status: 'accepted' | 'duplicate' } | { id: string; status: 'refused'; code: TokenRefusal; message: string };

/** The check of every report's token, in batch order (only for campaigns with `tokens`). */
export async function checkBatchTokens(reports: readonly BatchReport[], model: CampaignModel, ring: TokenKeyRing, now: Date): Promise<TokenCheck[]> {
  const binding = model.document.tokens!;
  const checks: TokenCheck[] = [];
  for (const report of reports) {
    const question = model.questions.get(report.questionId)!;
    checks.push(await checkToken(report.ext?.token, binding, { campaignId: model.id, questionId: report.questionId, day: report.day, period: question.question.period }, ring, now));
  }
  return checks;
}

/** Attaches the verified spends to the contributions (same order as `checks`) and returns those to store. */
export function contributionsToStore(contributions: ReportContribution[], checks: readonly TokenCheck[]): ReportContribution[] {
  const out: ReportContribution[] = [];
  contributions.forEach((contribution, i) => {
    const check = checks[i]!;
    if (!check.ok) return;
    contribution.token = { nonce: check.nonce, periodEnd: check.periodEnd };
    out.push(contribution);
  });
  return out;
}

/**
 * The per-report answer, in batch order: `stored` is what was handed to storage and `outcomes` its
 * outcomes, in that order. `alreadyStored`: ids of refused reports that are stored already — a
 * retry of an accepted report (its 202 was lost) is a duplicate, not a token refusal, even when its
 * token would be refused now (its key expired or was rotated out since): nothing is stored again.
 */
export function reportAnswers(contributions: readonly ReportContribution[], checks: readonly TokenCheck[], stored: readonly ReportContribution[], outcomes: readonly ReportOutcome[], alreadyStored: ReadonlySet<string> = new Set()): ReportAnswer[] {
  const outcomeOf = new Map<ReportContribution, ReportOutcome>();
  stored.forEach((c, i) => outcomeOf.set(c, outcomes[i]!));
  return contributions.map((c, i): ReportAnswer => {
    const check = checks[i]!;
    if (!check.ok) return alreadyStored.has(c.id) ? { id: c.id, status: 'duplicate' } : { id: c.id, status: 'refused', code: check.code, message: check.message };
    const outcome = outcomeOf.get(c) ?? 'duplicate';
    if (outcome === 'spent') return { id: c.id, status: 'refused', code: 'TOKEN_SPENT', message: 'this token was already spent by another report' };
    return { id: c.id, status: outcome };
  });
}
