/**
 * Query and path parameters are validated at the boundary, with the same answer on both stores
 * (issue #16.2): versions beyond the storage range, control characters in a campaign id, and days
 * that are not calendar dates never reach the database (PostgreSQL answered 500 for them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { READ, batch, makeApp, publish, report } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

const stores: Array<[string, boolean, () => Promise<CollectorApp>]> = [
  ['SQLite', true, () => makeApp()],
  ['PostgreSQL', HAVE_POSTGRES, () => makeApp({}, { repository: new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('boundary') }) })],
];

for (const [name, enabled, open] of stores) {
  describe.skipIf(!enabled)(`boundary validation on ${name}`, () => {
    let app: CollectorApp;
    beforeAll(async () => {
      app = await open();
      expect(await publish(app)).toBe(201);
    });
    afterAll(async () => {
      await app.close();
    });
    const read = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${READ}` } });

    it.each(['2147483648', '4294967296', '9999999999'])('GET /v1/campaigns/demo?version=%s → 400 REQUEST_INVALID', async (version) => {
      for (const url of [`/v1/campaigns/demo?version=${version}`, `/v1/campaigns/demo/estimates?question=fever&version=${version}`, `/v1/campaigns/demo/export?question=fever&version=${version}`]) {
        const response = await read(url);
        expect(response.statusCode, `${url} ${response.body}`).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'version' });
      }
    });

    it('version 2147483647 (the largest stored) is a plain 404', async () => {
      expect((await read('/v1/campaigns/demo?version=2147483647')).statusCode).toBe(404);
    });

    it.each(['de%00mo', 'demo%00', '%01', 'de%0Amo', '%7F'])('campaign id %s → 404 CAMPAIGN_UNKNOWN', async (id) => {
      for (const url of [`/v1/campaigns/${id}`, `/v1/campaigns/${id}/estimates?question=fever`, `/v1/campaigns/${id}/export?question=fever`]) {
        const response = await read(url);
        expect(response.statusCode, `${url} ${response.body}`).toBe(404);
        expect(response.json().error.code).toBe('CAMPAIGN_UNKNOWN');
      }
    });

    it.each(['de\u0000mo', 'demo\u0000', '\u0001'])('POST /v1/reports with campaignId %j → 4xx, not 500', async (campaignId) => {
      const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([report('fever', 1)], campaignId)) });
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, response.body).toBeLessThan(500);
    });

    it.each([2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER])('POST /v1/reports with campaignVersion %d → 4xx, not 500', async (version) => {
      const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(batch([report('fever', 1)], 'demo', version)) });
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, response.body).toBeLessThan(500);
    });

    it.each([
      ['from', '2026-13-45'],
      ['to', '2026-13-40'],
      ['from', '2026-02-30'],
      ['to', '2025-02-29'],
      ['from', '2026-00-10'],
      ['to', '2026-04-31'],
    ])('%s=%s → 400 REQUEST_INVALID', async (key, day) => {
      for (const route of ['estimates', 'export']) {
        const response = await read(`/v1/campaigns/demo/${route}?question=fever&${key}=${day}`);
        expect(response.statusCode, `${route} ${response.body}`).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: key });
      }
    });

    it('real dates, including 29 February of a leap year, are accepted', async () => {
      for (const route of ['estimates', 'export']) {
        const response = await read(`/v1/campaigns/demo/${route}?question=fever&from=2024-02-29&to=2026-12-31`);
        expect(response.statusCode, response.body).toBe(200);
      }
    });
  });
}
