import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { campaignIdParams, getCampaignQuery, getCampaignResponses, listCampaignsResponses, publishBody, publishResponses } from '../openapi/campaigns.ts';
import { listCampaigns } from '../operations/list-campaigns.ts';
import { publishCampaign } from '../operations/publish-campaign.ts';
import { parseVersion, requireCampaignId } from '../params.ts';

// Kept here for the CLI's import; the operation owns it.
export { splitPublishBody } from '../operations/publish-campaign.ts';

export function campaignRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        operationId: 'publishCampaign',
        body: publishBody,
        response: publishResponses,
        summary: 'Publish a campaign version (admin token). Versions are immutable: 201 created, 200 identical re-publish, 409 CAMPAIGN_IMMUTABLE for different content. With an envelope `plan` { patients, targets?, strict? } the answer carries the planner\'s per-question prediction and warnings; strict refuses with 422 PLAN_INSUFFICIENT while any warning stands.',
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const principal = await authenticate(request, ctx, 'admin', 'publishing campaigns');
      try {
        const result = await publishCampaign({ repository: ctx.repository, now: ctx.now, actor: principal.label }, { body: request.body });
        request.log.info({ campaign: result.id, version: result.version, outcome: result.outcome }, 'campaign published');
        return reply.code(result.outcome === 'created' ? 201 : 200).send(result);
      } catch (error) {
        if (error instanceof HttpError && error.code === 'CAMPAIGN_IMMUTABLE') request.log.warn({ code: error.code }, `campaign publish refused: ${error.message}`);
        throw error;
      }
    },
  );

  app.get(
    '/v1/campaigns',
    {
      schema: {
        tags: ['read'],
        operationId: 'listCampaigns',
        response: listCampaignsResponses,
        summary: 'The campaigns the read token may read: id, versions, latest version, status (open or closed), closedAt, retentionDays (read token). A token scoped to campaigns sees only those.',
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      const principal = await authenticate(request, ctx, 'read', 'listing campaigns');
      return listCampaigns(ctx, { principal });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { version?: string } }>(
    '/v1/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        operationId: 'getCampaign',
        response: getCampaignResponses,
        summary: 'The latest (or ?version=) published campaign document. Public: the SDK fetches it.',
        params: campaignIdParams,
        querystring: getCampaignQuery,
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
