import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, TODAY, batch, makeApp, post, publish, report, reportId, totals } from './helpers.ts';

describe('configuration', () => {
  it('has defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8787);
    expect(config.databaseUrl).toBe('sqlite:./data/collector.db');
    expect(config.adminToken).toBeUndefined();
  });

  it.each([
    [{ PP_PORT: 'eighty' }, 'PP_PORT'],
    [{ PP_PORT: '70000' }, 'PP_PORT'],
    [{ PP_DATABASE_URL: 'mysql://x' }, 'PP_DATABASE_URL'],
    [{ PP_ADMIN_TOKEN: 'short' }, 'PP_ADMIN_TOKEN'],
    [{ PP_KEEP_RAW_REPORTS: 'maybe' }, 'PP_KEEP_RAW_REPORTS'],
  ])('refuses %o naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('splits the origin allow-list', () => {
    expect(loadConfig({ PP_ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('routes', () => {
  let app: CollectorApp;
  beforeEach(async () => {
    app = await makeApp({ allowedOrigins: ['https://portal.example'] });
  });
  afterEach(async () => {
    await app.close();
  });

  it('health, readiness, metrics, OpenAPI', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', storage: 'sqlite' });
    expect((await app.inject('/metrics')).body).toContain('pp_reports_accepted_total');
    const doc = (await app.inject('/docs/json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/reports', '/v1/campaigns', '/v1/campaigns/{id}', '/v1/campaigns/{id}/estimates']));
    expect((await app.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('publishes with the admin token only and serves the campaign publicly', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/campaigns', payload: DEMO_CAMPAIGN })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: 'Bearer wrong-token-xxxxxxxx' }, payload: DEMO_CAMPAIGN })).statusCode).toBe(401);
    expect(await publish(app)).toBe(201);
    expect(await publish(app)).toBe(200);
    const got = await app.inject('/v1/campaigns/demo');
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: 'demo', version: 1, title: DEMO_CAMPAIGN.title });
    expect(got.json().questions[0]).toMatchObject({ id: 'fever', mechanism: 'auto', period: 'day' });
    expect((await app.inject('/v1/campaigns/nope')).json().error.code).toBe('CAMPAIGN_UNKNOWN');
  });

  it('refuses an invalid campaign with a path', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: { ...DEMO_CAMPAIGN, questions: [{ id: 'x', type: 'boolean', prompt: 'x?', tier: 'low', epsilon: -1 }] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'CAMPAIGN_INVALID', path: 'questions.0.epsilon' });
  });

  it('makes a published version immutable, with or without reports', async () => {
    await publish(app);
    expect(await publish(app, { ...DEMO_CAMPAIGN, title: 'changed before reports' })).toBe(409);
    expect((await post(app, batch([report('fever', 1)]))).statusCode).toBe(202);
    expect(await publish(app, { ...DEMO_CAMPAIGN, title: 'changed after reports' })).toBe(409);
    expect(await publish(app, { ...DEMO_CAMPAIGN, version: 2, title: 'new version' })).toBe(201);
  });

  it('ingests JSON and text/plain beacons, acknowledging duplicates once', async () => {
    await publish(app);
    const reports = [report('fever', 1), report('fever', 0), report('pain', 3)];
    const first = await post(app, batch(reports));
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ accepted: 3, duplicates: 0 });
    const beacon = await post(app, batch([...reports, report('pain', 0)]), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(beacon.json()).toEqual({ accepted: 1, duplicates: 3 });
    expect(await totals(app, 'fever')).toEqual([2, 1, 1]);
    expect(await totals(app, 'pain')).toEqual([2, 1, 0, 0, 1]);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('pp_reports_accepted_total{campaign="demo"} 4');
    expect(metrics).toContain('pp_reports_duplicate_total{campaign="demo"} 3');
  });

  it('rejects a whole batch when one report is invalid', async () => {
    await publish(app);
    const response = await post(app, batch([report('fever', 1), report('pain', 9)]));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'PAYLOAD_INVALID', path: 'reports.1.payload' });
    expect(await totals(app, 'fever')).toEqual([]);
  });

  it('checks the day window', async () => {
    await publish(app);
    const old = await post(app, batch([report('fever', 1, { day: '2000-01-01' })]));
    expect(old.json().error).toMatchObject({ code: 'REPORT_INVALID', path: 'reports.0.day' });
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    expect((await post(app, batch([report('fever', 1, { day: future })]))).json().error).toMatchObject({ code: 'REPORT_INVALID', path: 'reports.0.day' });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const nearMidnight = await makeApp({}, { now: () => new Date(`${TODAY}T23:30:00Z`) });
    await publish(nearMidnight);
    expect((await post(nearMidnight, batch([report('fever', 1, { day: tomorrow })]))).statusCode).toBe(202);
    await nearMidnight.close();
    expect((await post(app, batch([report('fever', 1, { day: '2026-02-30' })]))).json().error.code).toBe('REPORT_INVALID');
  });

  it('requires the campaign ingest key when one is set', async () => {
    expect(await publish(app, { campaign: DEMO_CAMPAIGN, ingestKey: 'pk_demo_123' })).toBe(201);
    expect((await post(app, batch([report('fever', 1)]))).json().error.code).toBe('INGEST_KEY_INVALID');
    expect((await post(app, batch([report('fever', 1)]), { 'x-pp-ingest-key': 'pk_demo_123' })).statusCode).toBe(202);
    const viaQuery = await app.inject({ method: 'POST', url: '/v1/reports?key=pk_demo_123', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(batch([report('fever', 0)])) });
    expect(viaQuery.statusCode).toBe(202);
  });

  it('answers CORS preflight for allowed origins only', async () => {
    const ok = await app.inject({ method: 'OPTIONS', url: '/v1/reports', headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://portal.example');
    const other = await app.inject({ method: 'OPTIONS', url: '/v1/reports', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('releases estimates with the read token, suppressing small cells', async () => {
    await publish(app);
    const unauthorized = await app.inject('/v1/campaigns/demo/estimates?question=fever');
    expect(unauthorized.statusCode).toBe(401);
    await post(app, batch([report('fever', 1), report('fever', 1)]));
    const small = await app.inject({ url: '/v1/campaigns/demo/estimates?question=fever', headers: { authorization: `Bearer ${READ}` } });
    // The total holds only days that reach the minimum batch on their own; this one day is withheld.
    expect(small.json().cells[0]).toMatchObject({ n: 0, suppressed: true, withheld: { days: 1, reports: 2 } });
    await post(app, batch(Array.from({ length: 30 }, (_, i) => report('fever', i % 3 === 0 ? 1 : 0))));
    const body = (await app.inject({ url: `/v1/campaigns/demo/estimates?question=fever&from=${TODAY}&to=${TODAY}&bucket=day`, headers: { authorization: `Bearer ${READ}` } })).json();
    expect(body).toMatchObject({ campaign: 'demo', version: 1, question: 'fever', mechanism: 'binary-rr', epsilon: 1, bucket: 'day' });
    const cell = body.cells[0];
    expect(cell).toMatchObject({ period: TODAY, n: 32, suppressed: false });
    expect(cell.values.map((v: { value: string }) => v.value)).toEqual(['false', 'true']);
    expect(cell.values[0].estimate + cell.values[1].estimate).toBeCloseTo(1, 12);
    for (const v of cell.values) expect(v.ci95[0]).toBeLessThanOrEqual(v.ci95[1]);
    expect(cell.amplification).toMatchObject({ applicable: false });
    const csv = await app.inject({ url: '/v1/campaigns/demo/export?question=fever&format=csv', headers: { authorization: `Bearer ${READ}` } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toMatch(/^campaign,version,question,period,value,n,estimate/);
    expect(csv.body.split('\n').filter((l) => l !== '').length).toBe(3);
  });

  it('states the estimand: population by default, ?estimand=respondents on request, in the JSON, the CSV and the OpenAPI document', async () => {
    await publish(app);
    await post(app, batch(Array.from({ length: 40 }, (_, i) => report('fever', i % 4 === 0 ? 1 : 0))));
    const url = `/v1/campaigns/demo/estimates?question=fever&from=${TODAY}&to=${TODAY}&bucket=day`;
    const population = (await app.inject({ url, headers: { authorization: `Bearer ${READ}` } })).json();
    const respondents = (await app.inject({ url: `${url}&estimand=respondents`, headers: { authorization: `Bearer ${READ}` } })).json();
    expect(population.estimand.name).toBe('population');
    expect(population.estimand.assumptions.join(' ')).toMatch(/independent sample from a large population.*finite-population correction.*non-response bias/s);
    expect(respondents.estimand.name).toBe('respondents');
    const [p, r] = [population.cells[0].values[1], respondents.cells[0].values[1]];
    expect(p.unbiased).toBe(r.unbiased);
    const f = Math.min(1, Math.max(0, p.unbiased));
    expect(p.standardError ** 2).toBeCloseTo(r.standardError ** 2 + (f * (1 - f)) / 40, 14);
    // A mean has one, empirical, SE: the same interval for both, said to be conservative for the respondents.
    expect((await post(app, batch(Array.from({ length: 20 }, (_, i) => report('temperature', i % 2))))).statusCode).toBe(202);
    const meanUrl = `/v1/campaigns/demo/estimates?question=temperature&bucket=total`;
    const meanP = (await app.inject({ url: meanUrl, headers: { authorization: `Bearer ${READ}` } })).json();
    const meanR = (await app.inject({ url: `${meanUrl}&estimand=respondents`, headers: { authorization: `Bearer ${READ}` } })).json();
    expect(meanP.cells[0]).toMatchObject({ n: 20, suppressed: false });
    expect(meanR.cells).toEqual(meanP.cells);
    expect(meanR.estimand.description).toMatch(/conservative/);
    const bad = await app.inject({ url: `${url}&estimand=everyone`, headers: { authorization: `Bearer ${READ}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('REQUEST_INVALID');
    for (const estimand of ['population', 'respondents']) {
      const csv = await app.inject({ url: `/v1/campaigns/demo/export?question=fever&format=csv&bucket=day&from=${TODAY}&to=${TODAY}&estimand=${estimand}`, headers: { authorization: `Bearer ${READ}` } });
      const [header, row] = csv.body.split('\n');
      expect(header).toMatch(/,standard_error_basis,estimand,estimand_note,detectable,detection_limit,integrity_status,integrity_score$/);
      expect(row).toContain(`,day,${estimand},`);
    }
    const openapi = (await app.inject('/docs/json')).json();
    const parameter = openapi.paths['/v1/campaigns/{id}/estimates'].get.parameters.find((x: { name: string }) => x.name === 'estimand');
    expect(parameter.schema.enum).toEqual(['population', 'respondents']);
    expect(parameter.description ?? parameter.schema.description).toMatch(/finite-population correction/);
  });

  it('answers 503 on /readyz once closing', async () => {
    app.collector.state.closing = true;
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    app.collector.state.closing = false;
  });

  it('never logs payloads, report ids, addresses or user agents', async () => {
    const lines: string[] = [];
    const logged = await makeApp({ logLevel: 'trace' }, { logStream: { write: (line) => void lines.push(line) } });
    await publish(logged);
    const id = reportId();
    await logged.inject({ method: 'POST', url: '/v1/reports?key=secret-ish', remoteAddress: '203.0.113.77', headers: { 'content-type': 'application/json', 'user-agent': 'PatientPhone/1.0' }, payload: JSON.stringify(batch([{ id, questionId: 'pain', day: TODAY, payload: 2 }])) });
    await logged.inject({ method: 'POST', url: '/v1/reports', remoteAddress: '203.0.113.77', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([{ id: reportId(), questionId: 'pain', day: TODAY, payload: 'leak-me' }])) });
    await logged.close();
    const text = lines.join('');
    expect(text).toContain('"route":"/v1/reports"');
    for (const secret of [id, '203.0.113.77', 'PatientPhone', 'secret-ish', 'leak-me']) expect(text).not.toContain(secret);
  });
});

describe('every question type end to end', () => {
  it('ingests and estimates boolean, categorical, multiselect and numeric questions from the example campaign', async () => {
    const { readFileSync } = await import('node:fs');
    const { RandomSampler, seededRandomSource } = await import('@practical-privacy/core');
    const { parseCampaign } = await import('../src/campaigns/model.ts');
    const document = JSON.parse(readFileSync(new URL('../examples/demo-campaign.json', import.meta.url), 'utf8')) as unknown;
    const app = await makeApp();
    expect(await publish(app, document)).toBe(201);
    const rng = new RandomSampler(seededRandomSource('every type'));
    const model = parseCampaign(document);
    const inputs: Record<string, () => unknown> = { fever: () => rng.uniformInt(2) === 1, pain: () => rng.uniformInt(4), symptoms: () => [rng.uniformInt(4)], sleep: () => 4 + rng.uniformInt(6) };
    for (const [questionId, input] of Object.entries(inputs)) {
      const mechanism = model.questions.get(questionId)!.mechanism;
      const reports = Array.from({ length: 60 }, () => {
        let value = input();
        if (questionId === 'fever') value = value ? 1 : 0;
        return { id: reportId(), questionId, day: TODAY, ...mechanism.encodeReport(mechanism.randomize(value, rng)) };
      });
      const response = await post(app, batch(reports));
      expect(response.statusCode, response.body).toBe(202);
      const release = (await app.inject({ url: `/v1/campaigns/demo/estimates?question=${questionId}`, headers: { authorization: `Bearer ${READ}` } })).json();
      expect(release.cells[0]).toMatchObject({ n: 60, suppressed: false });
      if (questionId === 'sleep') expect(Number.isFinite(release.cells[0].mean.estimate)).toBe(true);
      else expect(release.cells[0].values.length).toBe(questionId === 'fever' ? 2 : 4);
    }
    await app.close();
  });
});
