/**
 * Admin routes (admin bearer token): campaign lifecycle (close, purge, retention), ingest keys,
 * API tokens and the audit log. Each handler authenticates, then calls the operation in
 * src/operations/ (which validates its input with valibot and writes its audit row in the same
 * transaction as the change), so the CLI can run the very same code.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { AuditQuerySchema, readAudit } from '../operations/audit.ts';
import { closeCampaign } from '../operations/close-campaign.ts';
import type { OperationContext } from '../operations/context.ts';
import { addIngestKey, IngestKeyBodySchema, listIngestKeys, revokeIngestKey } from '../operations/ingest-keys.ts';
import { PurgeQuerySchema, purgeCampaign } from '../operations/purge-campaign.ts';
import { RetentionBodySchema, setRetention } from '../operations/retention.ts';
import { createToken, listTokens, revokeToken, TokenBodySchema } from '../operations/tokens.ts';
import {
  addIngestKeyResponses,
  auditResponses,
  closeResponses,
  createTokenResponses,
  listIngestKeysResponses,
  listTokensResponses,
  purgeResponses,
  retentionResponses,
  revokeIngestKeyResponses,
  revokeTokenResponses,
} from '../openapi/admin.ts';
import { requestSchema } from '../openapi/json-schema.ts';

const campaignParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
const admin = { security: [{ bearer: [] }] };

export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const as = async (request: Parameters<typeof authenticate>[0], what: string): Promise<OperationContext> => {
    const principal = await authenticate(request, ctx, 'admin', what);
    return { repository: ctx.repository, now: ctx.now, actor: principal.label };
  };

  app.post<{ Params: { id: string } }>(
    '/v1/campaigns/:id/close',
    { schema: { tags: ['lifecycle'], operationId: 'closeCampaign', response: closeResponses, summary: 'Close a campaign (admin): ingest of every version is refused from now on with 410 CAMPAIGN_CLOSED (final; the SDK drops such batches); estimates and exports are still served. Closing again keeps the first time. Audited.', params: campaignParams, ...admin } },
    async (request) => closeCampaign(await as(request, 'closing campaigns'), { campaignId: request.params.id }),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/campaigns/:id/purge',
    {
      schema: {
        tags: ['lifecycle'],
        operationId: 'purgeCampaign',
        response: purgeResponses,
        summary: 'Delete every report id, raw report and aggregate cell of a closed campaign, all versions (admin; `?confirm=<campaign id>` required; 409 CAMPAIGN_OPEN until closed). Campaign documents stay. Audited.',
        params: campaignParams,
        querystring: requestSchema(PurgeQuerySchema),
        ...admin,
      },
    },
    async (request) => purgeCampaign(await as(request, 'purging campaigns'), { campaignId: request.params.id, query: request.query }),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/campaigns/:id/retention',
    {
      schema: {
        tags: ['lifecycle'],
        operationId: 'setRetention',
        response: retentionResponses,
        summary: 'Set how many days of aggregate day cells to keep (admin; null keeps them). The hourly maintenance deletes older cells, audited; at least the report window + 2 days.',
        params: campaignParams,
        body: requestSchema(RetentionBodySchema),
        ...admin,
      },
    },
    async (request) => setRetention({ ...(await as(request, 'setting retention')), reportWindowDays: ctx.config.reportWindowDays }, { campaignId: request.params.id, body: request.body }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id/ingest-keys',
    { schema: { tags: ['keys'], operationId: 'listIngestKeys', response: listIngestKeysResponses, summary: 'The ingest keys of a campaign, with status active, expired or revoked (admin).', params: campaignParams, ...admin } },
    async (request) => listIngestKeys(await as(request, 'listing ingest keys'), { campaignId: request.params.id }),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/campaigns/:id/ingest-keys',
    {
      schema: {
        tags: ['keys'],
        operationId: 'addIngestKey',
        response: addIngestKeyResponses,
        summary: 'Add an ingest key to a campaign (admin): given, or generated when `key` is absent; several keys are valid at once, and no new campaign version is made. 201; 409 LABEL_TAKEN. Audited.',
        params: campaignParams,
        body: requestSchema(IngestKeyBodySchema),
        ...admin,
      },
    },
    async (request, reply) => reply.code(201).send(await addIngestKey(await as(request, 'adding ingest keys'), { campaignId: request.params.id, body: request.body })),
  );

  app.post<{ Params: { id: string; label: string } }>(
    '/v1/campaigns/:id/ingest-keys/:label/revoke',
    {
      schema: {
        tags: ['keys'],
        operationId: 'revokeIngestKey',
        response: revokeIngestKeyResponses,
        summary: 'Revoke an ingest key (admin): batches with it get 401 INGEST_KEY_INVALID from now on. The campaign keeps requiring a key even when none is left. Audited.',
        params: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' } }, required: ['id', 'label'] },
        ...admin,
      },
    },
    async (request) => revokeIngestKey(await as(request, 'revoking ingest keys'), { campaignId: request.params.id, label: request.params.label }),
  );

  app.get('/v1/admin/tokens', { schema: { tags: ['keys'], operationId: 'listTokens', response: listTokensResponses, summary: 'The API tokens in the database (labels, roles, scopes, expiry, status; never the tokens) (admin).', ...admin } }, async (request) =>
    listTokens(await as(request, 'listing tokens')),
  );

  app.post(
    '/v1/admin/tokens',
    {
      schema: {
        tags: ['keys'],
        operationId: 'createToken',
        response: createTokenResponses,
        summary: 'Create an admin or read token (admin), optionally expiring, read tokens optionally scoped to campaigns. 201 with `token`, shown this once (stored as SHA-256). 409 LABEL_TAKEN. Audited.',
        body: requestSchema(TokenBodySchema),
        ...admin,
      },
    },
    // The answer holds the token itself: no cache (browser, proxy) may keep it.
    async (request, reply) => reply.code(201).header('cache-control', 'no-store').send(await createToken(await as(request, 'creating tokens'), { body: request.body })),
  );

  app.post<{ Params: { label: string } }>(
    '/v1/admin/tokens/:label/revoke',
    { schema: { tags: ['keys'], operationId: 'revokeToken', response: revokeTokenResponses, summary: 'Revoke a token (admin): it gets 401 from the next request on, on every instance. Audited.', params: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] }, ...admin } },
    async (request) => revokeToken(await as(request, 'revoking tokens'), { label: request.params.label }),
  );

  app.get(
    '/v1/admin/audit',
    {
      schema: {
        tags: ['audit'],
        operationId: 'readAudit',
        response: auditResponses,
        summary: 'The audit log, newest first (admin): publications, closes, purges, retention changes and deletions, key and token changes, reads of estimates and exports — with the token label, never a token. Page with `before=<next>`.',
        querystring: requestSchema(AuditQuerySchema),
        ...admin,
      },
    },
    async (request) => readAudit(await as(request, 'reading the audit log'), { query: request.query }),
  );
}
