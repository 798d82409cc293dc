/**
 * Hostile inputs: each gets a 4xx with a machine-readable error and the aggregates stay unchanged.
 * The test campaign (helpers.ts) has a question for every decoder — binary RR, GRR, OUE, SUE, OLH,
 * Hadamard, RAPPOR with cohorts, Duchi, Piecewise, Hybrid, padding-and-sampling over GRR and OLH —
 * and a copy of it, `keyed`, is published with an ingest key.
 * Both on SQLite and (PP_HAVE_POSTGRES=1 / CI) PostgreSQL. Then a fast-check fuzz of ≥ 10,000 bodies (arbitrary JSON, batches of arbitrary reports, valid
 * reports of every question and near-misses of them): zero 5xx, every response leaves the stored
 * aggregates exactly where core's own decoders say the acknowledged reports put them, and the app
 * still serves a valid batch afterwards. A decoder that throws anything but PAYLOAD_INVALID is a
 * 500 (ingest.ts), so the fuzz also catches decoder bugs.
 */
import { addToSums, encodedOf, type BatchReport } from '@practical-privacy/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { parseCampaign } from '../src/campaigns/model.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { ADMIN, DEMO_CAMPAIGN, QUESTION_IDS, READ, TODAY, batch, makeApp, post, publish, report, reportId } from './helpers.ts';
import { STORES as ADMIN_STORES, dumpAll, storeApp } from './stores.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { hostileTokenBodies } from '../../core/test/hostile-inputs.ts';

const INGEST_KEY = 'pk_keyed_0123456789abcdef';
const CAMPAIGNS = ['demo', 'keyed'] as const;
/** core's mechanisms for the test campaign: the reference the stored aggregates are checked against. */
const MODEL = parseCampaign(DEMO_CAMPAIGN);

const APP_CONFIG = { bodyLimitBytes: 256 * 1024, maxBatchReports: 500 };
/** Both stores: the PostgreSQL fuzz is where two of issue 16's 500s hid. */
const STORES: Array<{ store: string; enabled: boolean; open: () => Promise<CollectorApp>; fuzzRuns: number }> = [
  { store: 'SQLite', enabled: true, open: () => makeApp(APP_CONFIG), fuzzRuns: 10_000 },
  { store: 'PostgreSQL', enabled: HAVE_POSTGRES, open: () => makeApp(APP_CONFIG, { repository: new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('hostile') }) }), fuzzRuns: 10_000 },
];

let app: CollectorApp;

/** Per campaign and question, the sums added over all days. */
async function totalsOf(campaignId: string, questionId: string): Promise<number[]> {
  const out = new Array<number>(MODEL.questions.get(questionId)!.mechanism.sumsLength).fill(0);
  for (const cell of await app.collector.repository.readSums({ campaignId, version: 1, questionId })) out[cell.index]! += cell.sum;
  return out;
}

async function snapshot(): Promise<string> {
  const repo = app.collector.repository;
  const parts = await Promise.all(CAMPAIGNS.flatMap((c) => QUESTION_IDS.map((q) => repo.readSums({ campaignId: c, version: 1, questionId: q }))));
  return JSON.stringify([parts, await repo.countReports('demo', 1), await repo.countReports('keyed', 1)]);
}

const valid = () => report('fever', 1);
const one = (question: string, payload: unknown, extra: Record<string, unknown> = {}) => JSON.stringify(batch([report(question, payload, extra)]));
const OLH_SEED = 123_456_789;

/** One valid report per question (positive controls: the near-misses below differ from these in one respect). */
const VALID_REPORTS: Array<[string, unknown, Record<string, unknown>?]> = [
  ['fever', 1],
  ['pain', 3],
  ['mood', '_wM'], // OUE, k = 10: bytes ff 03 (all ten bits) in 3 base64url characters
  ['energy', 'Bw'], // SUE, k = 3: byte 07
  ['region', [OLH_SEED, 3]], // OLH, g = 4
  ['diet', 7], // Hadamard, K = 8
  ['symptom', '3ff', { cohort: 3 }], // RAPPOR, k = 10 (3 hex digits), m = 4
  ['sleep', 15], // Piecewise, G = 16
  ['temperature', 1], // Duchi, G = 2
  ['steps', 31], // Hybrid, G = 32
  ['symptoms', 5], // padding-and-sampling over GRR on k + L = 6 values
  ['activities', [OLH_SEED, 3]], // padding-and-sampling over OLH, g = 4
  ['cough-days', 1], // L-GRR, k = 2
  ['appetite', 'Hw'], // L-OUE, k = 5: byte 1f
  ['clinic', [0, 1]], // LOLOHA: [hash index, bucket]
  ['drug', [1, 0]], // LOLOHA over 3 candidates + "other"
  ['aches', [1, 1]], // padding-and-sampling over LOLOHA
  ['body-weight', 1], // alpha-1bit
];

type Expected = { status?: number; code?: string; path?: string };
const PAYLOAD = (path = 'reports.0.payload'): Expected => ({ code: 'PAYLOAD_INVALID', path });
const SCHEMA: Expected = { code: 'REPORT_INVALID' };
const KEY: Expected = { status: 401, code: 'INGEST_KEY_INVALID' };

const CATALOGUE: Array<[string, string | Buffer, Record<string, string>?, Expected?]> = [
  ['invalid JSON', '{"campaign": "demo", '],
  ['empty body', ''],
  ['JSON null', 'null'],
  ['JSON array', '[]'],
  ['JSON string', '"demo"'],
  ['number instead of object', '42'],
  ['NaN literal', '{"campaignId":"demo","campaignVersion":NaN,"reports":[]}'],
  ['1e309 (Infinity after parsing)', `{"campaignId":"demo","campaignVersion":1e309,"reports":[${JSON.stringify(valid())}]}`],
  ['1e309 payload', `{"campaignId":"demo","campaignVersion":1,"reports":[{"id":"${reportId()}","questionId":"fever","day":"${TODAY}","payload":1e309}]}`],
  ['__proto__ key', `{"campaignId":"demo","campaignVersion":1,"__proto__":{"polluted":true},"reports":[${JSON.stringify(valid())}]}`],
  ['nested __proto__ in report', `{"campaignId":"demo","campaignVersion":1,"reports":[{"id":"${reportId()}","questionId":"fever","day":"${TODAY}","payload":1,"__proto__":{"x":1}}]}`],
  ['constructor.prototype', `{"campaignId":"demo","campaignVersion":1,"constructor":{"prototype":{"x":1}},"reports":[${JSON.stringify(valid())}]}`],
  ['extra top-level field', JSON.stringify({ ...batch([valid()]), device: 'abc' })],
  ['extra report field', JSON.stringify(batch([{ ...valid(), ip: '10.0.0.1' }]))],
  ['missing reports', JSON.stringify({ campaignId: 'demo', campaignVersion: 1 })],
  ['empty reports', JSON.stringify(batch([]))],
  ['version as string', JSON.stringify({ ...batch([valid()]), campaignVersion: '1' })],
  ['version 0', JSON.stringify(batch([valid()], 'demo', 0))],
  ['fractional version', JSON.stringify(batch([valid()], 'demo', 1.5))],
  ['unknown campaign', JSON.stringify(batch([valid()], 'nope', 1))],
  ['unknown version', JSON.stringify(batch([valid()], 'demo', 99))],
  ['unknown question', JSON.stringify(batch([report('weight', 1)]))],
  ['boolean payload out of range', JSON.stringify(batch([report('fever', 2)]))],
  ['boolean payload as true', JSON.stringify(batch([report('fever', true)]))],
  ['categorical payload too large', JSON.stringify(batch([report('pain', 4)]))],
  ['categorical payload negative', JSON.stringify(batch([report('pain', -1)]))],
  ['categorical payload fractional', JSON.stringify(batch([report('pain', 1.5)]))],
  ['payload as array', JSON.stringify(batch([report('pain', [1, 0, 0])]))],
  ['payload array too long', JSON.stringify(batch([report('pain', Array.from({ length: 100 }, () => 1))]))],
  ['payload string too long', JSON.stringify(batch([report('pain', 'x'.repeat(20_000))]))],
  ['payload as object', JSON.stringify(batch([report('pain', { v: 1 })]))],
  ['cohort on a question without cohorts', JSON.stringify(batch([report('fever', 1, { cohort: 3 })]))],
  ['negative cohort on a question without cohorts', JSON.stringify(batch([report('fever', 1, { cohort: -1 })]))],
  ['cohort beyond the wire limit on a question without cohorts', JSON.stringify(batch([report('fever', 1, { cohort: 10_000_000 })]))],

  // Two-level decoders: LOLOHA's hash index and bucket ranges, L-OUE's bits, alpha-1bit's bit, L-GRR's range.
  ['LOLOHA hash index negative', one('clinic', [-1, 0]), undefined, PAYLOAD('reports.0.payload.0')],
  ['LOLOHA bucket ≥ g', one('clinic', [0, 99]), undefined, PAYLOAD('reports.0.payload.1')],
  ['LOLOHA payload of one number', one('drug', 1), undefined, PAYLOAD()],
  ['L-OUE padding bit above k = 5', one('appetite', '_w'), undefined, PAYLOAD()],
  ['alpha-1bit payload 2', one('body-weight', 2), undefined, PAYLOAD()],
  ['L-GRR payload k', one('cough-days', 2), undefined, PAYLOAD()],
  ['cohort on a LOLOHA question', one('drug', [1, 0], { cohort: 1 }), undefined, PAYLOAD('reports.0.cohort')],

  // RAPPOR (symptom: k = 10, m = 4): cohorts, hex length, alphabet and the padding bits above k.
  ['RAPPOR cohort −1', one('symptom', '000', { cohort: -1 }), undefined, SCHEMA],
  ['RAPPOR cohort m = 4 (cohorts are 0 … 3)', one('symptom', '000', { cohort: 4 }), undefined, PAYLOAD('reports.0.cohort')],
  ['RAPPOR cohort 1.5', one('symptom', '000', { cohort: 1.5 }), undefined, SCHEMA],
  ['RAPPOR cohort "0" (a string)', one('symptom', '000', { cohort: '0' }), undefined, SCHEMA],
  ['RAPPOR cohort missing', one('symptom', '000'), undefined, PAYLOAD('reports.0.cohort')],
  ['RAPPOR hex too short (2 of 3 digits)', one('symptom', '3f', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR hex too long (4 of 3 digits)', one('symptom', '03ff', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR hex empty', one('symptom', '', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR hex uppercase', one('symptom', '3FF', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR hex non-hex digit', one('symptom', '0g0', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR hex with 0x prefix', one('symptom', '0x3', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR padding bit 10 set (k = 10)', one('symptom', '400', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR all padding bits set', one('symptom', 'fff', { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR payload as a number', one('symptom', 1023, { cohort: 0 }), undefined, PAYLOAD()],
  ['RAPPOR payload as a bit array', one('symptom', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { cohort: 0 }), undefined, PAYLOAD()],

  // OUE (mood, k = 10: 2 bytes = 3 base64url characters) and SUE (energy, k = 3: 1 byte = 2 characters).
  ['OUE base64url too short', one('mood', 'AA'), undefined, PAYLOAD()],
  ['OUE base64url too long', one('mood', 'AAAA'), undefined, PAYLOAD()],
  ['OUE with "=" padding', one('mood', 'AA='), undefined, PAYLOAD()],
  ['OUE padded to 4 characters', one('mood', 'AAA='), undefined, PAYLOAD()],
  ['OUE standard-base64 characters + and /', one('mood', '+/A'), undefined, PAYLOAD()],
  ['OUE non-ASCII character', one('mood', 'AAé'), undefined, PAYLOAD()],
  ['OUE whitespace', one('mood', 'A A'), undefined, PAYLOAD()],
  ['OUE unused trailing base64 bits set (non-canonical)', one('mood', 'AAB'), undefined, PAYLOAD()],
  ['OUE bit 10 set (bytes 00 04, beyond k = 10)', one('mood', 'AAQ'), undefined, PAYLOAD()],
  ['OUE payload as a number', one('mood', 1), undefined, PAYLOAD()],
  ['OUE with a cohort', one('mood', 'AQA', { cohort: 0 }), undefined, PAYLOAD('reports.0.cohort')],
  ['SUE base64url too short', one('energy', 'B'), undefined, PAYLOAD()],
  ['SUE base64url too long', one('energy', 'BwA'), undefined, PAYLOAD()],
  ['SUE bit 3 set (byte 08, beyond k = 3)', one('energy', 'CA'), undefined, PAYLOAD()],
  ['SUE unused trailing base64 bits set', one('energy', 'BB'), undefined, PAYLOAD()],
  ['SUE as a bit array', one('energy', [1, 1, 1]), undefined, PAYLOAD()],

  // OLH (region, g = 4) and Hadamard (diet, K = 8).
  ['OLH payload [seed] only', one('region', [OLH_SEED]), undefined, PAYLOAD()],
  ['OLH payload [seed, y, extra]', one('region', [OLH_SEED, 1, 0]), undefined, PAYLOAD()],
  ['OLH payload as a number', one('region', 3), undefined, PAYLOAD()],
  ['OLH seed 2^32', one('region', [2 ** 32, 1]), undefined, PAYLOAD('reports.0.payload.0')],
  ['OLH seed −1', one('region', [-1, 1]), undefined, PAYLOAD('reports.0.payload.0')],
  ['OLH seed fractional', one('region', [0.5, 1]), undefined, PAYLOAD('reports.0.payload.0')],
  ['OLH seed as a boolean', one('region', [true, 1]), undefined, PAYLOAD('reports.0.payload.0')],
  ['OLH y = g = 4', one('region', [OLH_SEED, 4]), undefined, PAYLOAD('reports.0.payload.1')],
  ['OLH y −1', one('region', [OLH_SEED, -1]), undefined, PAYLOAD('reports.0.payload.1')],
  ['OLH y fractional', one('region', [OLH_SEED, 1.5]), undefined, PAYLOAD('reports.0.payload.1')],
  ['OLH with a cohort', one('region', [OLH_SEED, 1], { cohort: 0 }), undefined, PAYLOAD('reports.0.cohort')],
  ['Hadamard index K = 8', one('diet', 8), undefined, PAYLOAD()],
  ['Hadamard index −1', one('diet', -1), undefined, PAYLOAD()],
  ['Hadamard index as a string', one('diet', '3'), undefined, PAYLOAD()],

  // Numeric output indices: Piecewise (sleep, G = 16), Duchi (temperature, G = 2), Hybrid (steps, G = 32).
  ['Piecewise index −1', one('sleep', -1), undefined, PAYLOAD()],
  ['Piecewise index G = 16', one('sleep', 16), undefined, PAYLOAD()],
  ['Piecewise index fractional', one('sleep', 7.5), undefined, PAYLOAD()],
  ['Piecewise answer in hours instead of an index (the grid, not the range)', one('sleep', 1e6), undefined, PAYLOAD()],
  ['Piecewise index as a string', one('sleep', '3'), undefined, PAYLOAD()],
  ['Piecewise with a cohort', one('sleep', 3, { cohort: 0 }), undefined, PAYLOAD('reports.0.cohort')],
  ['Duchi index 2 (G = 2)', one('temperature', 2), undefined, PAYLOAD()],
  ['Duchi index −1', one('temperature', -1), undefined, PAYLOAD()],
  ['Duchi raw temperature 37.5', one('temperature', 37.5), undefined, PAYLOAD()],
  ['Hybrid index G = 32', one('steps', 32), undefined, PAYLOAD()],
  ['Hybrid index −1', one('steps', -1), undefined, PAYLOAD()],
  ['Hybrid index as a boolean', one('steps', true), undefined, PAYLOAD()],

  // Multiselect: padding-and-sampling over GRR on k + L = 6 values (symptoms), over OLH with g = 4 (activities).
  ['multiselect (GRR) index k + L = 6', one('symptoms', 6), undefined, PAYLOAD()],
  ['multiselect (GRR) index −1', one('symptoms', -1), undefined, PAYLOAD()],
  ['multiselect (GRR) the item set itself', one('symptoms', [0, 2]), undefined, PAYLOAD()],
  ['multiselect (GRR) with a cohort', one('symptoms', 1, { cohort: 0 }), undefined, PAYLOAD('reports.0.cohort')],
  ['multiselect (OLH) y = g = 4', one('activities', [OLH_SEED, 4]), undefined, PAYLOAD('reports.0.payload.1')],
  ['multiselect (OLH) payload as a number', one('activities', 2), undefined, PAYLOAD()],
  ['multiselect (OLH) seed 2^32', one('activities', [2 ** 32, 0]), undefined, PAYLOAD('reports.0.payload.0')],

  // The keyed campaign: a valid batch without its key, or with a wrong one, changes nothing.
  ['keyed campaign, no key', JSON.stringify(batch([valid()], 'keyed')), undefined, KEY],
  ['keyed campaign, wrong key', JSON.stringify(batch([valid()], 'keyed')), { 'x-pp-ingest-key': 'pk_keyed_0123456789abcdeX' }, KEY],
  ['keyed campaign, key prefix', JSON.stringify(batch([valid()], 'keyed')), { 'x-pp-ingest-key': INGEST_KEY.slice(0, -1) }, KEY],
  ['keyed campaign, empty key', JSON.stringify(batch([valid()], 'keyed')), { 'x-pp-ingest-key': '' }, KEY],
  ['keyed campaign, key of another case', JSON.stringify(batch([valid()], 'keyed')), { 'x-pp-ingest-key': INGEST_KEY.toUpperCase() }, KEY],

  ['id too short', JSON.stringify(batch([{ ...valid(), id: 'abc' }]))],
  ['id uppercase', JSON.stringify(batch([{ ...valid(), id: reportId().toUpperCase() }]))],
  ['id not a string', JSON.stringify(batch([{ ...valid(), id: 12345 }]))],
  ['day with time', JSON.stringify(batch([{ ...valid(), day: `${TODAY}T10:00:00Z` }]))],
  ['day far past', JSON.stringify(batch([{ ...valid(), day: '1999-12-31' }]))],
  ['day far future', JSON.stringify(batch([{ ...valid(), day: '2999-01-01' }]))],
  ['impossible day', JSON.stringify(batch([{ ...valid(), day: '2026-13-45' }]))],
  ['one bad report in a good batch', JSON.stringify(batch([valid(), valid(), report('pain', 99)]))],
  ['one bad RAPPOR cohort among valid reports of every question', JSON.stringify(batch([...VALID_REPORTS.map(([q, p, extra]) => report(q, p, extra)), report('symptom', '000', { cohort: 4 })])), undefined, PAYLOAD(`reports.${VALID_REPORTS.length}.cohort`)],
  ['too many reports', JSON.stringify(batch(Array.from({ length: 501 }, valid)))],
  ['10 MB body', Buffer.alloc(10 * 1024 * 1024, 0x20)],
  ['deeply nested payload', `{"campaignId":"demo","campaignVersion":1,"reports":[{"id":"${reportId()}","questionId":"fever","day":"${TODAY}","payload":${'['.repeat(5000)}${']'.repeat(5000)}}]}`],
  ['wrong content type (form)', 'campaign=demo', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['wrong content type (octet-stream)', JSON.stringify(batch([valid()])), { 'content-type': 'application/octet-stream' }],
  ['wrong content type (xml)', '<batch/>', { 'content-type': 'application/xml' }],
  ['text/plain with invalid JSON', 'hello', { 'content-type': 'text/plain' }],
  ['ingest key for a campaign without one is ignored, but bad JSON still refused', '{', { 'x-pp-ingest-key': 'x' }],
  // Issue 17: ext.token bodies the wire schema refuses for every campaign, with or without tokens
  // (tokens.test.ts has the same for a campaign that requires them, and the per-report refusals).
  ...hostileTokenBodies().map((c): [string, string, undefined, Expected] => [
    `ext.token: ${c.name}`,
    JSON.stringify({ protocol: 2, ...batch([valid(), { ...valid(), ext: { token: c.value } }]) }),
    undefined,
    // A megabyte token is larger than this app's body limit: refused before parsing.
    c.name === 'a megabyte' ? { status: 413, code: 'BODY_TOO_LARGE' } : { code: 'REPORT_INVALID', path: 'reports.1.ext.token' },
  ]),
];

for (const { store, enabled, open, fuzzRuns } of STORES) {
  describe.skipIf(!enabled)(`on ${store}`, () => {
    beforeAll(async () => {
      app = await open();
      expect(await publish(app)).toBe(201);
      expect(await publish(app, { campaign: { ...DEMO_CAMPAIGN, id: 'keyed' }, ingestKey: INGEST_KEY })).toBe(201);
    });
    afterAll(async () => {
      await app.close();
    });

    describe('hostile-input catalogue', () => {
      it.each(CATALOGUE)('%s → 4xx, aggregates unchanged', async (_name, body, headers, expected) => {
        const before = await snapshot();
        const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json', ...headers }, payload: body });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        const error = response.json().error as { code: string; message: string; path?: string };
        expect(typeof error.code).toBe('string');
        expect(error.message.length).toBeGreaterThan(0);
        if (expected?.status !== undefined) expect(response.statusCode).toBe(expected.status);
        if (expected?.code !== undefined) expect(error.code, error.message).toBe(expected.code);
        if (expected?.path !== undefined) expect(error.path, error.message).toBe(expected.path);
        expect(await snapshot()).toBe(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('valid reports of every question are accepted (the near-misses above fail for their one defect)', async () => {
        const reports = VALID_REPORTS.map(([q, p, extra]) => report(q, p, extra));
        expect(new Set(VALID_REPORTS.map(([q]) => q))).toEqual(new Set(QUESTION_IDS));
        const response = await post(app, batch(reports));
        expect(response.statusCode, response.body).toBe(202);
        expect(response.json()).toEqual({ accepted: VALID_REPORTS.length, duplicates: 0 });
      });

      it('the keyed campaign accepts its key (header or query)', async () => {
        expect((await post(app, batch([valid()], 'keyed'), { 'x-pp-ingest-key': INGEST_KEY })).statusCode).toBe(202);
        const viaQuery = await app.inject({ method: 'POST', url: `/v1/reports?key=${INGEST_KEY}`, headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(batch([valid()], 'keyed')) });
        expect(viaQuery.statusCode).toBe(202);
      });

      it.each([
        ['repeated ?key= (the query parser gives an array)', `?key=${INGEST_KEY}&key=${INGEST_KEY}`],
        ['repeated ?key= with a wrong key', '?key=a&key=b'],
      ])('%s → 400 REQUEST_INVALID, nothing changed', async (_name, query) => {
        const before = await snapshot();
        const response = await app.inject({ method: 'POST', url: `/v1/reports${query}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([valid()], 'keyed')) });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'key' });
        expect(await snapshot()).toBe(before);
      });

      it('a valid batch is still accepted afterwards', async () => {
        expect((await post(app, batch([valid()]))).statusCode).toBe(202);
      });
    });

    describe('fuzz', () => {
      const hexId = fc.stringMatching(/^[0-9a-f]{32}$/);
      const idArb = fc.oneof(fc.constant(reportId()), hexId, fc.string(), fc.integer());
      const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
      const base64Url = (bytes: number[]) => Buffer.from(bytes).toString('base64url');
      const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

      /** LOLOHA's [hash index, bucket] (also inside padding-and-sampling), with the question's own g and hash count. */
      function lolohaPayload(questionId: string): fc.Arbitrary<{ payload: unknown }> {
        const m = MODEL.questions.get(questionId)!.mechanism as unknown as { g?: number; hashCount?: number; inner?: { g: number; hashCount: number } };
        const { g, hashCount } = (m.inner ?? m) as { g: number; hashCount: number };
        return fc.tuple(fc.integer({ min: 0, max: hashCount - 1 }), fc.integer({ min: 0, max: g - 1 })).map((payload) => ({ payload }));
      }

      /** A valid payload (and cohort) for each question. */
      const validPayload: Record<string, fc.Arbitrary<{ payload: unknown; cohort?: number }>> = {
        fever: fc.integer({ min: 0, max: 1 }).map((payload) => ({ payload })),
        pain: fc.integer({ min: 0, max: 3 }).map((payload) => ({ payload })),
        mood: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })).map((bytes) => ({ payload: base64Url(bytes) })),
        energy: fc.integer({ min: 0, max: 7 }).map((b) => ({ payload: base64Url([b]) })),
        region: fc.tuple(uint32, fc.integer({ min: 0, max: 3 })).map((payload) => ({ payload })),
        diet: fc.integer({ min: 0, max: 7 }).map((payload) => ({ payload })),
        symptom: fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 3 })).map(([bits, cohort]) => ({ payload: hex(bits, 3), cohort })),
        sleep: fc.integer({ min: 0, max: 15 }).map((payload) => ({ payload })),
        temperature: fc.integer({ min: 0, max: 1 }).map((payload) => ({ payload })),
        steps: fc.integer({ min: 0, max: 31 }).map((payload) => ({ payload })),
        symptoms: fc.integer({ min: 0, max: 5 }).map((payload) => ({ payload })),
        activities: fc.tuple(uint32, fc.integer({ min: 0, max: 3 })).map((payload) => ({ payload })),
        'cough-days': fc.integer({ min: 0, max: 1 }).map((payload) => ({ payload })),
        appetite: fc.integer({ min: 0, max: 31 }).map((b) => ({ payload: base64Url([b]) })),
        clinic: lolohaPayload('clinic'),
        drug: lolohaPayload('drug'),
        aches: lolohaPayload('aches'),
        'body-weight': fc.integer({ min: 0, max: 1 }).map((payload) => ({ payload })),
      };
      expect(Object.keys(validPayload).sort()).toEqual([...QUESTION_IDS].sort());

      /** One-step near-misses of a payload: ±1, a digit or character changed, added or dropped, an element added or dropped. */
      const mutatePayload = (payload: unknown): fc.Arbitrary<unknown> => {
        if (typeof payload === 'number') return fc.oneof(fc.constantFrom(payload - 1, payload + 1, payload + 0.5, -payload, String(payload)), fc.integer({ min: -2, max: 40 }));
        if (typeof payload === 'string') {
          return fc.oneof(
            fc.constantFrom(payload.slice(1), `${payload}0`, `${payload}A`, payload.toUpperCase(), `${payload}=`, ''),
            fc.tuple(fc.nat(payload.length), fc.constantFrom(...'0369afgAQw_-+/= é')).map(([i, c]) => payload.slice(0, i) + c + payload.slice(i + 1)),
          );
        }
        const array = payload as number[];
        return fc.oneof(
          fc.constantFrom(array.slice(1), [...array, 0], [array[0], -1], [array[0], 4], [2 ** 32, array[1]], [-1, array[1]], array.map(String)),
          fc.tuple(fc.constantFrom(0, 1), fc.oneof(fc.integer({ min: -2, max: 6 }), fc.double(), fc.boolean())).map(([i, v]) => array.map((x, j) => (j === i ? v : x))),
        );
      };

      const questionIdArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUESTION_IDS) }, { weight: 1, arbitrary: fc.constantFrom('other', 'Symptom', '') }, { weight: 1, arbitrary: fc.string() });
      const cohortArb = fc.oneof(fc.integer({ min: -1, max: 5 }), fc.integer(), fc.double(), fc.constantFrom('0', null, true));
      /** Valid reports of random questions, then maybe one field of one report bent. */
      const nearValidReportArb = fc
        .constantFrom(...QUESTION_IDS)
        .chain((questionId) => validPayload[questionId]!.map((v) => ({ id: '', questionId, day: TODAY, ...v }) as Record<string, unknown>))
        .chain((r) =>
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(r) },
            { weight: 3, arbitrary: mutatePayload(r.payload).map((payload) => ({ ...r, payload })) },
            { weight: 1, arbitrary: cohortArb.map((cohort) => ({ ...r, cohort })) },
            { weight: 1, arbitrary: fc.constant(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'cohort'))) },
            { weight: 1, arbitrary: questionIdArb.map((questionId) => ({ ...r, questionId })) },
          ),
        );
      const nearValidBatchArb = fc
        .tuple(fc.array(fc.tuple(hexId, nearValidReportArb), { minLength: 1, maxLength: 6 }), fc.constantFrom('demo', 'demo', 'keyed'))
        .map(([rows, campaign]) => JSON.stringify(batch(rows.map(([id, r]) => ({ ...r, id })), campaign)));

      const payloadArb = fc.oneof(
        fc.integer({ min: -3, max: 40 }),
        fc.constantFrom(2 ** 32 - 1, 2 ** 32, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.string(),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFgx'), maxLength: 5 }),
        fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/='), maxLength: 5 }),
        fc.array(fc.oneof(fc.integer({ min: -1, max: 5 }), uint32, fc.constant(2 ** 32), fc.double(), fc.boolean()), { maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 1 })),
        fc.object(),
      );
      const reportArb = fc.record(
        {
          id: idArb,
          questionId: questionIdArb,
          day: fc.oneof(fc.constant(TODAY), fc.constant('2026-02-30'), fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
          payload: payloadArb,
          cohort: cohortArb,
          extra: fc.anything(),
        },
        { requiredKeys: [] },
      );
      const batchArb = fc.record(
        {
          campaignId: fc.oneof(fc.constantFrom('demo', 'keyed', 'nope'), fc.string()),
          campaignVersion: fc.oneof(fc.constant(1), fc.integer(), fc.double(), fc.string()),
          reports: fc.oneof(fc.array(reportArb, { maxLength: 8 }), fc.anything()),
          junk: fc.anything(),
        },
        { requiredKeys: [] },
      );
      const bodyArb = fc.oneof(
        { weight: 5, arbitrary: batchArb.map((b) => JSON.stringify(b)) },
        { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
        { weight: 5, arbitrary: nearValidBatchArb },
        { weight: 1, arbitrary: fc.oneof(batchArb.map((b) => JSON.stringify(b)), nearValidBatchArb).chain((s) => fc.integer({ min: 0, max: s.length }).map((cut) => s.slice(0, cut))) },
      );
      const contentTypeArb = fc.constantFrom('application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', 'application/octet-stream');
      const keyArb = fc.oneof({ weight: 3, arbitrary: fc.constant(INGEST_KEY) }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'wrong', '', INGEST_KEY.slice(1)) });

      it(`${fuzzRuns.toLocaleString('en-US')} bodies reach every decoder: zero 5xx, and the aggregates hold exactly what core decodes from the acknowledged reports`, async () => {
        // The reference: start from what is stored now, then add each acknowledged new report with core's own decoder.
        const expected = new Map<string, number[]>();
        for (const c of CAMPAIGNS) for (const q of QUESTION_IDS) expected.set(`${c}/${q}`, await totalsOf(c, q));
        const stored = new Set([...(await app.collector.repository.listReportIds('demo', 1)), ...(await app.collector.repository.listReportIds('keyed', 1))]);
        const count = async () => (await app.collector.repository.countReports('demo', 1)) + (await app.collector.repository.countReports('keyed', 1));
        expect(await count()).toBe(stored.size);

        let runs = 0;
        const statuses = new Map<number, number>();
        const acceptedPerQuestion = new Map<string, number>();
        const payloadRefusals = new Map<string, number>();
        await fc.assert(
          fc.asyncProperty(bodyArb, contentTypeArb, keyArb, async (body, contentType, key) => {
            runs += 1;
            const headers: Record<string, string> = { 'content-type': contentType };
            if (key !== undefined) headers['x-pp-ingest-key'] = key;
            const response = await app.inject({ method: 'POST', url: '/v1/reports', headers, payload: body });
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
            expect(response.statusCode, response.body).toBeLessThan(500);
            if (response.statusCode === 202) {
              const sent = JSON.parse(body) as { campaignId: string; reports: BatchReport[] };
              let fresh = 0;
              for (const r of sent.reports) {
                if (stored.has(r.id)) continue;
                stored.add(r.id);
                fresh += 1;
                const mechanism = MODEL.questions.get(r.questionId)!.mechanism;
                const sums = new Float64Array(mechanism.sumsLength);
                addToSums(mechanism, mechanism.decodeReport(encodedOf(r)), sums);
                const total = expected.get(`${sent.campaignId}/${r.questionId}`)!;
                sums.forEach((x, i) => (total[i]! += x));
                acceptedPerQuestion.set(r.questionId, (acceptedPerQuestion.get(r.questionId) ?? 0) + 1);
              }
              expect(response.json()).toEqual({ accepted: fresh, duplicates: sent.reports.length - fresh });
            } else {
              const error = response.json().error as { code: unknown };
              expect(typeof error.code).toBe('string');
              if (error.code === 'PAYLOAD_INVALID') {
                const q = /^reports\.(\d+)/.exec(String((response.json().error as { path?: string }).path));
                const questionId = q === null ? '?' : String((JSON.parse(body) as { reports: Array<{ questionId: unknown }> }).reports[Number(q[1])]!.questionId);
                payloadRefusals.set(questionId, (payloadRefusals.get(questionId) ?? 0) + 1);
              }
            }
            // A refused body changes nothing; an acknowledged one adds exactly its new reports.
            expect(await count()).toBe(stored.size);
          }),
          { numRuns: fuzzRuns, seed: 20_261_123 },
        );
        expect(runs).toBe(fuzzRuns);
        for (const c of CAMPAIGNS) for (const q of QUESTION_IDS) expect(await totalsOf(c, q), `${c}/${q}`).toEqual(expected.get(`${c}/${q}`));
        // Every decoder was reached, both accepting and refusing.
        for (const q of QUESTION_IDS) {
          expect(acceptedPerQuestion.get(q) ?? 0, `${q} accepted`).toBeGreaterThan(20);
          expect(payloadRefusals.get(q) ?? 0, `${q} refused`).toBeGreaterThan(20);
        }
        expect((await post(app, batch([valid()]))).statusCode).toBe(202);
        expect((await app.inject('/healthz')).statusCode).toBe(200);
        console.log('fuzz status counts', Object.fromEntries(statuses), 'accepted per question', Object.fromEntries(acceptedPerQuestion), 'PAYLOAD_INVALID per question', Object.fromEntries(payloadRefusals));
      }, 240_000);
    });
  });
}

/**
 * The admin and read routes of issue #16.3–4 (tokens, audit, lifecycle, ingest keys, listing):
 * each hostile request gets a 4xx with a code (and the path of the field where there is one), and
 * the whole database — audit log included — is unchanged.
 */
describe.each(ADMIN_STORES)('hostile requests to the admin and read routes on $name', (store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  beforeAll(async () => {
    app = await storeApp(store, 'hostile_admin');
    expect(await publish(app)).toBe(201);
    expect(await publish(app, { campaign: { ...DEMO_CAMPAIGN, id: 'keyed' }, ingestKey: INGEST_KEY })).toBe(201);
  });
  afterAll(async () => {
    await app.dispose();
  });
  type Case = [name: string, method: 'GET' | 'POST', url: string, options: { token?: string | null; body?: unknown; raw?: string }, expected: { status: number; code: string; path?: string }];
  const invalid = (path: string): { status: number; code: string; path: string } => ({ status: 400, code: 'REQUEST_INVALID', path });
  const tokens = '/v1/admin/tokens';
  const CASES: Case[] = [
    ['token: no bearer', 'POST', tokens, { token: null, body: { label: 'x', role: 'read' } }, { status: 401, code: 'UNAUTHORIZED' }],
    ['token: read token on an admin route', 'POST', tokens, { token: READ, body: { label: 'x', role: 'admin' } }, { status: 403, code: 'FORBIDDEN' }],
    ['token: body an array', 'POST', tokens, { body: [] }, { status: 400, code: 'REQUEST_INVALID' }],
    ['token: body JSON null', 'POST', tokens, { raw: 'null' }, { status: 400, code: 'REQUEST_INVALID' }],
    ['token: body a string', 'POST', tokens, { raw: '"read"' }, { status: 400, code: 'REQUEST_INVALID' }],
    ['token: invalid JSON', 'POST', tokens, { raw: '{"label":' }, { status: 400, code: 'JSON_INVALID' }],
    ['token: label missing', 'POST', tokens, { body: { role: 'read' } }, invalid('label')],
    ['token: label empty', 'POST', tokens, { body: { label: '', role: 'read' } }, invalid('label')],
    ['token: label of 65 characters', 'POST', tokens, { body: { label: 'a'.repeat(65), role: 'read' } }, invalid('label')],
    ['token: label posing as a configured token', 'POST', tokens, { body: { label: 'env:PP_ADMIN_TOKEN', role: 'admin' } }, invalid('label')],
    ['token: label with NUL', 'POST', tokens, { body: { label: 'a\u0000b', role: 'read' } }, invalid('label')],
    ['token: label a number', 'POST', tokens, { body: { label: 7, role: 'read' } }, invalid('label')],
    ['token: role root', 'POST', tokens, { body: { label: 'x', role: 'root' } }, invalid('role')],
    ['token: role missing', 'POST', tokens, { body: { label: 'x' } }, invalid('role')],
    ['token: the client picks the token', 'POST', tokens, { body: { label: 'x', role: 'read', token: 'ppt_chosen_by_me_0000000000' } }, invalid('token')],
    ['token: __proto__ key', 'POST', tokens, { raw: '{"label":"x","role":"read","__proto__":{"polluted":true}}' }, { status: 400, code: 'JSON_INVALID' }],
    ['token: expiresAt in words', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: 'tomorrow' } }, invalid('expiresAt')],
    ['token: expiresAt an impossible date', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: '2026-13-45T00:00:00Z' } }, invalid('expiresAt')],
    ['token: expiresAt without a time zone', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: '2099-01-01T00:00:00' } }, invalid('expiresAt')],
    ['token: expiresAt a number', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: 4_102_444_800_000 } }, invalid('expiresAt')],
    ['token: expiresAt in the past', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: '2001-01-01T00:00:00Z' } }, invalid('expiresAt')],
    ['token: expiresAt year 10000', 'POST', tokens, { body: { label: 'x', role: 'read', expiresAt: '+010000-01-01T00:00:00Z' } }, invalid('expiresAt')],
    ['token: campaigns empty', 'POST', tokens, { body: { label: 'x', role: 'read', campaigns: [] } }, invalid('campaigns')],
    ['token: campaigns a string', 'POST', tokens, { body: { label: 'x', role: 'read', campaigns: 'demo' } }, invalid('campaigns')],
    ['token: campaign id with a space', 'POST', tokens, { body: { label: 'x', role: 'read', campaigns: ['bad id'] } }, invalid('campaigns.0')],
    ['token: 1001 campaigns', 'POST', tokens, { body: { label: 'x', role: 'read', campaigns: Array.from({ length: 1001 }, (_, i) => `c${i}`) } }, invalid('campaigns')],
    ['token: scoped admin token', 'POST', tokens, { body: { label: 'x', role: 'admin', campaigns: ['demo'] } }, invalid('campaigns')],
    ['token revoke: unknown label', 'POST', `${tokens}/nobody/revoke`, {}, { status: 404, code: 'TOKEN_UNKNOWN' }],
    ['token revoke: a configured token', 'POST', `${tokens}/env:PP_READ_TOKEN/revoke`, {}, { status: 404, code: 'TOKEN_UNKNOWN', path: 'label' }],
    ['token revoke: NUL in the label', 'POST', `${tokens}/a%00b/revoke`, {}, { status: 404, code: 'TOKEN_UNKNOWN' }],
    ['ingest key revoke: NUL in the label', 'POST', '/v1/campaigns/keyed/ingest-keys/a%00b/revoke', {}, { status: 404, code: 'INGEST_KEY_UNKNOWN' }],
    ['token list: wrong token', 'GET', tokens, { token: 'wrong-token-0123456789' }, { status: 401, code: 'UNAUTHORIZED' }],
    ['audit: limit 0', 'GET', '/v1/admin/audit?limit=0', {}, invalid('limit')],
    ['audit: limit 1001', 'GET', '/v1/admin/audit?limit=1001', {}, invalid('limit')],
    ['audit: limit not a number', 'GET', '/v1/admin/audit?limit=ten', {}, invalid('limit')],
    ['audit: limit twice', 'GET', '/v1/admin/audit?limit=1&limit=2', {}, invalid('limit')],
    ['audit: before negative', 'GET', '/v1/admin/audit?before=-1', {}, invalid('before')],
    ['audit: before in exponent form', 'GET', '/v1/admin/audit?before=1e3', {}, invalid('before')],
    ['audit: before beyond 2^53', 'GET', '/v1/admin/audit?before=99999999999999999', {}, invalid('before')],
    ['audit: unknown action', 'GET', '/v1/admin/audit?action=drop', {}, invalid('action')],
    ['audit: unknown parameter', 'GET', '/v1/admin/audit?token=1', {}, invalid('token')],
    ['audit: NUL in the campaign filter', 'GET', '/v1/admin/audit?campaign=de%00mo', {}, invalid('campaign')],
    ['audit: campaign filter twice', 'GET', '/v1/admin/audit?campaign=demo&campaign=keyed', {}, invalid('campaign')],
    ['audit: read token', 'GET', '/v1/admin/audit', { token: READ }, { status: 403, code: 'FORBIDDEN' }],
    ['close: unknown campaign', 'POST', '/v1/campaigns/nope/close', {}, { status: 404, code: 'CAMPAIGN_UNKNOWN' }],
    ['close: NUL in the id', 'POST', '/v1/campaigns/de%00mo/close', {}, { status: 404, code: 'CAMPAIGN_UNKNOWN' }],
    ['close: read token', 'POST', '/v1/campaigns/demo/close', { token: READ }, { status: 403, code: 'FORBIDDEN' }],
    ['purge: no confirmation', 'POST', '/v1/campaigns/demo/purge', {}, invalid('confirm')],
    ['purge: confirmation twice', 'POST', '/v1/campaigns/demo/purge?confirm=demo&confirm=demo', {}, invalid('confirm')],
    ['purge: confirmation of another campaign', 'POST', '/v1/campaigns/demo/purge?confirm=keyed', {}, { status: 400, code: 'CONFIRMATION_REQUIRED', path: 'confirm' }],
    ['purge: open campaign', 'POST', '/v1/campaigns/demo/purge?confirm=demo', {}, { status: 409, code: 'CAMPAIGN_OPEN' }],
    ['purge: no bearer', 'POST', '/v1/campaigns/demo/purge?confirm=demo', { token: null }, { status: 401, code: 'UNAUTHORIZED' }],
    ['retention: days as a string', 'POST', '/v1/campaigns/demo/retention', { body: { days: '90' } }, invalid('days')],
    ['retention: negative days', 'POST', '/v1/campaigns/demo/retention', { body: { days: -1 } }, invalid('days')],
    ['retention: 1e309 days', 'POST', '/v1/campaigns/demo/retention', { raw: '{"days":1e309}' }, invalid('days')],
    ['retention: shorter than the window', 'POST', '/v1/campaigns/demo/retention', { body: { days: 5 } }, invalid('days')],
    ['retention: body missing', 'POST', '/v1/campaigns/demo/retention', {}, { status: 400, code: 'REQUEST_INVALID' }],
    ['retention: unknown campaign', 'POST', '/v1/campaigns/nope/retention', { body: { days: 90 } }, { status: 404, code: 'CAMPAIGN_UNKNOWN' }],
    ['ingest key: reserved label', 'POST', '/v1/campaigns/demo/ingest-keys', { body: { label: 'published-v9' } }, invalid('label')],
    ['ingest key: key too short', 'POST', '/v1/campaigns/demo/ingest-keys', { body: { label: 'k', key: 'abc' } }, invalid('key')],
    ['ingest key: key with a space', 'POST', '/v1/campaigns/demo/ingest-keys', { body: { label: 'k', key: 'pk with space' } }, invalid('key')],
    ['ingest key: key of another campaign is fine, but this one exists', 'POST', '/v1/campaigns/keyed/ingest-keys', { body: { label: 'again', key: INGEST_KEY } }, { status: 409, code: 'LABEL_TAKEN', path: 'label' }],
    ['ingest key: expired at creation', 'POST', '/v1/campaigns/demo/ingest-keys', { body: { label: 'k', expiresAt: '2001-01-01T00:00:00Z' } }, invalid('expiresAt')],
    ['ingest key: unknown campaign', 'POST', '/v1/campaigns/nope/ingest-keys', { body: { label: 'k' } }, { status: 404, code: 'CAMPAIGN_UNKNOWN' }],
    ['ingest key: revoke an unknown label', 'POST', '/v1/campaigns/keyed/ingest-keys/nope/revoke', {}, { status: 404, code: 'INGEST_KEY_UNKNOWN' }],
    ['ingest key: list with a read token', 'GET', '/v1/campaigns/keyed/ingest-keys', { token: READ }, { status: 403, code: 'FORBIDDEN' }],
    ['campaign list: no bearer', 'GET', '/v1/campaigns', { token: null }, { status: 401, code: 'UNAUTHORIZED' }],
    ['campaign list: empty bearer', 'GET', '/v1/campaigns', { token: '' }, { status: 401, code: 'UNAUTHORIZED' }],
    ['campaign list: admin token', 'GET', '/v1/campaigns', { token: ADMIN }, { status: 403, code: 'FORBIDDEN' }],
  ];

  it.each(CASES)('%s → 4xx, database unchanged', async (_name, method, url, options, expected) => {
    const before = JSON.stringify(await dumpAll(app.collector.repository));
    const token = options.token === undefined ? ADMIN : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    expect(response.statusCode, response.body).toBe(expected.status);
    const error = response.json().error as { code: string; message: string; path?: string };
    expect(error.code, error.message).toBe(expected.code);
    expect(error.message.length).toBeGreaterThan(0);
    if (expected.path !== undefined) expect(error.path, error.message).toBe(expected.path);
    expect(JSON.stringify(await dumpAll(app.collector.repository))).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a decoder bug', () => {
  it('is a 500 (which the fuzz counts as a failure), changes nothing, and its log line holds no payload', async () => {
    const lines: string[] = [];
    const buggy = await makeApp({ logLevel: 'error' }, { logStream: { write: (line) => void lines.push(line) } });
    expect(await publish(buggy)).toBe(201);
    // Reach the very mechanism instance the ingest path uses (the app's campaign cache) and break its decoder.
    const stored = (await buggy.collector.repository.getCampaign('demo', 1))!;
    const model = buggy.collector.campaigns.get(stored.id, stored.version, stored.publishedAt, stored.document);
    model.questions.get('pain')!.mechanism.decodeReport = () => {
      throw new RangeError('decoder tripped over payload 3');
    };
    const response = await post(buggy, batch([report('fever', 1), report('pain', 3)]));
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('INTERNAL');
    expect(await buggy.collector.repository.countReports('demo', 1)).toBe(0);
    await buggy.close();
    const log = lines.join('');
    expect(log).toContain('grr decoder failed with RangeError');
    expect(log).not.toContain('payload 3');
  });
});
