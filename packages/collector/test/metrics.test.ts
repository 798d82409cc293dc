/** `/metrics` is private when PP_METRICS_TOKEN is set, public (with a boot warning) when it is not. */
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { batch, makeApp, post, publish, report } from './helpers.ts';

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
