/**
 * `buildApp(config)` builds the Fastify app and never listens (fastify/demo's split): tests drive it
 * through `inject()`, `server.ts` starts the process.
 *
 * Privacy of the transport: no IP address or user agent is stored or logged. The request
 * serializer logs method, route and status only; the client address is used in memory by the
 * rate limiter and nowhere else.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance, type FastifyError, type FastifyRequest } from 'fastify';
import { AuthThrottle } from './auth.ts';
import { CampaignCache } from './campaigns/model.ts';
import type { CollectorConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import { observeHttpRequests } from './http-metrics.ts';
import { createMetrics, type CollectorMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi/document.ts';
import { adminRoutes } from './routes/admin.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { estimateRoutes } from './routes/estimates.ts';
import { healthRoutes } from './routes/health.ts';
import { reportRoutes } from './routes/reports.ts';
import { tokenKeyRoutes } from './routes/token-keys.ts';
import { TokenKeyRing } from './privacy-pass/key-ring.ts';
import { openRepository } from './storage/open.ts';
import type { Repository } from './storage/repository.ts';

export interface BuildOptions {
  /** Use this repository instead of opening `config.databaseUrl` (tests). Closed with the app either way. */
  repository?: Repository;
  metrics?: CollectorMetrics;
  now?: () => Date;
  /** Where pino writes (default stdout); tests capture it. */
  logStream?: { write(line: string): void };
  /** How often load is sampled for shedding (ms, default under-pressure's 1000). */
  pressureSampleIntervalMs?: number;
  /** Run migrations at startup (default true). */
  migrate?: boolean;
  /** Issue 17: the token keys (default: PP_TOKEN_KEYS's file, or none). */
  tokenKeys?: TokenKeyRing;
}

export type CollectorApp = FastifyInstance & { collector: AppContext };

/** The ingest route, by its pattern (a 404 such as POST /v1/reports/x is not an ingest refusal). */
const isIngest = (request: FastifyRequest) => !request.is404 && request.routeOptions.url === '/v1/reports';

export async function buildApp(config: CollectorConfig, options: BuildOptions = {}): Promise<CollectorApp> {
  const repository = options.repository ?? openRepository(config.databaseUrl);
  if (options.migrate ?? true) await repository.migrate();

  const app = Fastify({
    bodyLimit: config.bodyLimitBytes,
    // The router's own refusals (a path that is not valid percent-encoded UTF-8, a path parameter
    // longer than maxParamLength) never reach the error handler: without this they answer
    // Fastify's untyped { error: "Bad Request" } body (test/query-fuzz.test.ts). The message does
    // not echo the URL, which may carry the ingest key.
    frameworkErrors: (error, _request, reply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is longer than any campaign id' : error.code === 'FST_ERR_BAD_URL' ? 'the path is not valid percent-encoded UTF-8' : 'the request path cannot be routed';
      // The reply is typed for no route (this runs before routing); the body is a plain object.
      void (reply as unknown as { code(status: number): { send(body: unknown): unknown } }).code(400).send(new HttpError(400, 'REQUEST_INVALID', message, 'url').body());
    },
    trustProxy: config.trustProxy,
    // Slow bodies: Node closes a request that is not complete after requestTimeout (408), checked
    // every connectionsCheckingInterval (Node's default, 30 s, would double a 30 s limit).
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.requestTimeoutMs / 4))),
    },
    logger: {
      level: config.logLevel,
      ...(options.logStream === undefined ? {} : { stream: options.logStream }),
      redact: { paths: ['req.headers', 'body', 'payload'], remove: true },
      serializers: {
        req: (request: { method: string; routeOptions?: { url?: string }; url: string }) => ({ method: request.method, route: request.routeOptions?.url ?? request.url.split('?')[0] }),
        res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
        // Node's clientError (a malformed request, logged by Fastify at trace) carries `rawPacket`,
        // the request's raw bytes with its bearer token and ingest key: errors log only these fields.
        err: (error: FastifyError) => ({
          type: error.name,
          message: String(error.message),
          stack: error.stack ?? '',
          ...(typeof error.code === 'string' ? { code: error.code } : {}),
        }),
      },
    },
    // Request ids from a counter, not from any client header.
    genReqId: (() => {
      let next = 0;
      return () => `r${(next++).toString(36)}`;
    })(),
  });

  if (config.metricsToken === undefined) {
    app.log.warn('PP_METRICS_TOKEN is not set: /metrics is public and shows per-campaign ingest volume over time; set the token, or keep /metrics off the public network');
  }

  const ctx: AppContext = {
    config,
    authThrottle: new AuthThrottle(config.authFailuresPerMinute),
    repository,
    campaigns: new CampaignCache(),
    metrics: options.metrics ?? createMetrics(),
    state: { closing: false },
    now: options.now ?? (() => new Date()),
    tokenKeys: options.tokenKeys ?? tokenKeyRingOf(config),
  };
  repository.observeGroupCommits((group) => {
    ctx.metrics.groupCommitBatches.observe(group.batches);
    ctx.metrics.groupCommitReports.observe(group.reports);
  });

  // JSON for both application/json and text/plain (navigator.sendBeacon cannot set a JSON type).
  // Fastify's parser (secure-json-parse) refuses __proto__ and constructor.prototype keys.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, jsonParser);

  // Fastify validates nothing: route schemas exist only for the OpenAPI document. Bodies go through
  // core's valibot validators (strict, with error paths), and every handler checks its own params
  // and querystring (e.g. `version`, `question`, `from`/`to`, `bucket`, `format`) with a 4xx that
  // names the field. This compiler accepts every value unchanged, so no Ajv coercion or stripping
  // happens behind the handlers' backs.
  app.setValidatorCompiler(() => (data: unknown) => ({ value: data }));
  // Response schemas are documentation too (src/openapi/). Fastify would otherwise compile them with
  // fast-json-stringify, which drops every property a schema does not name and coerces types — an
  // estimate cell would silently lose fields. Answers are JSON.stringify'd as they are, and
  // test/openapi-responses.test.ts validates them against the published document instead.
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    let http: HttpError;
    if (error instanceof HttpError) http = error;
    // The body stopped before its end because the connection closed: the client went away, or
    // Node's requestTimeout already answered 408 (slow body). No one reads this answer; the code
    // keeps it apart from malformed JSON in pp_batches_rejected_total.
    else if (request.raw.readableAborted) http = new HttpError(408, 'BODY_INCOMPLETE', 'the connection closed before the request body was complete');
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') http = new HttpError(413, 'BODY_TOO_LARGE', `request body larger than ${config.bodyLimitBytes} bytes`);
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') http = new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json or text/plain (JSON text)');
    else if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || error instanceof SyntaxError || error.statusCode === 400) {
      http = new HttpError(400, 'JSON_INVALID', `body is not valid JSON: ${error.message}`);
    } else if (error.statusCode === 429) http = new HttpError(429, 'RATE_LIMITED', 'too many requests; retry later');
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) http = new HttpError(error.statusCode, 'REQUEST_INVALID', error.message);
    else {
      request.log.error({ err: { message: error.message, code: (error as { code?: string }).code, stack: error.stack } }, 'internal error');
      http = new HttpError(500, 'INTERNAL', 'internal error; nothing was acknowledged, retry the request');
    }
    if (isIngest(request)) ctx.metrics.rejected.inc({ reason: http.code });
    if (http.retryAfterSeconds !== undefined) void reply.header('retry-after', String(http.retryAfterSeconds));
    return reply.code(http.statusCode).send(http.body());
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).body()));

  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    ...(options.pressureSampleIntervalMs === undefined ? {} : { sampleInterval: options.pressureSampleIntervalMs }),
    retryAfter: 5,
    pressureHandler: (request, reply, type, value) => {
      if (isIngest(request)) ctx.metrics.rejected.inc({ reason: 'OVERLOADED' });
      void reply.code(503).header('retry-after', '5').send(new HttpError(503, 'OVERLOADED', `collector under pressure (${type} ${String(value)}); retry later`).body());
    },
  });
  await app.register(rateLimit, { global: false, keyGenerator: (request) => request.ip, errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: { code: 'RATE_LIMITED', message: `more than ${context.max} requests per minute; retry later` } }) });
  await app.register(cors, {
    origin: config.allowedOrigins.includes('*') ? true : config.allowedOrigins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'x-pp-ingest-key', 'authorization'],
    maxAge: 600,
  });
  await registerOpenApi(app);

  observeHttpRequests(app, ctx.metrics);
  healthRoutes(app, ctx);
  campaignRoutes(app, ctx);
  reportRoutes(app, ctx);
  tokenKeyRoutes(app, ctx);
  estimateRoutes(app, ctx);
  adminRoutes(app, ctx);
  if (config.dashboardDir !== undefined) await dashboardRoutes(app, config.dashboardDir);

  // Graceful shutdown: count requests in flight (HTTP or inject) so that the database closes only
  // after each of them has answered — a batch that began before shutdown still commits and is acked.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  app.addHook('onRequest', async () => {
    inFlight += 1;
  });
  const finished = async () => {
    inFlight -= 1;
    if (inFlight === 0) drained?.();
  };
  app.addHook('onResponse', finished);
  app.addHook('onRequestAbort', async (_request) => finished());
  app.addHook('preClose', async () => {
    ctx.state.closing = true;
  });
  // Node's server.close() closes the keep-alive connections that are idle at that moment, once; a
  // connection whose request is still being answered would stay open after its answer until the
  // keep-alive timeout (72 s), and the shutdown would wait for it. Answers sent while closing
  // therefore ask the client to close the connection.
  app.addHook('onSend', async (_request, reply) => {
    if (ctx.state.closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    await repository.close();
  });

  app.decorate('collector', ctx);
  // An async function awaits a returned thenable: the caller receives the app after ready().
  return app as unknown as CollectorApp;
}

/** PP_TOKEN_KEYS (the list, fixed) or PP_TOKEN_KEYS_FILE (re-read when it changes); neither: no keys. */
function tokenKeyRingOf(config: CollectorConfig): TokenKeyRing {
  if (config.tokenKeys !== undefined) return TokenKeyRing.of(config.tokenKeys);
  return config.tokenKeysFile === undefined ? TokenKeyRing.empty() : TokenKeyRing.fromFile(config.tokenKeysFile);
}
