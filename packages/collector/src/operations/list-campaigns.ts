/** The campaigns a read token may read: id, versions, status (what the dashboard lists). */
import { mayRead, type Principal } from '../auth.ts';
import type { OperationContext } from './context.ts';

export interface CampaignListing {
  id: string;
  versions: number[];
  latestVersion: number;
  status: 'open' | 'closed';
  closedAt: string | null;
  retentionDays: number | null;
}

export async function listCampaigns(ctx: Pick<OperationContext, 'repository'>, input: { principal: Pick<Principal, 'campaigns'> }): Promise<{ campaigns: CampaignListing[] }> {
  const all = await ctx.repository.listCampaigns();
  return {
    campaigns: all
      .filter((c) => mayRead(input.principal, c.id))
      .map((c) => ({ id: c.id, versions: c.versions, latestVersion: c.versions.at(-1)!, status: c.closedAt === null ? 'open' : 'closed', closedAt: c.closedAt, retentionDays: c.retentionDays })),
  };
}
