import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { healthzResponses, metricsResponses, readyzResponses } from '../openapi/health.ts';

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', { schema: { tags: ['operations'], operationId: 'liveness', summary: 'Liveness: the process answers.', response: healthzResponses } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], operationId: 'readiness', summary: 'Readiness: database reachable and not shutting down (503 otherwise).', response: readyzResponses } }, async (_request, reply) => {
    if (ctx.state.closing) return reply.code(503).send({ status: 'closing' });
    try {
      await ctx.repository.ping();
      return { status: 'ready', storage: ctx.repository.kind };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'metrics',
        response: metricsResponses,
        summary: 'Prometheus metrics. Needs the metrics bearer token when PP_METRICS_TOKEN is set; public otherwise (bind or filter it privately).',
        ...(ctx.config.metricsToken === undefined ? {} : { security: [{ bearer: [] }] }),
      },
    },
    async (request, reply) => {
      // Per-campaign accepted/duplicate counters show ingest volume over time; keep them private.
      if (ctx.config.metricsToken !== undefined) requireBearer(request, ctx.config.metricsToken, 'metrics', ctx.authThrottle);
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
