/**
 * Closing a campaign: ingest of every version is refused from then on with 410 CAMPAIGN_CLOSED,
 * which the SDK treats as final (any 4xx but 429 drops the batch); estimates and exports are still
 * served. Closing is final — devices have dropped their queued reports — so there is no reopen:
 * collect again under a new campaign id. Closing again is a no-op that keeps the first time.
 */
import type { OperationContext } from './context.ts';
import { auditRecord } from './context.ts';
import { requirePublished } from './campaign-lookup.ts';

export interface CloseResult {
  id: string;
  status: 'closed';
  closedAt: string;
  alreadyClosed: boolean;
}

export async function closeCampaign(ctx: OperationContext, input: { campaignId: string }): Promise<CloseResult> {
  const id = await requirePublished(ctx, input.campaignId);
  const result = await ctx.repository.closeCampaign(id, auditRecord(ctx, 'campaign.close', { campaignId: id }));
  return { id, status: 'closed', ...result };
}
