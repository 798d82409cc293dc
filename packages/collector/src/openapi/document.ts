/**
 * The OpenAPI 3.1 document (GET /docs/json, /docs/yaml; Swagger UI at /docs), built by
 * @fastify/swagger from the routes' `schema` blocks. 3.1 because its Schema Object is JSON Schema
 * 2020-12, which is what the valibot schemas convert to (`type: 'null'` for nullable fields; 3.0
 * cannot say it). Every route documents each status it answers (src/openapi/*.ts);
 * test/openapi-responses.test.ts validates real answers against this document.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { packageVersion } from '../version.ts';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Practical Privacy collector',
        version: packageVersion(),
        description:
          'Ingests locally randomized reports; releases debiased aggregates with confidence intervals. Errors are `{ error: { code, message, path? } }` with a stable `code`. To try it: publish the example campaign (POST /v1/campaigns with an admin token), then send the example batch (POST /v1/reports).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An admin or read token (PP_ADMIN_TOKEN, PP_READ_TOKEN, or one made with POST /v1/admin/tokens), or the metrics token for /metrics.' },
          ingestKey: { type: 'apiKey', in: 'header', name: 'x-pp-ingest-key', description: 'A campaign’s ingest key, for campaigns that have one (or `?key=`).' },
        },
      },
      tags: [
        { name: 'ingest', description: 'What devices call.' },
        { name: 'campaigns', description: 'Publishing and fetching campaign documents.' },
        { name: 'read', description: 'Estimates, exports and the campaign list (read token).' },
        { name: 'lifecycle', description: 'Closing, purging and retention (admin token).' },
        { name: 'keys', description: 'Ingest keys and API tokens (admin token).' },
        { name: 'audit', description: 'The audit log (admin token).' },
        { name: 'operations', description: 'Health, readiness and metrics.' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
