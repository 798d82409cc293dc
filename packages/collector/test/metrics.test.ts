/** `/metrics` is private when PP_METRICS_TOKEN is set, public (with a boot warning) when it is not. */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { CollectorApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, batch, makeApp, post, publish, report } from './helpers.ts';

const METRICS = 'metrics-token-0123456789';

describe('PP_METRICS_TOKEN', () => {
  let app: CollectorApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('is validated at boot like the other tokens', () => {
    expect(loadConfig({ PP_METRICS_TOKEN: METRICS }).metricsToken).toBe(METRICS);
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(() => loadConfig({ PP_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ PP_METRICS_TOKEN: 'short' })).toThrow('PP_METRICS_TOKEN');
  });

  it('when set, /metrics needs the bearer token and no warning is logged', async () => {
    const lines: string[] = [];
    app = await makeApp({ metricsToken: METRICS, logLevel: 'warn' }, { logStream: { write: (line) => void lines.push(line) } });
    await publish(app);
    await post(app, batch([report('fever', 1)]));
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: METRICS }]) {
      const refused = await app.inject({ url: '/metrics', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('UNAUTHORIZED');
      expect(refused.body).not.toContain('pp_reports_accepted_total');
    }
    const allowed = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('pp_reports_accepted_total{campaign="demo"} 1');
    expect(lines.join('')).not.toContain('PP_METRICS_TOKEN');
  });

  it('when unset, /metrics stays public and a warning is logged at boot', async () => {
    const lines: string[] = [];
    app = await makeApp({ logLevel: 'warn' }, { logStream: { write: (line) => void lines.push(line) } });
    const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((entry) => entry.msg.includes('PP_METRICS_TOKEN'));
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.msg).toContain('/metrics is public');
    const open = await app.inject('/metrics');
    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('pp_reports_accepted_total');
  });
});

describe('group-commit size', () => {
  it('pp_group_commit_batches / pp_group_commit_reports count each committed group (batches sent together share one)', async () => {
    const app = await makeApp();
    try {
      await publish(app);
      // Three batches in one turn of the event loop form one group; a fourth, later, its own.
      const together = await Promise.all([1, 2, 3].map(() => post(app, batch([report('fever', 1), report('pain', 2)]))));
      expect(together.map((r) => r.statusCode)).toEqual([202, 202, 202]);
      expect((await post(app, batch([report('fever', 0)]))).statusCode).toBe(202);
      const body = (await app.inject({ url: '/metrics' })).body;
      expect(body).toMatch(/^pp_group_commit_batches_sum 4$/m);
      expect(body).toMatch(/^pp_group_commit_reports_sum 7$/m);
      const groups = Number(/^pp_group_commit_batches_count (\d+)$/m.exec(body)?.[1]);
      expect(groups).toBeGreaterThanOrEqual(2);
      expect(groups).toBeLessThanOrEqual(4);
    } finally {
      await app.close();
    }
  });
});

/** One sample of the exposition text, e.g. value(body, 'pp_reports_accepted_total', { campaign: 'demo' }); 0 when absent. */
function value(body: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3]);
  }
  return 0;
}

/** Every label value of every sample in the exposition text. */
function labelValues(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .flatMap((line) => [...line.matchAll(/\w+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!));
}

const scrape = async (app: CollectorApp) => (await app.inject({ url: '/metrics' })).body;

describe('standard metrics', () => {
  let app: CollectorApp;
  afterEach(async () => app.close());

  it('default Node.js and process metrics keep prom-client’s standard names, with no prefix', async () => {
    app = await makeApp();
    const body = await scrape(app);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
      expect(body).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(body).not.toMatch(/^# TYPE pp_collector_(process|nodejs)_/m);
  });

  it('pp_collector_build_info is 1 with the package version and the Node.js version', async () => {
    app = await makeApp();
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(value(await scrape(app), 'pp_collector_build_info', { version, node: process.version })).toBe(1);
  });

  it('http_request_duration_seconds counts each request under its route pattern, method and status code', async () => {
    app = await makeApp();
    await publish(app);
    const read = { authorization: `Bearer ${READ}` };
    expect((await app.inject({ url: '/v1/campaigns/demo/estimates?question=fever&bucket=day', headers: read })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/campaigns/demo/estimates?question=pain', headers: read })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/campaigns/demo/estimates?question=nope', headers: read })).statusCode).toBe(404);
    expect((await post(app, batch([report('fever', 1)]))).statusCode).toBe(202);
    expect((await app.inject({ url: '/no/such/path' })).statusCode).toBe(404);
    const body = await scrape(app);
    const count = (method: string, route: string, status: string) => value(body, 'http_request_duration_seconds_count', { method, route, status_code: status });
    expect(count('GET', '/v1/campaigns/:id/estimates', '200')).toBe(2);
    expect(count('GET', '/v1/campaigns/:id/estimates', '404')).toBe(1);
    expect(count('POST', '/v1/reports', '202')).toBe(1);
    expect(count('POST', '/v1/campaigns', '201')).toBe(1);
    expect(count('GET', '__unknown__', '404')).toBe(1);
    // A histogram: cumulative buckets ending in +Inf = _count, and a sum of seconds.
    expect(value(body, 'http_request_duration_seconds_bucket', { le: '+Inf', method: 'GET', route: '/v1/campaigns/:id/estimates', status_code: '200' })).toBe(2);
    expect(value(body, 'http_request_duration_seconds_sum', { method: 'POST', route: '/v1/reports', status_code: '202' })).toBeGreaterThan(0);
    // The scrape itself is counted once it has answered.
    expect(value(await scrape(app), 'http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '200' })).toBe(1);
  });

  it('accepted and duplicate reports are counted per published campaign', async () => {
    app = await makeApp();
    await publish(app);
    const reports = [report('fever', 1), report('pain', 2), report('fever', 0)];
    expect((await post(app, batch(reports))).statusCode).toBe(202);
    expect((await post(app, batch([...reports, report('fever', 1)]))).statusCode).toBe(202);
    const body = await scrape(app);
    expect(value(body, 'pp_reports_accepted_total', { campaign: 'demo' })).toBe(4);
    expect(value(body, 'pp_reports_duplicate_total', { campaign: 'demo' })).toBe(3);
    expect(value(body, 'pp_ingest_duration_seconds_count')).toBe(2);
  });

  it('every refusal of an ingest request counts once in pp_batches_rejected_total under the code it answered', async () => {
    const KEY = 'pk_metrics_0123456789abcdef';
    app = await makeApp({ bodyLimitBytes: 65_536, maxBatchReports: 3 });
    await publish(app);
    expect(await publish(app, { campaign: { ...DEMO_CAMPAIGN, id: 'keyed' }, ingestKey: KEY })).toBe(201);
    expect(await publish(app, { ...DEMO_CAMPAIGN, id: 'closed' })).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/v1/campaigns/closed/close', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode).toBe(200);
    const json = { 'content-type': 'application/json' };
    const refusals: Array<[string, InjectOptions, string]> = [
      ['not JSON', { method: 'POST', url: '/v1/reports', headers: json, payload: '{"campaignId":' }, 'JSON_INVALID'],
      ['empty body', { method: 'POST', url: '/v1/reports', headers: json, payload: '' }, 'JSON_INVALID'],
      ['too large', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([report('fever', 1, { pad: 'x'.repeat(70_000) })])) }, 'BODY_TOO_LARGE'],
      ['media type', { method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/xml' }, payload: '<batch/>' }, 'UNSUPPORTED_MEDIA_TYPE'],
      ['not a batch', { method: 'POST', url: '/v1/reports', headers: json, payload: '{"reports":1}' }, 'REPORT_INVALID'],
      ['unknown campaign', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([report('fever', 1)], 'attacker-campaign-x')) }, 'CAMPAIGN_UNKNOWN'],
      ['unknown question', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([report('weight', 1)])) }, 'QUESTION_UNKNOWN'],
      ['bad payload', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([report('fever', 7)])) }, 'PAYLOAD_INVALID'],
      ['too many reports', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([1, 2, 3, 4].map(() => report('fever', 1)))) }, 'BATCH_TOO_LARGE'],
      ['wrong key', { method: 'POST', url: '/v1/reports?key=pk_wrong_0123456789abcdef', headers: json, payload: JSON.stringify(batch([report('fever', 1)], 'keyed')) }, 'INGEST_KEY_INVALID'],
      ['repeated key', { method: 'POST', url: `/v1/reports?key=${KEY}&key=${KEY}`, headers: json, payload: JSON.stringify(batch([report('fever', 1)], 'keyed')) }, 'REQUEST_INVALID'],
      ['closed campaign', { method: 'POST', url: '/v1/reports', headers: json, payload: JSON.stringify(batch([report('fever', 1)], 'closed')) }, 'CAMPAIGN_CLOSED'],
    ];
    for (const [name, request, code] of refusals) {
      const before = value(await scrape(app), 'pp_batches_rejected_total', { reason: code });
      const response = await app.inject(request);
      expect(response.statusCode, name).toBeGreaterThanOrEqual(400);
      expect(response.json().error.code, name).toBe(code);
      const after = await scrape(app);
      expect(value(after, 'pp_batches_rejected_total', { reason: code }) - before, name).toBe(1);
    }
    // A 404 beside the ingest route is not an ingest refusal; nothing was accepted.
    expect((await app.inject({ method: 'POST', url: '/v1/reports/x', headers: json, payload: '{}' })).statusCode).toBe(404);
    const body = await scrape(app);
    const total = body.split('\n').filter((line) => line.startsWith('pp_batches_rejected_total{')).reduce((s, line) => s + Number(line.split(' ')[1]), 0);
    expect(total).toBe(refusals.length);
    expect(body).not.toMatch(/^pp_reports_accepted_total\{/m);
  });
});

describe('cardinality against a scanner', () => {
  it('junk URLs, unknown campaigns, query strings and ingest keys never reach a label; the series stay bounded', async () => {
    const KEY = 'pk_secret_key_0123456789abcdef';
    const app = await makeApp();
    try {
      await publish(app);
      expect(await publish(app, { campaign: { ...DEMO_CAMPAIGN, id: 'keyed' }, ingestKey: KEY })).toBe(201);
      const secrets: string[] = [KEY, READ, ADMIN];
      const round = async () => {
        for (let i = 0; i < 40; i++) {
          const junk = `junk${randomBytes(6).toString('hex')}`;
          secrets.push(junk);
          const requests: Array<InjectOptions> = [
            { url: `/${junk}` },
            { url: `/wp-admin/${junk}.php?${junk}=1` },
            { url: `/v1/campaigns/${junk}/estimates?question=${junk}`, headers: { authorization: `Bearer ${READ}` } },
            { url: `/v1/campaigns/demo/estimates?question=fever&bucket=day&from=${junk}`, headers: { authorization: `Bearer ${READ}` } },
            { url: `/v1/campaigns/${junk}?version=${i + 1}` },
            { url: `/v1/campaigns/demo/export?question=fever&${junk}=${KEY}`, headers: { authorization: `Bearer ${junk}` } },
            { method: 'POST', url: `/v1/reports?key=${KEY}&${junk}=1`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([report('fever', 1)], 'keyed')) },
            { method: 'POST', url: `/v1/reports?key=${junk}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([report('fever', 1)], junk)) },
            { method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json', 'x-pp-ingest-key': junk }, payload: JSON.stringify(batch([report(junk, 1)])) },
            { method: 'POST', url: `/v1/reports/${junk}`, payload: '{}' },
            { method: 'DELETE', url: `/v1/campaigns/${junk}` },
            { method: 'PROPFIND' as InjectOptions['method'], url: `/${junk}` },
            { url: `/v1/campaigns/%${junk.slice(0, 2)}zz` },
          ];
          for (const request of requests) await app.inject(request);
        }
        return (await app.inject({ url: '/metrics' })).body;
      };
      // Each series by name and labels; Node's own (GC kinds, handle types) may appear as the process runs.
      const series = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !/^(nodejs|process)_/.test(line)).map((line) => line.slice(0, line.lastIndexOf(' ')));
      await app.inject({ url: '/metrics' }); // the scrape's own series, from the second scrape on
      const first = await round();
      const second = await round();
      // 520 more junk requests of the same kinds added no series: every label value is bounded.
      expect(series(second).filter((s) => !first.includes(s))).toEqual([]);
      const values = labelValues(second);
      for (const secret of secrets) expect(values.some((v) => v.includes(secret)), secret).toBe(false);
      expect(values.some((v) => v.includes('?'))).toBe(false);
      // Routes are patterns of registered routes or __unknown__; campaigns only the published ones.
      const routes = new Set([...second.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
      const registered = new Set(['__unknown__', '/metrics', '/v1/campaigns', '/v1/campaigns/:id', '/v1/campaigns/:id/estimates', '/v1/campaigns/:id/export', '/v1/reports']);
      for (const route of routes) expect(registered.has(route!), route).toBe(true);
      expect(new Set([...second.matchAll(/campaign="([^"]*)"/g)].map((m) => m[1]))).toEqual(new Set(['keyed']));
      expect(value(second, 'pp_reports_accepted_total', { campaign: 'keyed' })).toBe(80);
    } finally {
      await app.close();
    }
  });
});

describe('a body cut off by the request timeout', () => {
  it('counts as BODY_INCOMPLETE, not as malformed JSON', async () => {
    const app = await makeApp({ requestTimeoutMs: 400 });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      // Node answers 408 itself once requestTimeout has passed.
      const answered = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      socket.write('POST /v1/reports HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"campaignId":');
      expect(await answered).toMatch(/^HTTP\/1\.1 408/);
      // The error handler runs as the request stream ends; give it the turn it needs.
      await expect.poll(async () => value(await scrape(app), 'pp_batches_rejected_total', { reason: 'BODY_INCOMPLETE' }), { timeout: 5_000 }).toBe(1);
      expect(value(await scrape(app), 'pp_batches_rejected_total', { reason: 'JSON_INVALID' })).toBe(0);
    } finally {
      await app.close();
    }
  });
});
