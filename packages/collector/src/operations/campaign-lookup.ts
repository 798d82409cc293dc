import { HttpError } from '../errors.ts';
import { requireCampaignId } from '../params.ts';
import type { OperationContext } from './context.ts';

/** 404 CAMPAIGN_UNKNOWN unless some version of `campaignId` is published. */
export async function requirePublished(ctx: Pick<OperationContext, 'repository'>, campaignId: unknown): Promise<string> {
  if (typeof campaignId !== 'string') throw new HttpError(404, 'CAMPAIGN_UNKNOWN', 'campaign id must be a string');
  const id = requireCampaignId(campaignId);
  if ((await ctx.repository.getCampaign(id)) === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${id} is not published`);
  return id;
}
