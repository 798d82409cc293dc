/**
 * The published OpenAPI document (GET /docs/json) against the collector's real answers, on each
 * store: every route is called until it has answered every status family it documents (2xx, 4xx,
 * and 5xx where a test can provoke it), and each answer's body is validated with Ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1, with formats) against the schema the document gives for
 * that route, status and media type. An undocumented status or media type fails, as does a body
 * the schema refuses. Request bodies sent with success are validated against the documented
 * request schema too, and the document's own examples are sent ("Try it out" works).
 *
 * Every operation in the document must be in SAMPLES below, and every route the app serves is in
 * the document (@fastify/swagger lists every route not marked hidden); so a new route fails here
 * until it documents its answers and is exercised.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { RandomSampler, seededRandomSource, type AnyMechanism, type Estimand } from '@practical-privacy/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { parseCampaign } from '../src/campaigns/model.ts';
import { estimateQuestion, type Bucket } from '../src/estimates.ts';
import { TokenKeyRing } from '../src/privacy-pass/key-ring.ts';
import type { Repository } from '../src/storage/repository.ts';
import { ADMIN, READ, TODAY } from './helpers.ts';
import { STORES, storeApp, type Store } from './stores.ts';
import { keyFor, makeIssuer, mintToken, tokenCampaign } from './token-helpers.ts';

const METRICS = 'metrics-token-0123456789';
const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const admin = { authorization: `Bearer ${ADMIN}` };
const read = { authorization: `Bearer ${READ}` };
const metrics = { authorization: `Bearer ${METRICS}` };

/** One question per kind of release: frequencies, prevalences, a mean, RAPPOR, a suppressed cell. */
const CAMPAIGN = {
  id: 'oa',
  version: 1,
  title: 'OpenAPI check',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Fever?', epsilon: 1, minBatch: 5, tier: 'high' },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', domain: { categories: ['none', 'mild', 'bad'].map((code) => ({ code, label: code })) }, mechanism: 'grr', epsilon: 2, minBatch: 5, tier: 'moderate' },
    { id: 'symptoms', type: 'multiselect', prompt: 'Which?', domain: { items: ['cough', 'ache', 'rash'].map((code) => ({ code, label: code })), maxItems: 2 }, epsilon: 2, minBatch: 5, tier: 'moderate' },
    { id: 'sleep', type: 'numeric', prompt: 'Sleep?', domain: { low: 0, high: 12, gridSize: 12 }, mechanism: 'piecewise', epsilon: 2, minBatch: 5, tier: 'low' },
    { id: 'symptom', type: 'string', prompt: 'Main symptom?', domain: { candidates: ['cough', 'headache', 'fatigue'], rappor: { k: 10, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 } }, epsilon: 2.1, minBatch: 5, tier: 'low' },
    { id: 'quiet', type: 'boolean', prompt: 'Rare?', epsilon: 1, minBatch: 5, tier: 'high' },
  ],
} as const;
const QUESTIONS = CAMPAIGN.questions.map((q) => q.id);

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; parameters?: unknown[]; security?: Array<Record<string, unknown>>; requestBody?: { content: Record<string, { example?: unknown }> }; responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> }> }>>;
};

/** Ajv over the whole document, so `#/…` pointers resolve; OpenAPI's own keywords are annotations. */
class DocumentCheck {
  readonly doc: Doc;
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD /path status` of every answer checked. */
  readonly answered = new Set<string>();

  constructor(doc: unknown) {
    this.doc = doc as Doc;
    addFormats(this.ajv);
    this.ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'tags', 'servers', 'security', 'webhooks', 'jsonSchemaDialect', 'externalDocs', 'example', 'discriminator', 'xml']);
    this.ajv.addSchema(doc as object, 'openapi');
  }

  validator(pointer: string[]): ValidateFunction {
    const ref = `openapi#/${pointer.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    let validate = this.compiled.get(ref);
    if (validate === undefined) this.compiled.set(ref, (validate = this.ajv.compile({ $ref: ref })));
    return validate;
  }

  operation(op: string) {
    const [method, path] = op.split(' ') as [string, string];
    const operation = this.doc.paths[path]?.[method.toLowerCase()];
    expect(operation, `${op} is in the document`).toBeDefined();
    return { method: method.toLowerCase(), path, operation: operation! };
  }

  response(op: string, response: LightMyRequestResponse): void {
    const { method, path, operation } = this.operation(op);
    const status = String(response.statusCode);
    const documented = operation.responses[status];
    expect(documented, `${op} answered ${status}, which it does not document: ${response.body.slice(0, 300)}`).toBeDefined();
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
    expect(Object.keys(documented!.content ?? {}), `${op} ${status} media type`).toContain(mediaType);
    const body: unknown = mediaType === 'application/json' ? response.json() : response.body;
    const validate = this.validator(['paths', path, method, 'responses', status, 'content', mediaType, 'schema']);
    expect(validate(body), `${op} ${status}: ${this.ajv.errorsText(validate.errors)}\n${response.body.slice(0, 600)}`).toBe(true);
    for (const header of Object.keys(documented!.headers ?? {})) expect(response.headers, `${op} ${status} sends the documented ${header} header`).toHaveProperty(header);
    this.answered.add(`${op} ${status}`);
  }

  requestBody(op: string, mediaType: string, body: unknown): void {
    const { method, path } = this.operation(op);
    const validate = this.validator(['paths', path, method, 'requestBody', 'content', mediaType, 'schema']);
    expect(validate(body), `${op} request body: ${this.ajv.errorsText(validate.errors)}`).toBe(true);
  }
}

/**
 * A request each operation accepts on the main app once set up (ids and labels that exist there).
 * `body` is JSON; the auth checks send the same request with no token, the other role's token, on
 * the throttled app and on the app whose database fails.
 */
interface Sample {
  url: string;
  body?: unknown;
  /** The token this operation needs (none: public). */
  token?: Record<string, string>;
  /** The token of the other role, for 403 (absent: no 403, e.g. /metrics). */
  other?: Record<string, string>;
}

const SAMPLES: Record<string, Sample> = {
  'GET /healthz': { url: '/healthz' },
  'GET /readyz': { url: '/readyz' },
  'GET /metrics': { url: '/metrics', token: metrics },
  'POST /v1/campaigns': { url: '/v1/campaigns', body: CAMPAIGN, token: admin, other: read },
  'GET /v1/campaigns': { url: '/v1/campaigns', token: read, other: admin },
  'GET /v1/campaigns/{id}': { url: '/v1/campaigns/oa' },
  'POST /v1/reports': { url: '/v1/reports', body: { campaignId: 'oa', campaignVersion: 1, reports: [{ id: 'f'.repeat(32), questionId: 'fever', day: TODAY, payload: 1 }] } },
  'GET /v1/token-keys': { url: '/v1/token-keys' },
  'GET /v1/campaigns/{id}/estimates': { url: '/v1/campaigns/oa/estimates?question=fever', token: read, other: admin },
  'GET /v1/campaigns/{id}/export': { url: '/v1/campaigns/oa/export?question=fever', token: read, other: admin },
  'POST /v1/campaigns/{id}/close': { url: '/v1/campaigns/doomed/close', token: admin, other: read },
  'POST /v1/campaigns/{id}/purge': { url: '/v1/campaigns/doomed/purge?confirm=doomed', token: admin, other: read },
  'POST /v1/campaigns/{id}/retention': { url: '/v1/campaigns/oa/retention', body: { days: 400 }, token: admin, other: read },
  'GET /v1/campaigns/{id}/ingest-keys': { url: '/v1/campaigns/keyed/ingest-keys', token: admin, other: read },
  'POST /v1/campaigns/{id}/ingest-keys': { url: '/v1/campaigns/keyed/ingest-keys', body: { label: 'second', expiresAt: '2099-01-01T00:00:00Z' }, token: admin, other: read },
  'POST /v1/campaigns/{id}/ingest-keys/{label}/revoke': { url: '/v1/campaigns/keyed/ingest-keys/second/revoke', token: admin, other: read },
  'GET /v1/admin/tokens': { url: '/v1/admin/tokens', token: admin, other: read },
  'POST /v1/admin/tokens': { url: '/v1/admin/tokens', body: { label: 'analyst', role: 'read', campaigns: ['oa'] }, token: admin, other: read },
  'POST /v1/admin/tokens/{label}/revoke': { url: '/v1/admin/tokens/analyst/revoke', token: admin, other: read },
  'GET /v1/admin/audit': { url: '/v1/admin/audit?limit=5', token: admin, other: read },
};

/**
 * Documented statuses no test here provokes, each with why. Everything else each operation
 * documents must have been answered by the end.
 */
const NOT_PROVOKED: Record<string, string> = {
  503: 'OVERLOADED needs a lagging event loop (test/operations.test.ts provokes it); the readiness 503s are provoked here',
};
const PROVOKED_ANYWAY = new Set(['GET /readyz 503']);
const NOT_PROVOKED_FOR: Record<string, string> = {
  'GET /healthz 500': 'the handler touches nothing that fails',
  'GET /metrics 500': 'the Prometheus registry does not fail',
  'GET /v1/token-keys 500': 'the key ring is in memory',
};

const rng = new RandomSampler(seededRandomSource('openapi responses'));
const model = parseCampaign(CAMPAIGN);

function hexId(): string {
  const bytes = new Uint8Array(16);
  rng.source.fill(bytes);
  return Buffer.from(bytes).toString('hex');
}

/** `count` randomized reports of `questionId` on `day`, as a device sends them. */
function reports(questionId: string, count: number, day = TODAY, answer: (i: number) => unknown = () => 1): unknown[] {
  const mechanism = model.questions.get(questionId)!.mechanism as AnyMechanism & { randomize(value: unknown, rng: RandomSampler): unknown; encodeReport(report: unknown): object };
  return Array.from({ length: count }, (_, i) => {
    const value =
      questionId === 'symptom'
        ? (() => {
            const secret = new Uint8Array(16);
            rng.source.fill(secret);
            return { value: i % 5 === 0 ? 'headache' : 'cough', cohort: i % 4, secret };
          })()
        : answer(i);
    return { id: hexId(), questionId, day, ...mechanism.encodeReport(mechanism.randomize(value, rng)) };
  });
}

/** An inject request whose `body` (if any) is sent as JSON; a string is sent as it is. */
type Request = Omit<InjectOptions, 'body'> & { body?: unknown };

/** A repository whose every method fails once `broken` is set: the database went away. */
function failing(repository: Repository): { repository: Repository; breakIt: () => void } {
  let broken = false;
  const proxy = new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'dropSchema') return value;
      return (...args: unknown[]) => {
        if (broken) return Promise.reject(new Error('database unavailable (test)'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { repository: proxy, breakIt: () => (broken = true) };
}

describe.each(STORES)('OpenAPI document against real answers ($name)', (store: Store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  let throttled: CollectorApp & { dispose: () => Promise<void> };
  let broken: CollectorApp & { dispose: () => Promise<void> };
  let check: DocumentCheck;

  /** Sends `request` as operation `op`, expects `status`, and validates the answer against the document. */
  async function call(target: CollectorApp, op: string, request: Request, status: number): Promise<LightMyRequestResponse> {
    const { body, ...rest } = request;
    const options: InjectOptions = { method: op.split(' ')[0] as 'GET', ...rest };
    if (body !== undefined) {
      options.payload = typeof body === 'string' ? body : JSON.stringify(body);
      options.headers = { 'content-type': 'application/json', ...options.headers };
    }
    const response = await target.inject(options);
    expect(response.statusCode, `${op} ${String(request.url)}: ${response.body.slice(0, 400)}`).toBe(status);
    check.response(op, response);
    if (status < 300 && body !== undefined && typeof body !== 'string') check.requestBody(op, 'application/json', body);
    return response;
  }

  const sample = (op: string, extra: Partial<Request> = {}): Request => {
    const s = SAMPLES[op]!;
    return { url: s.url, ...(s.body === undefined ? {} : { body: s.body }), headers: { ...s.token }, ...extra };
  };

  beforeAll(async () => {
    const issuer = await makeIssuer(() => new Date(), [tokenCampaign('tok')]);
    const list = await issuer.keyList();
    app = await storeApp(store, 'openapi_main', { metricsToken: METRICS, maxBatchReports: 500 }, { tokenKeys: TokenKeyRing.of(list) });
    throttled = await storeApp(store, 'openapi_throttled', { metricsToken: METRICS, authFailuresPerMinute: 1, rateLimitPerMinute: 1 });
    const opened = store.open('openapi_broken');
    const fault = failing(opened);
    broken = await storeApp({ name: store.name, open: () => fault.repository }, 'openapi_broken', { metricsToken: METRICS });
    check = new DocumentCheck((await app.inject('/docs/json')).json());

    // Data for every kind of cell: fever has a day with amplification and a withheld day; quiet stays below minBatch.
    await call(app, 'POST /v1/campaigns', sample('POST /v1/campaigns'), 201);
    const batches: unknown[][] = [
      reports('fever', 400),
      reports('fever', 350),
      reports('fever', 2, YESTERDAY),
      reports('pain', 40, TODAY, (i) => i % 3),
      reports('symptoms', 40, TODAY, (i) => [i % 3]),
      reports('sleep', 40, TODAY, (i) => i % 12),
      reports('symptom', 400),
      reports('quiet', 3),
    ];
    for (const batch of batches) await call(app, 'POST /v1/reports', { url: '/v1/reports', body: { campaignId: 'oa', campaignVersion: 1, reports: batch } }, 202);

    // A campaign to close and purge, one with an ingest key, one with anonymous tokens.
    for (const document of [{ ...CAMPAIGN, id: 'doomed' }, { campaign: { ...CAMPAIGN, id: 'keyed' }, ingestKey: 'first-key-0123' }, tokenCampaign('tok')]) {
      await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: document }, 201);
    }
    await call(app, 'POST /v1/reports', { url: '/v1/reports', body: { campaignId: 'doomed', campaignVersion: 1, reports: reports('fever', 3) } }, 202);
    const token = await mintToken(issuer, 'patient-1', keyFor(list, 'tok', 'fever', TODAY));
    await call(app, 'POST /v1/reports', { url: '/v1/reports', body: { protocol: 2, campaignId: 'tok', campaignVersion: 1, reports: [{ id: hexId(), questionId: 'fever', day: TODAY, payload: 1, ext: { token } }, { id: hexId(), questionId: 'cough', day: TODAY, payload: 0 }] } }, 202);

    for (const target of [throttled, broken]) expect(await target.inject({ method: 'POST', url: '/v1/campaigns', headers: admin, payload: CAMPAIGN })).toMatchObject({ statusCode: 201 });
    fault.breakIt();
  }, 60_000);

  afterAll(async () => {
    for (const a of [app, throttled, broken]) await a?.dispose();
  });

  it('documents every operation: an operationId, a 2xx answer, error answers, no default response', () => {
    const ops = Object.entries(check.doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(ops.sort()).toEqual(Object.keys(SAMPLES).sort());
    const ids = new Set<string>();
    for (const op of ops) {
      const { operation } = check.operation(op);
      expect(operation.operationId, op).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(operation.operationId!);
      const statuses = Object.keys(operation.responses);
      expect(statuses.some((s) => /^2\d\d$/.test(s)), `${op} has a 2xx answer`).toBe(true);
      expect(statuses.some((s) => /^[45]\d\d$/.test(s)), `${op} has error answers`).toBe(true);
      const [method, path] = op.split(' ') as [string, string];
      const at = ['paths', path, method.toLowerCase()];
      for (const status of statuses) {
        expect(status, `${op}`).toMatch(/^[1-5]\d\d$/);
        expect(operation.responses[status]!.description, `${op} ${status}`).not.toBe('Default Response');
        const mediaTypes = Object.keys(operation.responses[status]!.content ?? {});
        expect(mediaTypes.length, `${op} ${status} has a body schema`).toBeGreaterThan(0);
        // Ajv in strict mode compiles each schema: an unknown keyword or a malformed schema throws.
        for (const mediaType of mediaTypes) check.validator([...at, 'responses', status, 'content', mediaType, 'schema']);
      }
      for (const mediaType of Object.keys(operation.requestBody?.content ?? {})) check.validator([...at, 'requestBody', 'content', mediaType, 'schema']);
      (operation.parameters ?? []).forEach((_, i) => check.validator([...at, 'parameters', String(i), 'schema']));
      if (SAMPLES[op]!.token !== undefined) expect(operation.security, `${op} names its bearer token`).toEqual([{ bearer: [] }]);
    }
    expect(ids.size).toBe(ops.length);
  });

  it('operations: liveness, readiness (ready, closing, database unavailable), metrics', async () => {
    await call(app, 'GET /healthz', sample('GET /healthz'), 200);
    await call(app, 'GET /readyz', sample('GET /readyz'), 200);
    await call(broken, 'GET /readyz', sample('GET /readyz'), 503);
    await call(app, 'GET /metrics', sample('GET /metrics'), 200);
    await call(app, 'GET /metrics', { url: '/metrics' }, 401);
  });

  it('campaigns: publish (created, unchanged, with a plan, refused), list, fetch', async () => {
    // The document's own example campaign, as "Try it out" sends it.
    const example = check.doc.paths['/v1/campaigns']!.post!.requestBody!.content['application/json']!.example;
    expect(example).toBeDefined();
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: example }, 201);
    await call(app, 'POST /v1/campaigns', sample('POST /v1/campaigns'), 200);
    const planned = await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { campaign: { ...CAMPAIGN, id: 'planned' }, plan: { patients: 30, targets: { fever: 0.05 } } } }, 201);
    expect(planned.json().plan.questions).toHaveLength(QUESTIONS.length);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { id: 'oa' } }, 400);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: '{"id":' }, 400);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { ...CAMPAIGN, title: 'changed' } }, 409);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<campaign/>' }, 415);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { ...CAMPAIGN, description: 'x'.repeat(app.collector.config.bodyLimitBytes) } }, 413);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { campaign: { ...CAMPAIGN, id: 'tiny' }, plan: { patients: 1, strict: true } } }, 422);

    const listed = await call(app, 'GET /v1/campaigns', sample('GET /v1/campaigns'), 200);
    expect(listed.json().campaigns.map((c: { id: string }) => c.id)).toContain('oa');

    await call(app, 'GET /v1/campaigns/{id}', sample('GET /v1/campaigns/{id}'), 200);
    await call(app, 'GET /v1/campaigns/{id}', { url: '/v1/campaigns/oa?version=1' }, 200);
    await call(app, 'GET /v1/campaigns/{id}', { url: '/v1/campaigns/oa?version=x' }, 400);
    await call(app, 'GET /v1/campaigns/{id}', { url: '/v1/campaigns/nobody' }, 404);
    await call(broken, 'GET /v1/campaigns/{id}', sample('GET /v1/campaigns/{id}'), 500);
  });

  it('ingest: the example batch, duplicates, per-report token answers, and each refusal', async () => {
    const op = 'POST /v1/reports';
    const example = check.doc.paths['/v1/reports']!.post!.requestBody!.content['application/json']!.example;
    const first = await call(app, op, { url: '/v1/reports', body: example }, 202);
    expect(first.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await call(app, op, { url: '/v1/reports', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(example) }, 202)).json()).toEqual({ accepted: 0, duplicates: 1 });
    check.requestBody(op, 'text/plain', example);

    const batch = (campaignId: string, extra: object = {}) => ({ campaignId, campaignVersion: 1, reports: reports('fever', 1), ...extra });
    await call(app, op, { url: '/v1/reports', body: { ...batch('oa'), reports: [{ id: 'nothex', questionId: 'fever', day: TODAY, payload: 1 }] } }, 400);
    await call(app, op, { url: '/v1/reports?key=a&key=b', body: batch('oa') }, 400);
    await call(app, op, { url: '/v1/reports', body: batch('keyed') }, 401);
    await call(app, op, { url: '/v1/reports?key=first-key-0123', body: batch('keyed') }, 202);
    await call(app, op, { url: '/v1/reports', body: batch('nobody') }, 404);
    await call(app, op, { url: '/v1/reports', body: { campaignId: 'oa', campaignVersion: 1, reports: reports('fever', 501) } }, 413);
    await call(app, op, { url: '/v1/reports', body: { ...batch('oa'), pad: 'x'.repeat(app.collector.config.bodyLimitBytes) } }, 413);
    await call(app, op, { url: '/v1/reports', headers: { 'content-type': 'application/xml' }, payload: '<batch/>' }, 415);
    // rateLimitPerMinute 1 on this app: the second batch of the minute is refused.
    await call(throttled, op, { url: '/v1/reports', body: batch('oa') }, 202);
    await call(throttled, op, { url: '/v1/reports', body: batch('oa') }, 429);
    await call(broken, op, { url: '/v1/reports', body: batch('oa') }, 500);

    await call(app, 'GET /v1/token-keys', sample('GET /v1/token-keys'), 200);
    await call(throttled, 'GET /v1/token-keys', sample('GET /v1/token-keys'), 404);
  });

  it('estimates: every question, bucket and estimand; exports; refusals', async () => {
    const op = 'GET /v1/campaigns/{id}/estimates';
    const seen = new Set<string>();
    for (const question of QUESTIONS) {
      for (const bucket of ['day', 'week', 'total']) {
        for (const estimand of ['population', 'respondents']) {
          const release = (await call(app, op, { url: `/v1/campaigns/oa/estimates?question=${question}&bucket=${bucket}&estimand=${estimand}`, headers: read }, 200)).json();
          // The answer is exactly the JSON of the release the collector computed: response schemas
          // serialize nothing (app.ts), so a field a schema does not name is never dropped.
          const computed = await estimateQuestion(app.collector.repository, model, model.questions.get(question)!, { bucket: bucket as Bucket, estimand: estimand as Estimand });
          expect(release).toEqual(JSON.parse(JSON.stringify(computed)));
          for (const cell of release.cells) {
            for (const key of Object.keys(cell)) seen.add(key);
            if (cell.amplification !== undefined) seen.add(`amplification:${String(cell.amplification.applicable)}`);
            for (const value of cell.values ?? []) seen.add(`detectable:${String(value.detectable)}`);
          }
        }
      }
    }
    // The answers exercised every optional part of a cell, so the schema was tried on each.
    for (const part of ['reason', 'withheld', 'values', 'mean', 'decoding', 'uncertainty', 'amplification:true', 'amplification:false', 'detectable:true', 'detectable:false', 'detectable:undefined']) expect(seen, part).toContain(part);
    expect(seen, 'integrity').toContain('integrity');
    // The parameters of other issues: a release merged across versions (16 §4), the poisoning recovery (17 §2), the levels' weighting (14 §2).
    for (const question of ['fever', 'symptom']) expect((await call(app, op, { url: `/v1/campaigns/oa/estimates?question=${question}&versions=merge`, headers: read }, 200)).json().versions).toEqual([1]);
    const defended = (await call(app, op, { url: '/v1/campaigns/oa/estimates?question=symptom&bucket=day&defence=ldprecover', headers: read }, 200)).json();
    expect(defended.defence).toBe('ldprecover');
    expect(defended.cells.some((cell: { recovery?: unknown }) => cell.recovery !== undefined)).toBe(true);
    await call(app, op, { url: '/v1/campaigns/oa/estimates?question=fever&weighting=inverse-variance', headers: read }, 400);
    await call(app, 'GET /v1/campaigns/{id}/export', { url: '/v1/campaigns/oa/export?question=fever&weighting=inverse-variance', headers: read }, 400);
    const drifted = { ...CAMPAIGN, id: 'drift', version: 2, questions: [{ ...CAMPAIGN.questions[0], epsilon: 2 }, ...CAMPAIGN.questions.slice(1)] };
    for (const document of [{ ...CAMPAIGN, id: 'drift' }, drifted]) await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: document }, 201);
    await call(app, op, { url: '/v1/campaigns/drift/estimates?question=fever&versions=merge', headers: read }, 409);
    await call(app, 'GET /v1/campaigns/{id}/export', { url: '/v1/campaigns/drift/export?question=fever&versions=merge', headers: read }, 409);
    await call(app, op, { url: '/v1/campaigns/oa/estimates?question=fever&from=2026-13-45', headers: read }, 400);
    await call(app, op, { url: '/v1/campaigns/nobody/estimates?question=fever', headers: read }, 404);
    await call(app, op, { url: '/v1/campaigns/oa/estimates?question=nothing', headers: read }, 404);

    const exportOp = 'GET /v1/campaigns/{id}/export';
    await call(app, exportOp, { url: '/v1/campaigns/oa/export?question=fever&bucket=day', headers: read }, 200);
    for (const format of ['rappor-params', 'rappor-counts', 'rappor-map']) await call(app, exportOp, { url: `/v1/campaigns/oa/export?question=symptom&format=${format}`, headers: read }, 200);
    await call(app, exportOp, { url: '/v1/campaigns/oa/export?question=fever&format=rappor-map', headers: read }, 400);
    await call(app, exportOp, { url: '/v1/campaigns/nobody/export?question=fever', headers: read }, 404);
  });

  it('lifecycle, keys, tokens and audit: each answer and refusal', async () => {
    await call(app, 'POST /v1/campaigns/{id}/purge', sample('POST /v1/campaigns/{id}/purge'), 409);
    await call(app, 'POST /v1/campaigns/{id}/close', sample('POST /v1/campaigns/{id}/close'), 200);
    expect((await call(app, 'POST /v1/campaigns/{id}/close', sample('POST /v1/campaigns/{id}/close'), 200)).json().alreadyClosed).toBe(true);
    await call(app, 'POST /v1/campaigns/{id}/close', { url: '/v1/campaigns/doomed/close', headers: { ...admin, 'content-type': 'application/json' }, payload: '' }, 400);
    await call(app, 'POST /v1/campaigns/{id}/close', { url: '/v1/campaigns/nobody/close', headers: admin }, 404);
    await call(app, 'POST /v1/reports', { url: '/v1/reports', body: { campaignId: 'doomed', campaignVersion: 1, reports: reports('fever', 1) } }, 410);
    await call(app, 'POST /v1/campaigns', { url: '/v1/campaigns', headers: admin, body: { ...CAMPAIGN, id: 'doomed', version: 2 } }, 409);
    await call(app, 'POST /v1/campaigns/{id}/purge', { url: '/v1/campaigns/doomed/purge?confirm=other', headers: admin }, 400);
    expect((await call(app, 'POST /v1/campaigns/{id}/purge', sample('POST /v1/campaigns/{id}/purge'), 200)).json().reports).toBe(3);
    await call(app, 'POST /v1/campaigns/{id}/purge', { url: '/v1/campaigns/nobody/purge?confirm=nobody', headers: admin }, 404);

    const retention = 'POST /v1/campaigns/{id}/retention';
    await call(app, retention, sample(retention), 200);
    await call(app, retention, sample(retention, { body: { days: null } }), 200);
    await call(app, retention, sample(retention, { body: { days: 1 } }), 400);
    await call(app, retention, sample(retention, { url: '/v1/campaigns/nobody/retention' }), 404);
    await call(app, retention, sample(retention, { body: { days: 400, pad: 'x'.repeat(app.collector.config.bodyLimitBytes) } }), 413);
    await call(app, retention, { url: '/v1/campaigns/oa/retention', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<days/>' }, 415);

    const keys = 'POST /v1/campaigns/{id}/ingest-keys';
    expect((await call(app, keys, sample(keys), 201)).json().status).toBe('active');
    await call(app, keys, sample(keys, { body: { label: 'generated' } }), 201);
    await call(app, keys, sample(keys), 409);
    await call(app, keys, sample(keys, { body: { label: '-bad' } }), 400);
    await call(app, keys, sample(keys, { url: '/v1/campaigns/nobody/ingest-keys' }), 404);
    await call(app, keys, sample(keys, { body: { label: 'big', pad: 'x'.repeat(app.collector.config.bodyLimitBytes) } }), 413);
    await call(app, keys, { url: '/v1/campaigns/keyed/ingest-keys', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<key/>' }, 415);
    await call(app, 'GET /v1/campaigns/{id}/ingest-keys', sample('GET /v1/campaigns/{id}/ingest-keys'), 200);
    await call(app, 'GET /v1/campaigns/{id}/ingest-keys', { url: '/v1/campaigns/nobody/ingest-keys', headers: admin }, 404);
    const revokeKey = 'POST /v1/campaigns/{id}/ingest-keys/{label}/revoke';
    expect((await call(app, revokeKey, sample(revokeKey), 200)).json().status).toBe('revoked');
    await call(app, revokeKey, { url: '/v1/campaigns/keyed/ingest-keys/none/revoke', headers: admin }, 404);
    await call(app, revokeKey, { url: '/v1/campaigns/keyed/ingest-keys/second/revoke', headers: { ...admin, 'content-type': 'application/json' }, payload: '' }, 400);

    const tokens = 'POST /v1/admin/tokens';
    const created = (await call(app, tokens, sample(tokens), 201)).json();
    await call(app, tokens, sample(tokens, { body: { label: 'ops', role: 'admin', expiresAt: '2099-01-01T00:00:00Z' } }), 201);
    await call(app, tokens, sample(tokens), 409);
    await call(app, tokens, sample(tokens, { body: { label: 'x', role: 'root' } }), 400);
    await call(app, tokens, sample(tokens, { body: { label: 'big', role: 'read', pad: 'x'.repeat(app.collector.config.bodyLimitBytes) } }), 413);
    await call(app, tokens, { url: '/v1/admin/tokens', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<token/>' }, 415);
    // The created read token reads (scoped to oa), then is revoked.
    await call(app, 'GET /v1/campaigns', { url: '/v1/campaigns', headers: { authorization: `Bearer ${created.token}` } }, 200);
    await call(app, 'GET /v1/admin/tokens', sample('GET /v1/admin/tokens'), 200);
    await call(app, 'POST /v1/admin/tokens/{label}/revoke', sample('POST /v1/admin/tokens/{label}/revoke'), 200);
    await call(app, 'POST /v1/admin/tokens/{label}/revoke', { url: '/v1/admin/tokens/none/revoke', headers: admin }, 404);
    await call(app, 'POST /v1/admin/tokens/{label}/revoke', { url: '/v1/admin/tokens/ops/revoke', headers: { ...admin, 'content-type': 'application/json' }, payload: '' }, 400);

    const page = (await call(app, 'GET /v1/admin/audit', sample('GET /v1/admin/audit'), 200)).json();
    expect(page.entries).toHaveLength(5);
    await call(app, 'GET /v1/admin/audit', { url: `/v1/admin/audit?before=${page.next}&limit=1000`, headers: admin }, 200);
    await call(app, 'GET /v1/admin/audit', { url: '/v1/admin/audit?limit=0', headers: admin }, 400);
  });

  it('every authenticated operation: 401 without a token, 403 with the other role, 429 when throttled, 500 when the database fails', async () => {
    for (const [op, s] of Object.entries(SAMPLES)) {
      const body = s.body === undefined ? {} : { body: s.body };
      if (s.token !== undefined) {
        await call(app, op, { url: s.url, ...body }, 401);
        if (s.other !== undefined) await call(app, op, { url: s.url, headers: s.other, ...body }, 403);
      }
      if (`${op} 500` in NOT_PROVOKED_FOR) continue;
      await call(broken, op, { url: s.url, headers: { ...s.token }, ...body }, op === 'GET /readyz' ? 503 : 500);
    }
    // One failed authentication throttles the address on this app: every authenticated route then answers 429.
    await call(throttled, 'GET /v1/campaigns', { url: '/v1/campaigns' }, 401);
    for (const [op, s] of Object.entries(SAMPLES)) if (s.token !== undefined) await call(throttled, op, { url: s.url, headers: s.token, ...(s.body === undefined ? {} : { body: s.body }) }, 429);
  });

  it('answered every status each operation documents (except those listed as not provoked here)', () => {
    const missing: string[] = [];
    for (const op of Object.keys(SAMPLES)) {
      for (const status of Object.keys(check.operation(op).operation.responses)) {
        const key = `${op} ${status}`;
        const excused = (status in NOT_PROVOKED && !PROVOKED_ANYWAY.has(key)) || key in NOT_PROVOKED_FOR;
        if (!check.answered.has(key) && !excused) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });
});
