import { isPrivacyError } from '@practical-privacy/core';
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.ts';
import { parseCampaign } from '../campaigns/model.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { listCampaigns } from '../operations/list-campaigns.ts';
import { parseVersion, requireCampaignId } from '../params.ts';
import { RepositoryConflictError } from '../storage/repository.ts';

/**
 * Publish body: the campaign document itself, or `{ "campaign": <document>, "ingestKey": "…" }` to
 * also set the publishable ingest key clients must present.
 */
export function splitPublishBody(body: unknown): { document: unknown; ingestKey: string | undefined } {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'campaign' in body && typeof (body as { campaign: unknown }).campaign === 'object') {
    const { campaign, ingestKey, ...rest } = body as { campaign: unknown; ingestKey?: unknown };
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new HttpError(400, 'CAMPAIGN_INVALID', `${extra[0]}: unknown field in publish envelope`, extra[0]);
    if (ingestKey !== undefined && (typeof ingestKey !== 'string' || !/^[A-Za-z0-9_-]{8,128}$/.test(ingestKey))) {
      throw new HttpError(400, 'CAMPAIGN_INVALID', 'ingestKey: must be 8–128 characters of A–Z a–z 0–9 _ -', 'ingestKey');
    }
    return { document: campaign, ingestKey: ingestKey as string | undefined };
  }
  return { document: body, ingestKey: undefined };
}

export function campaignRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Publish a campaign version (admin token). Versions are immutable: 201 created, 200 identical re-publish, 409 CAMPAIGN_IMMUTABLE for different content.',
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const principal = await authenticate(request, ctx, 'admin', 'publishing campaigns');
      const { document, ingestKey } = splitPublishBody(request.body);
      let model;
      try {
        model = parseCampaign(document);
      } catch (error) {
        if (isPrivacyError(error)) throw new HttpError(400, error.code, error.message, error.path);
        throw error;
      }
      // A closed campaign takes no new version (its devices have dropped their reports for good).
      const { closedAt } = await ctx.repository.ingestPolicy(model.id, ctx.now().toISOString());
      if (closedAt !== null) throw new HttpError(409, 'CAMPAIGN_CLOSED', `campaign ${model.id} was closed at ${closedAt}; publish under a new campaign id`, 'id');
      try {
        const audit = { at: ctx.now().toISOString(), actor: principal.label, action: 'campaign.publish' as const, campaignId: model.id };
        const outcome = await ctx.repository.publishCampaign({ id: model.id, version: model.version, document: model.document, ingestKey, audit });
        request.log.info({ campaign: model.id, version: model.version, outcome }, 'campaign published');
        return reply.code(outcome === 'created' ? 201 : 200).send({ id: model.id, version: model.version, outcome });
      } catch (error) {
        if (error instanceof RepositoryConflictError) {
          request.log.warn({ campaign: model.id, version: model.version, nextVersion: error.nextVersion }, 'campaign publish refused: version already published with different content');
          throw new HttpError(409, error.code, error.message, 'version');
        }
        throw error;
      }
    },
  );

  app.get(
    '/v1/campaigns',
    {
      schema: {
        tags: ['read'],
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
