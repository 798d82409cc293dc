/**
 * Hostile inputs: each gets a 4xx with a machine-readable error and the aggregates stay unchanged.
 * Then a fast-check fuzz of ≥ 10,000 bodies (mutations of valid batches and arbitrary JSON):
 * zero 5xx, and the app still serves a valid batch afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { DEMO_CAMPAIGN, TODAY, batch, makeApp, post, publish, report, reportId } from './helpers.ts';

let app: CollectorApp;
beforeAll(async () => {
  app = await makeApp({ bodyLimitBytes: 256 * 1024, maxBatchReports: 500 });
  expect(await publish(app)).toBe(201);
  expect(await publish(app, { ...DEMO_CAMPAIGN, id: 'keyed' } as never)).toBe(201);
});
afterAll(async () => {
  await app.close();
});

async function snapshot(): Promise<string> {
  const repo = app.collector.repository;
  const parts = await Promise.all(['fever', 'pain'].map((q) => repo.readSums({ campaignId: 'demo', version: 1, questionId: q })));
  return JSON.stringify([parts, await repo.countReports('demo', 1)]);
}

const valid = () => report('fever', 1);
const CATALOGUE: Array<[string, string | Buffer, Record<string, string>?]> = [
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
  ['cohort negative', JSON.stringify(batch([report('fever', 1, { cohort: -1 })]))],
  ['cohort out of range', JSON.stringify(batch([report('fever', 1, { cohort: 10_000_000 })]))],
  ['id too short', JSON.stringify(batch([{ ...valid(), id: 'abc' }]))],
  ['id uppercase', JSON.stringify(batch([{ ...valid(), id: reportId().toUpperCase() }]))],
  ['id not a string', JSON.stringify(batch([{ ...valid(), id: 12345 }]))],
  ['day with time', JSON.stringify(batch([{ ...valid(), day: `${TODAY}T10:00:00Z` }]))],
  ['day far past', JSON.stringify(batch([{ ...valid(), day: '1999-12-31' }]))],
  ['day far future', JSON.stringify(batch([{ ...valid(), day: '2999-01-01' }]))],
  ['impossible day', JSON.stringify(batch([{ ...valid(), day: '2026-13-45' }]))],
  ['one bad report in a good batch', JSON.stringify(batch([valid(), valid(), report('pain', 99)]))],
  ['too many reports', JSON.stringify(batch(Array.from({ length: 501 }, valid)))],
  ['10 MB body', Buffer.alloc(10 * 1024 * 1024, 0x20)],
  ['deeply nested payload', `{"campaignId":"demo","campaignVersion":1,"reports":[{"id":"${reportId()}","questionId":"fever","day":"${TODAY}","payload":${'['.repeat(5000)}${']'.repeat(5000)}}]}`],
  ['wrong content type (form)', 'campaign=demo', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['wrong content type (octet-stream)', JSON.stringify(batch([valid()])), { 'content-type': 'application/octet-stream' }],
  ['wrong content type (xml)', '<batch/>', { 'content-type': 'application/xml' }],
  ['text/plain with invalid JSON', 'hello', { 'content-type': 'text/plain' }],
  ['ingest key for a campaign without one is ignored, but bad JSON still refused', '{', { 'x-pp-ingest-key': 'x' }],
];

describe('hostile-input catalogue', () => {
  it.each(CATALOGUE)('%s → 4xx, aggregates unchanged', async (_name, body, headers) => {
    const before = await snapshot();
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json', ...headers }, payload: body });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    const error = response.json().error as { code: string; message: string };
    expect(typeof error.code).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    expect(await snapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a valid batch is still accepted afterwards', async () => {
    expect((await post(app, batch([valid()]))).statusCode).toBe(202);
  });
});

describe('fuzz', () => {
  const idArb = fc.oneof(fc.constant(reportId()), fc.stringMatching(/^[0-9a-f]{32}$/), fc.string(), fc.integer());
  const payloadArb = fc.oneof(fc.integer({ min: -3, max: 6 }), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.integer({ min: 0, max: 1 })), fc.object());
  const reportArb = fc.record(
    {
      id: idArb,
      questionId: fc.oneof(fc.constantFrom('fever', 'pain', 'other'), fc.string()),
      day: fc.oneof(fc.constant(TODAY), fc.constant('2026-02-30'), fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
      payload: payloadArb,
      cohort: fc.oneof(fc.integer(), fc.double()),
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
  const validBatchArb = fc
    .array(fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom('fever', 'pain'), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 5 })
    .map((rows) => JSON.stringify(batch(rows.map(([id, questionId, payload]) => ({ id, questionId, day: TODAY, payload })))));
  const bodyArb = fc.oneof(
    { weight: 6, arbitrary: batchArb.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: validBatchArb },
    { weight: 1, arbitrary: batchArb.map((b) => JSON.stringify(b)).chain((s) => fc.integer({ min: 0, max: s.length }).map((cut) => s.slice(0, cut))) },
  );
  const contentTypeArb = fc.constantFrom('application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', 'application/octet-stream');

  it('10,000 bodies: zero 5xx, the process stays up', async () => {
    let runs = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(bodyArb, contentTypeArb, async (body, contentType) => {
        runs += 1;
        const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': contentType }, payload: body });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) expect(typeof (response.json().error as { code: unknown }).code).toBe('string');
      }),
      { numRuns: 10_000, seed: 20_261_123 },
    );
    expect(runs).toBe(10_000);
    expect((await post(app, batch([valid()]))).statusCode).toBe(202);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    console.log('fuzz status counts', Object.fromEntries(statuses));
  }, 180_000);
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
