/** Campaign versions are immutable: publishing, refusing changes, and what caches may keep. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, DEMO_CAMPAIGN, batch, makeApp, post, publish, report } from './helpers.ts';

async function publishResponse(app: CollectorApp, document: unknown) {
  return app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: document as object });
}

describe('campaign versions are immutable', () => {
  let app: CollectorApp;
  beforeEach(async () => {
    app = await makeApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('re-publishing identical content is idempotent and answers with the same version', async () => {
    const first = await publishResponse(app, DEMO_CAMPAIGN);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: 'demo', version: 1, outcome: 'created' });
    // Same content with keys in another order is the same publication.
    const reordered = Object.fromEntries(Object.entries(DEMO_CAMPAIGN).reverse());
    const again = await publishResponse(app, reordered);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ id: 'demo', version: 1, outcome: 'unchanged' });
  });

  it('refuses different content for a published version that has no reports yet, with a code and the next version', async () => {
    expect(await publish(app)).toBe(201);
    const changed = { ...DEMO_CAMPAIGN, questions: [{ ...DEMO_CAMPAIGN.questions[0], epsilon: 2 }, DEMO_CAMPAIGN.questions[1]] };
    const refused = await publishResponse(app, changed);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'CAMPAIGN_IMMUTABLE', path: 'version' });
    expect(refused.json().error.message).toContain('publish the change as version 2');
    // A new ingest key is a change too.
    expect((await publishResponse(app, { campaign: DEMO_CAMPAIGN, ingestKey: 'pk_demo_123' })).statusCode).toBe(409);
    // The stored version is untouched: reports made with ε = 1 are still read with ε = 1.
    expect((await app.inject('/v1/campaigns/demo?version=1')).json().questions[0].epsilon).toBe(1);
    expect((await post(app, batch([report('fever', 1)]))).statusCode).toBe(202);
    expect((await publishResponse(app, { ...changed, version: 2 })).statusCode).toBe(201);
    expect((await app.inject('/v1/campaigns/demo')).json().questions[0].epsilon).toBe(2);
    expect((await app.inject('/v1/campaigns/demo?version=1')).json().questions[0].epsilon).toBe(1);
  });

  it('checks ?version= in the handler (route schemas are documentation; Fastify validates nothing)', async () => {
    await publish(app);
    for (const query of ['version=01', 'version=1.0', 'version=-1', 'version=1&version=1', 'version=']) {
      const response = await app.inject(`/v1/campaigns/demo?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.path).toBe('version');
      // The same code as the estimates route gives a bad ?version= (a query, not a report).
      expect(response.json().error.code).toBe('REQUEST_INVALID');
    }
  });

  it('lets caches keep a named version for good but the latest only briefly', async () => {
    await publish(app);
    expect((await app.inject('/v1/campaigns/demo?version=1')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/v1/campaigns/demo')).headers['cache-control']).toBe('public, max-age=60');
    expect((await app.inject('/v1/campaigns/demo?version=2')).headers['cache-control']).toBeUndefined();
  });
});
