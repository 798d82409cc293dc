/**
 * Purging a campaign: every report id, raw report and aggregate cell of every version is deleted
 * in one transaction, with one audit row. Admin only, and guarded twice against a slip: the
 * campaign must be closed first (or new reports would keep arriving), and the caller must repeat
 * the campaign id as `confirm`. The campaign documents stay (insert-only; they hold no patient
 * data), so estimates afterwards are empty rather than 404.
 */
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { OperationContext } from './context.ts';
import { auditRecord } from './context.ts';
import { requirePublished } from './campaign-lookup.ts';

export const PurgeQuerySchema = v.strictObject({
  confirm: v.pipe(v.string('must be given once: the id of the campaign to purge'), v.description('The campaign id again, to confirm the purge.')),
});

export interface PurgeResult {
  id: string;
  reports: number;
  cells: number;
}

export async function purgeCampaign(ctx: OperationContext, input: { campaignId: string; query: unknown }): Promise<PurgeResult> {
  const id = await requirePublished(ctx, input.campaignId);
  const { confirm } = parseInput(PurgeQuerySchema, input.query ?? {});
  if (confirm !== id) throw new HttpError(400, 'CONFIRMATION_REQUIRED', `confirm: must repeat the campaign id (${id}) to purge its reports and aggregates`, 'confirm');
  const policy = await ctx.repository.ingestPolicy(id, ctx.now().toISOString());
  if (policy.closedAt === null) throw new HttpError(409, 'CAMPAIGN_OPEN', `campaign ${id} is still open: close it first (POST /v1/campaigns/${id}/close), or reports would keep arriving after the purge`);
  const counts = await ctx.repository.purgeCampaign(id, auditRecord(ctx, 'campaign.purge', { campaignId: id }));
  return { id, ...counts };
}
