/**
 * The reference issuer service (fastify; `buildIssuerApp` builds and never listens, server.ts
 * starts the process). A patient portal calls it server-to-server for its logged-in patient:
 *
 *   GET  /v1/token-keys      the published key list (public; verifiers and devices read it)
 *   POST /v1/token-requests  Authorization: Bearer <portal secret>
 *                            {"account": "<the portal's account id>", "requests": [{"keyId", "request"}]}
 *                            → 200 {"results": [{"keyId", "response"} | {"keyId", "error": {code, message}}]}
 *   GET  /healthz
 *
 * The portal authenticates the patient and names the account; this service only checks the
 * portal's secret. It is not exposed to devices (no CORS). Logs carry method, route and status,
 * never the account or the request bodies.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { IssuerInputError, type TokenIssuer } from './issuer.ts';

export interface IssuerAppOptions {
  issuer: TokenIssuer;
  /** The portal-to-issuer secret (≥ 32 characters). */
  portalSecret: string;
  logLevel?: string;
  /** Largest body (default 1 MB: 1,000 requests of 346 base64url characters plus their key ids). */
  bodyLimitBytes?: number;
  /** Where pino writes (default stdout); tests capture it. */
  logStream?: { write(line: string): void };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function errorBody(code: string, message: string, path?: string) {
  return { error: path === undefined ? { code, message } : { code, message, path } };
}

export async function buildIssuerApp(options: IssuerAppOptions): Promise<FastifyInstance> {
  if (typeof options.portalSecret !== 'string' || options.portalSecret.length < 32) throw new RangeError('portalSecret: must be at least 32 characters');
  const expected = digest(options.portalSecret);
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    logger: {
      level: options.logLevel ?? 'info',
      ...(options.logStream === undefined ? {} : { stream: options.logStream }),
      redact: { paths: ['req.headers', 'body'], remove: true },
      serializers: {
        req: (request: { method: string; routeOptions?: { url?: string }; url: string }) => ({ method: request.method, route: request.routeOptions?.url ?? request.url.split('?')[0] }),
        res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      },
    },
  });

  app.setErrorHandler((error: FastifyError | IssuerInputError, request, reply) => {
    if (error instanceof IssuerInputError) return reply.code(400).send(errorBody(error.code, error.message, error.path));
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send(errorBody(status === 413 ? 'BODY_TOO_LARGE' : 'REQUEST_INVALID', error.message));
    request.log.error({ err: { message: error.message, stack: error.stack } }, 'internal error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error; retry the request (a byte-identical retry does not use more allowance)'));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/v1/token-keys', async (_request, reply) => {
    // Short cache: devices and collectors re-read it; a rotation shows within a minute.
    return reply.header('cache-control', 'public, max-age=60').send(await options.issuer.keyList());
  });

  app.post<{ Body: unknown }>('/v1/token-requests', async (request, reply) => {
    const header = request.headers.authorization;
    const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) return reply.code(401).send(errorBody('UNAUTHORIZED', 'token requests need the portal secret as a bearer token'));
    const body = request.body as { account?: unknown; requests?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'account' && k !== 'requests')) {
      return reply.code(400).send(errorBody('REQUEST_INVALID', 'body: must be {account, requests}'));
    }
    const results = await options.issuer.issue(body.account as string, body.requests as never);
    return reply.code(200).send({ results });
  });

  return app;
}
