/**
 * Per-route request metrics (`http_request_duration_seconds{method,route,status_code}`), from one
 * onResponse hook on prom-client's histogram — a plugin (fastify-metrics) would add its own
 * summary, endpoint and registry handling for the same 30 lines.
 *
 * Bounded cardinality against a scanner (test/metrics.test.ts plays one): `route` is the pattern
 * Fastify matched (`/v1/campaigns/:id/estimates`), never the URL, so no id, query string or
 * ingest key reaches a label; a path that matched no route, or failed before routing, is
 * `__unknown__`; a method outside the usual set is `OTHER`. Status codes are the collector's own.
 */
import type { FastifyInstance } from 'fastify';
import type { CollectorMetrics } from './metrics.ts';

export const UNKNOWN_ROUTE = '__unknown__';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function observeHttpRequests(app: FastifyInstance, metrics: CollectorMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The not-found handler answers with no route options url (Fastify 5); `*` would be its catch-all.
    const pattern = request.is404 ? undefined : request.routeOptions.url;
    metrics.httpSeconds.observe(
      { method: METHODS.has(request.method) ? request.method : 'OTHER', route: pattern ?? UNKNOWN_ROUTE, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
