import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { tokenKeysResponses } from '../openapi/reports.ts';

/**
 * Issue 17: the one published token key list this collector verifies with. Devices take their keys
 * from here and nowhere else (key consistency, RFC 9576 §6.2): a key every device sees.
 */
export function tokenKeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/v1/token-keys',
    { schema: { tags: ['ingest'], operationId: 'getTokenKeys', response: tokenKeysResponses, summary: 'The Privacy Pass key list (issuer, token type 2, one key per campaign, question and period) that tokens in reports are verified against.' } },
    async (_request, reply) => {
      const list = ctx.tokenKeys.current();
      if (list === undefined) throw new HttpError(404, 'TOKEN_KEYS_UNCONFIGURED', 'this collector has no token key list (PP_TOKEN_KEYS)');
      return reply.header('cache-control', 'public, max-age=60').send(list);
    },
  );
}
