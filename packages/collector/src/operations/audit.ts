/** Reading the audit log, newest first, in pages: pass the previous page's `next` as `before`. */
import { ID_PATTERN } from '@practical-privacy/core';
import * as v from 'valibot';
import { AUDIT_ACTIONS, type AuditEntry } from '../storage/repository.ts';
import { parseInput, queryInteger } from '../validation.ts';
import type { OperationContext } from './context.ts';

export const AuditQuerySchema = v.strictObject({
  before: v.optional(queryInteger(1, Number.MAX_SAFE_INTEGER)),
  limit: v.optional(queryInteger(1, 1000), '100'),
  campaign: v.optional(v.pipe(v.string('must be given once'), v.regex(ID_PATTERN, 'must be a campaign id'))),
  action: v.optional(v.picklist(AUDIT_ACTIONS, `must be one of ${AUDIT_ACTIONS.join(', ')}`)),
});

export interface AuditPage {
  entries: AuditEntry[];
  /** `before` for the next (older) page; null on the last page. */
  next: number | null;
}

export async function readAudit(ctx: Pick<OperationContext, 'repository'>, input: { query: unknown }): Promise<AuditPage> {
  const query = parseInput(AuditQuerySchema, input.query ?? {});
  const entries = await ctx.repository.readAudit({ before: query.before, limit: query.limit, campaignId: query.campaign, action: query.action });
  return { entries, next: entries.length === query.limit ? entries.at(-1)!.id : null };
}
