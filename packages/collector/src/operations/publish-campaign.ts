/**
 * Publishing a campaign version: validated with core's schema, refused for a closed campaign (its
 * devices have dropped their reports for good), insert-only in storage (RepositoryConflictError →
 * 409 CAMPAIGN_IMMUTABLE naming the next free version), audited in the same transaction.
 */
import { isPrivacyError, type CampaignPlan } from '@practical-privacy/core';
import { parsePlanRequest, planForPublish, refuseIfStrict, type PlanRequest } from '../plan.ts';
import { parseCampaign } from '../campaigns/model.ts';
import { HttpError } from '../errors.ts';
import { RepositoryConflictError, type PublishOutcome } from '../storage/repository.ts';
import type { OperationContext } from './context.ts';
import { auditRecord } from './context.ts';
import { INGEST_KEY_PATTERN } from './ingest-keys.ts';

/**
 * Publish body: the campaign document itself, or `{ "campaign": <document>, "ingestKey": "…",
 * "plan": { "patients": N, "targets": {…}, "strict": false } }` to also give the campaign a
 * publishable ingest key clients must present and to get the planner's answer (plan.ts).
 */
export function splitPublishBody(body: unknown): { document: unknown; ingestKey: string | undefined; plan: PlanRequest | undefined } {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'campaign' in body && typeof (body as { campaign: unknown }).campaign === 'object') {
    const { campaign, ingestKey, plan, ...rest } = body as { campaign: unknown; ingestKey?: unknown; plan?: unknown };
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new HttpError(400, 'CAMPAIGN_INVALID', `${extra[0]}: unknown field in publish envelope`, extra[0]);
    if (ingestKey !== undefined && (typeof ingestKey !== 'string' || !INGEST_KEY_PATTERN.test(ingestKey))) {
      throw new HttpError(400, 'CAMPAIGN_INVALID', 'ingestKey: must be 8–128 characters of A–Z a–z 0–9 _ -', 'ingestKey');
    }
    return { document: campaign, ingestKey: ingestKey as string | undefined, plan: parsePlanRequest(plan) };
  }
  return { document: body, ingestKey: undefined, plan: undefined };
}

export interface PublishResult {
  id: string;
  version: number;
  outcome: PublishOutcome;
  /** The planner's answer, when the envelope asked for one (plan.ts). */
  plan?: CampaignPlan;
}

/** `body` as for POST /v1/campaigns; `ingestKey` (e.g. a CLI flag) overrides the envelope's. */
export async function publishCampaign(ctx: OperationContext, input: { body: unknown; ingestKey?: string | undefined }): Promise<PublishResult> {
  const split = splitPublishBody(input.body);
  const ingestKey = input.ingestKey ?? split.ingestKey;
  if (ingestKey !== undefined && !INGEST_KEY_PATTERN.test(ingestKey)) throw new HttpError(400, 'CAMPAIGN_INVALID', 'ingestKey: must be 8–128 characters of A–Z a–z 0–9 _ -', 'ingestKey');
  let model;
  try {
    model = parseCampaign(split.document);
  } catch (error) {
    if (isPrivacyError(error)) throw new HttpError(400, error.code, error.message, error.path);
    throw error;
  }
  // The planner speaks before anything is stored; strict mode refuses while a warning stands.
  const plan = split.plan === undefined ? undefined : planForPublish(split.document, split.plan);
  if (plan !== undefined) refuseIfStrict(plan, split.plan!);
  const { closedAt } = await ctx.repository.ingestPolicy(model.id, ctx.now().toISOString());
  if (closedAt !== null) throw new HttpError(409, 'CAMPAIGN_CLOSED', `campaign ${model.id} was closed at ${closedAt}; publish under a new campaign id`, 'id');
  try {
    const outcome = await ctx.repository.publishCampaign({ id: model.id, version: model.version, document: model.document, ingestKey, audit: auditRecord(ctx, 'campaign.publish', { campaignId: model.id }) });
    return { id: model.id, version: model.version, outcome, ...(plan === undefined ? {} : { plan }) };
  } catch (error) {
    if (error instanceof RepositoryConflictError) throw new HttpError(409, error.code, error.message, 'version');
    throw error;
  }
}
