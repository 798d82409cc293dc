/**
 * Hostile query strings and route parameters (issue 16: two 500s hid there on PostgreSQL), on both
 * stores. First core's shared catalogue (test/hostile-inputs.ts: HOSTILE_QUERY_VALUES for every
 * parameter of every route, hostileQueryShapes — repeated, arrays, objects, __proto__ — and
 * HOSTILE_PATH_SEGMENTS for the campaign id), then a fast-check fuzz mixing catalogue values,
 * arbitrary unicode and raw bytes into every parameter at once. Invariants: never a 5xx; a 4xx
 * always carries a typed error body { error: { code, message } }; stored cells, report counts and
 * every question's estimates are the same afterwards. POST /v1/reports carries a batch whose report
 * is already stored, so even an accepted request must change nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_PATH_SEGMENTS, HOSTILE_QUERY_VALUES, hostileQueryShapes } from '../../core/test/hostile-inputs.ts';
import type { CollectorApp } from '../src/app.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { DEMO_CAMPAIGN, QUESTION_IDS, READ, batch, makeApp, post, publish, report } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

const INGEST_KEY = 'pk_keyed_0123456789abcdef';
const STORED = report('fever', 1);
const KEYED_DUPLICATE = JSON.stringify(batch([STORED], 'keyed'));

/** Each route and its query parameters. */
const ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; path: (id: string) => string; params: readonly string[]; base: string }> = [
  { method: 'GET', path: (id) => `/v1/campaigns/${id}`, params: ['version'], base: '' },
  { method: 'GET', path: (id) => `/v1/campaigns/${id}/estimates`, params: ['question', 'from', 'to', 'bucket', 'version', 'estimand', 'versions'], base: 'question=fever' },
  { method: 'GET', path: (id) => `/v1/campaigns/${id}/export`, params: ['question', 'from', 'to', 'bucket', 'version', 'estimand', 'format', 'versions'], base: 'question=symptom' },
  { method: 'POST', path: () => '/v1/reports', params: ['key'], base: '' },
];

const stores: Array<[string, boolean, () => Promise<CollectorApp>]> = [
  ['SQLite', true, () => makeApp()],
  ['PostgreSQL', HAVE_POSTGRES, () => makeApp({}, { repository: new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('queryfuzz') }) })],
];

for (const [store, enabled, open] of stores) {
  describe.skipIf(!enabled)(`query strings and route parameters on ${store}`, () => {
    let app: CollectorApp;
    let before: string;

    beforeAll(async () => {
      app = await open();
      expect(await publish(app)).toBe(201);
      expect(await publish(app, { campaign: { ...DEMO_CAMPAIGN, id: 'keyed' }, ingestKey: INGEST_KEY })).toBe(201);
      expect((await post(app, batch([STORED, report('pain', 2), report('symptom', '3ff', { cohort: 1 })]))).statusCode).toBe(202);
      expect((await post(app, batch([STORED], 'keyed'), { 'x-pp-ingest-key': INGEST_KEY })).statusCode).toBe(202);
      before = await state();
    });
    afterAll(async () => {
      await app.close();
    });

    /** Cells, counts and the estimates of every question of both campaigns. */
    async function state(): Promise<string> {
      const repo = app.collector.repository;
      const parts: unknown[] = [await repo.countReports('demo', 1), await repo.countReports('keyed', 1)];
      for (const campaign of ['demo', 'keyed']) {
        for (const question of QUESTION_IDS) {
          parts.push(await repo.readSums({ campaignId: campaign, version: 1, questionId: question }));
          const response = await app.inject({ method: 'GET', url: `/v1/campaigns/${campaign}/estimates?question=${question}&bucket=day`, headers: { authorization: `Bearer ${READ}` } });
          expect(response.statusCode, response.body).toBe(200);
          parts.push(response.json());
        }
      }
      return JSON.stringify(parts);
    }

    async function request(route: (typeof ROUTES)[number], id: string, query: string) {
      const url = `${route.path(id)}${query === '' ? '' : `?${query}`}`;
      const response =
        route.method === 'POST'
          ? await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: KEYED_DUPLICATE })
          : await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${READ}` } });
      expect(response.statusCode, `${route.method} ${url.slice(0, 300)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
      if (response.statusCode >= 400) {
        const error = (response.json() as { error?: { code?: unknown; message?: unknown } }).error;
        expect(typeof error?.code, `${url.slice(0, 200)}: ${response.body.slice(0, 200)}`).toBe('string');
        expect(typeof error?.message).toBe('string');
      }
      return response;
    }

    const join = (...parts: string[]) => parts.filter((p) => p !== '').join('&');

    it('every catalogue value in every parameter of every route: < 500, typed errors, nothing changed', async () => {
      const statuses = new Map<number, number>();
      for (const route of ROUTES) {
        for (const param of route.params) {
          const others = route.base.startsWith(`${param}=`) ? '' : route.base;
          for (const value of HOSTILE_QUERY_VALUES) {
            const response = await request(route, 'demo', join(others, `${param}=${value.encoded}`));
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          }
          for (const shape of hostileQueryShapes(param)) await request(route, 'demo', join(others, shape.query));
        }
        for (const segment of HOSTILE_PATH_SEGMENTS) await request(route, segment.encoded, route.base);
      }
      expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
      // Positive controls: each route with ordinary parameters answers normally (the refusals above are for the value).
      for (const route of ROUTES) expect((await request(route, 'demo', route.method === 'POST' ? `key=${INGEST_KEY}` : join(route.base, 'bucket=week&from=2000-01-01&version=1'))).statusCode, route.path('demo')).toBeLessThan(300);
      expect(await state()).toBe(before);
    }, 120_000);

    it('2,000 fuzzed requests with every parameter at once: < 500, typed errors, nothing changed', async () => {
      const catalogue = fc.constantFrom(...HOSTILE_QUERY_VALUES.map((v) => v.encoded));
      const valid = fc.constantFrom('fever', 'symptom', 'pain', 'day', 'week', 'total', 'csv', 'rappor-counts', 'rappor-map', 'rappor-params', 'population', 'respondents', 'merge', '1', '2', '2026-03-15', INGEST_KEY);
      const unicode = fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent);
      const bytes = fc.uint8Array({ maxLength: 24 }).map((b) => Array.from(b, (x) => `%${x.toString(16).padStart(2, '0')}`).join(''));
      const value = fc.oneof(catalogue, valid, unicode, bytes);
      const anyParam = fc.constantFrom('question', 'from', 'to', 'bucket', 'version', 'versions', 'estimand', 'format', 'key', 'question[]', '__proto__', 'constructor[prototype]', '');
      const pair = fc.tuple(anyParam, value, fc.boolean()).map(([name, v, bare]) => (bare && v === '' ? name : `${name}=${v}`));
      const segment = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('demo', 'keyed') }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_PATH_SEGMENTS.map((s) => s.encoded)) }, { weight: 1, arbitrary: unicode.filter((s) => s.length > 0) });
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), segment, fc.array(pair, { maxLength: 8 }), async (route, id, pairs) => {
          runs += 1;
          await request(route, id, join(route.base, ...pairs));
        }),
        { numRuns: 2000, seed: 20_261_204 },
      );
      expect(runs).toBe(2000);
      expect(await state()).toBe(before);
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    }, 240_000);
  });
}
