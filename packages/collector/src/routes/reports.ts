import { utcDay } from '@practical-privacy/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { ingestBatch } from '../ingest.ts';
import { batchBody, INGEST_MEDIA_TYPES, ingestQuery, ingestResponses } from '../openapi/reports.ts';

export function reportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Querystring: { key?: string } }>(
    '/v1/reports',
    {
      config: { rateLimit: { max: ctx.config.rateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['ingest'],
        operationId: 'ingestReports',
        summary: 'Ingest a batch of randomized reports. 202 only after the transaction committed; duplicates are acknowledged and counted once.',
        description: 'Body: JSON (`application/json`, or `text/plain` for navigator.sendBeacon). Ingest key: header `x-pp-ingest-key` or query `?key=`.',
        querystring: ingestQuery,
        body: batchBody(utcDay(ctx.now())),
        consumes: INGEST_MEDIA_TYPES,
        // The ingest key is optional (a campaign may have none): `{}` lets a client send without one.
        security: [{ ingestKey: [] }, {}],
        response: ingestResponses,
      },
    },
    async (request, reply) => {
      const header = request.headers['x-pp-ingest-key'];
      // A repeated `?key=` reaches here as an array (Fastify's query parser): refuse it before any lookup.
      const queryKey: unknown = request.query.key;
      if (queryKey !== undefined && typeof queryKey !== 'string') throw new HttpError(400, 'REQUEST_INVALID', 'key: give the ingest key once', 'key');
      const key = typeof header === 'string' ? header : queryKey;
      const stop = ctx.metrics.ingestSeconds.startTimer();
      // Rejections (including parser errors before this handler) are counted in the app's error handler.
      const result = await ingestBatch(request.body, key, ctx.repository, ctx.campaigns, { ...ctx.config, now: ctx.now, tokenKeys: ctx.tokenKeys });
      stop();
      ctx.metrics.accepted.inc({ campaign: result.campaign }, result.accepted);
      ctx.metrics.duplicates.inc({ campaign: result.campaign }, result.duplicates);
      if (result.tokens === undefined) return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates });
      for (const answer of result.tokens.reports) if (answer.status === 'refused') ctx.metrics.refusedReports.inc({ reason: answer.code });
      return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates, refused: result.tokens.refused, reports: result.tokens.reports });
    },
  );
}
