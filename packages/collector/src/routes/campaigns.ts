import { isPrivacyError } from '@practical-privacy/core';
import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../auth.ts';
import { parseCampaign } from '../campaigns/model.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseVersion, requireCampaignId } from '../params.ts';
import { parsePlanRequest, planForPublish, refuseIfStrict, type PlanRequest } from '../plan.ts';
import { RepositoryConflictError } from '../storage/repository.ts';

/**
 * Publish body: the campaign document itself, or `{ "campaign": <document>, "ingestKey": "…",
 * "plan": { "patients": N, "targets": {…}, "strict": false } }` to also set the publishable ingest
 * key clients must present and to get the planner's answer (plan.ts).
 */
export function splitPublishBody(body: unknown): { document: unknown; ingestKey: string | undefined; plan: PlanRequest | undefined } {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'campaign' in body && typeof (body as { campaign: unknown }).campaign === 'object') {
    const { campaign, ingestKey, plan, ...rest } = body as { campaign: unknown; ingestKey?: unknown; plan?: unknown };
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new HttpError(400, 'CAMPAIGN_INVALID', `${extra[0]}: unknown field in publish envelope`, extra[0]);
    if (ingestKey !== undefined && (typeof ingestKey !== 'string' || !/^[A-Za-z0-9_-]{8,128}$/.test(ingestKey))) {
      throw new HttpError(400, 'CAMPAIGN_INVALID', 'ingestKey: must be 8–128 characters of A–Z a–z 0–9 _ -', 'ingestKey');
    }
    return { document: campaign, ingestKey: ingestKey as string | undefined, plan: parsePlanRequest(plan) };
  }
  return { document: body, ingestKey: undefined, plan: undefined };
}

export function campaignRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Publish a campaign version (admin token). Versions are immutable: 201 created, 200 identical re-publish, 409 CAMPAIGN_IMMUTABLE for different content. With an envelope `plan` { patients, targets?, strict? } the answer carries the planner\'s per-question prediction and warnings; strict refuses with 422 PLAN_INSUFFICIENT while any warning stands.',
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      requireBearer(request, ctx.config.adminToken, 'publishing campaigns', ctx.authThrottle);
      const { document, ingestKey, plan: planRequest } = splitPublishBody(request.body);
      let model;
      try {
        model = parseCampaign(document);
      } catch (error) {
        if (isPrivacyError(error)) throw new HttpError(400, error.code, error.message, error.path);
        throw error;
      }
      const plan = planRequest === undefined ? undefined : planForPublish(document, planRequest);
      if (plan !== undefined) refuseIfStrict(plan, planRequest!);
      try {
        const outcome = await ctx.repository.publishCampaign({ id: model.id, version: model.version, document: model.document, ingestKey });
        request.log.info({ campaign: model.id, version: model.version, outcome }, 'campaign published');
        return reply.code(outcome === 'created' ? 201 : 200).send({ id: model.id, version: model.version, outcome, ...(plan === undefined ? {} : { plan }) });
      } catch (error) {
        if (error instanceof RepositoryConflictError) {
          request.log.warn({ campaign: model.id, version: model.version, nextVersion: error.nextVersion }, 'campaign publish refused: version already published with different content');
          throw new HttpError(409, error.code, error.message, 'version');
        }
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string }; Querystring: { version?: string } }>(
    '/v1/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'The latest (or ?version=) published campaign document. Public: the SDK fetches it.',
        params: { type: 'object', properties: { id: { type: 'string' } } },
        querystring: { type: 'object', properties: { version: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const version = parseVersion(request.query.version);
      const stored = await ctx.repository.getCampaign(requireCampaignId(request.params.id), version);
      if (stored === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${request.params.id} is not published`);
      // A named version never changes (insert-only storage), so caches may keep it for good. The
      // latest version changes when a new one is published; a device that fetched a stale
      // "latest" still randomizes with, and stamps, a version that stays valid.
      reply.header('cache-control', version === undefined ? 'public, max-age=60' : 'public, max-age=31536000, immutable');
      return stored.document;
    },
  );
}
