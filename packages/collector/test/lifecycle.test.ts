/**
 * Ingest-key rotation and the campaign lifecycle over HTTP (issue #16.3–4), on both stores: keys
 * rotate without a new campaign version (estimates do not split); close refuses ingest with 410
 * CAMPAIGN_CLOSED and keeps estimates; purge needs the admin token, a closed campaign and
 * `?confirm=<id>`, and leaves no row of the campaign's reports or cells; retention is validated;
 * and each action leaves exactly one audit row.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, batch, post, publish, report } from './helpers.ts';
import { STORES, dumpAll, storeApp } from './stores.ts';

const DAY = '2026-06-01';
const clock = new Date(`${DAY}T12:00:00.000Z`);
const KEY_A = 'pk_rotation_key_a';

describe.each(STORES)('ingest keys and lifecycle on $name', (store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  let now = clock;
  beforeEach(async () => {
    now = clock;
    app = await storeApp(store, 'lifecycle', {}, { now: () => now });
  });
  afterEach(async () => {
    await app.dispose();
  });

  const admin = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN}` }, ...(payload === undefined ? {} : { payload }) });
  const send = (key: string | undefined, campaign = 'demo', reports = [report('fever', 1, { day: DAY })]) => post(app, batch(reports, campaign), key === undefined ? {} : { 'x-pp-ingest-key': key });
  const auditRows = async () => (await admin('GET', '/v1/admin/audit?limit=1000')).json().entries as Array<{ action: string; campaignId: string | null; actor: string; detail: Record<string, unknown> | null }>;

  it('rotation drill: a second key is valid alongside the first, the first is revoked, and the campaign keeps one version', async () => {
    expect(await publish(app, { campaign: DEMO_CAMPAIGN, ingestKey: KEY_A })).toBe(201);
    expect((await send(KEY_A)).statusCode).toBe(202);
    const added = await admin('POST', '/v1/campaigns/demo/ingest-keys', { label: 'app-2026-07' });
    expect(added.statusCode, added.body).toBe(201);
    const keyB = added.json().key as string;
    expect(keyB).toMatch(/^pk_[A-Za-z0-9_-]{32}$/);
    expect((await send(KEY_A)).statusCode).toBe(202);
    expect((await send(keyB)).statusCode).toBe(202);
    const revoked = await admin('POST', '/v1/campaigns/demo/ingest-keys/published-v1/revoke');
    expect(revoked.statusCode, revoked.body).toBe(200);
    const refused = await send(KEY_A);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('INGEST_KEY_INVALID');
    expect((await send(keyB)).statusCode).toBe(202);
    // One version; the estimate counts the reports of both keys together.
    expect(await app.collector.repository.listCampaignVersions('demo')).toEqual([1]);
    const estimate = await app.inject({ method: 'GET', url: `/v1/campaigns/demo/estimates?question=fever&bucket=day`, headers: { authorization: `Bearer ${READ}` } });
    expect(estimate.json().cells[0].n).toBe(4);
    const keys = (await admin('GET', '/v1/campaigns/demo/ingest-keys')).json().keys as Array<{ label: string; status: string; key: string }>;
    expect(keys.map((k) => [k.label, k.status]).sort()).toEqual([
      ['app-2026-07', 'active'],
      ['published-v1', 'revoked'],
    ]);
    // Revoking the last key does not open the campaign.
    await admin('POST', '/v1/campaigns/demo/ingest-keys/app-2026-07/revoke');
    expect((await send(undefined)).statusCode).toBe(401);
    expect((await send(keyB)).statusCode).toBe(401);
  });

  it('an ingest key can be given, expires at its time, and a campaign without keys starts requiring one when a key is added', async () => {
    expect(await publish(app)).toBe(201);
    expect((await send(undefined)).statusCode).toBe(202);
    const added = await admin('POST', '/v1/campaigns/demo/ingest-keys', { label: 'short', key: 'pk_given_key_1', expiresAt: '2026-06-01T13:00:00Z' });
    expect(added.json()).toMatchObject({ label: 'short', key: 'pk_given_key_1', expiresAt: '2026-06-01T13:00:00.000Z', status: 'active' });
    expect((await send(undefined)).statusCode).toBe(401);
    expect((await send('pk_given_key_1')).statusCode).toBe(202);
    now = new Date('2026-06-01T13:00:00.000Z');
    expect((await send('pk_given_key_1')).statusCode).toBe(401);
    expect((await admin('GET', '/v1/campaigns/demo/ingest-keys')).json().keys[0].status).toBe('expired');
    const duplicate = await admin('POST', '/v1/campaigns/demo/ingest-keys', { label: 'other-label', key: 'pk_given_key_1' });
    expect(duplicate.json().error).toMatchObject({ code: 'LABEL_TAKEN', path: 'label' });
  });

  it('close: ingest gets 410 CAMPAIGN_CLOSED (a 4xx the SDK drops for good), estimates are still served, no new version', async () => {
    expect(await publish(app)).toBe(201);
    expect((await send(undefined)).statusCode).toBe(202);
    const closed = await admin('POST', '/v1/campaigns/demo/close');
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toEqual({ id: 'demo', status: 'closed', closedAt: clock.toISOString(), alreadyClosed: false });
    const refused = await send(undefined);
    expect(refused.statusCode).toBe(410);
    expect(refused.json().error).toMatchObject({ code: 'CAMPAIGN_CLOSED', path: 'campaignId' });
    expect(await app.collector.repository.countReports('demo', 1)).toBe(1);
    const estimate = await app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever&bucket=day', headers: { authorization: `Bearer ${READ}` } });
    expect(estimate.statusCode).toBe(200);
    expect(estimate.json().cells[0].n).toBe(1);
    const v2 = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: { ...DEMO_CAMPAIGN, version: 2 } });
    expect(v2.statusCode).toBe(409);
    expect(v2.json().error.code).toBe('CAMPAIGN_CLOSED');
    expect((await app.inject({ method: 'GET', url: '/v1/campaigns', headers: { authorization: `Bearer ${READ}` } })).json().campaigns[0]).toMatchObject({ id: 'demo', status: 'closed', closedAt: clock.toISOString() });
    expect((await admin('POST', '/v1/campaigns/nope/close')).json().error.code).toBe('CAMPAIGN_UNKNOWN');
  });

  it('purge: refused without the admin token, while open, and without the right confirmation; then no row of the campaign is left in reports or cells', async () => {
    expect(await publish(app)).toBe(201);
    expect(await publish(app, { ...DEMO_CAMPAIGN, id: 'kept' })).toBe(201);
    expect((await send(undefined, 'demo', [report('fever', 1, { day: DAY }), report('pain', 2, { day: DAY }), report('mood', '_wM', { day: '2026-05-30' })])).statusCode).toBe(202);
    expect((await send(undefined, 'kept')).statusCode).toBe(202);
    const read = await app.inject({ method: 'POST', url: '/v1/campaigns/demo/purge?confirm=demo', headers: { authorization: `Bearer ${READ}` } });
    expect(read.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/campaigns/demo/purge?confirm=demo' })).statusCode).toBe(401);
    const open = await admin('POST', '/v1/campaigns/demo/purge?confirm=demo');
    expect([open.statusCode, open.json().error.code]).toEqual([409, 'CAMPAIGN_OPEN']);
    await admin('POST', '/v1/campaigns/demo/close');
    for (const query of ['', '?confirm=', '?confirm=kept', '?confirm=DEMO', '?confirm=demo&confirm=demo', '?confirm=demo&extra=1']) {
      const refused = await admin('POST', `/v1/campaigns/demo/purge${query}`);
      expect(refused.statusCode, `${query} ${refused.body}`).toBe(400);
      expect(['CONFIRMATION_REQUIRED', 'REQUEST_INVALID']).toContain(refused.json().error.code);
      expect(await app.collector.repository.countReports('demo', 1)).toBe(3);
    }
    const purged = await admin('POST', '/v1/campaigns/demo/purge?confirm=demo');
    expect(purged.statusCode, purged.body).toBe(200);
    expect(purged.json()).toMatchObject({ id: 'demo', reports: 3 });
    // A dump of the whole database: the campaign is gone from reports and cells; the other campaign is intact.
    const dump = await dumpAll(app.collector.repository);
    const rows = (table: string) => JSON.parse(dump[table]!) as Array<{ campaign_id: string }>;
    expect(rows('reports').filter((r) => r.campaign_id === 'demo')).toEqual([]);
    expect(rows('cells').filter((r) => r.campaign_id === 'demo')).toEqual([]);
    expect(rows('reports').filter((r) => r.campaign_id === 'kept')).toHaveLength(1);
    // Estimates of the purged campaign are empty (the document stays), not an error.
    const estimate = await app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever&bucket=day', headers: { authorization: `Bearer ${READ}` } });
    expect(estimate.json().cells).toEqual([]);
  });

  it('retention: validated (at least the report window + 2 days, or null), listed, audited', async () => {
    expect(await publish(app)).toBe(201);
    for (const [body, path] of [[{ days: 31 }, 'days'], [{ days: 0 }, 'days'], [{ days: 1.5 }, 'days'], [{ days: '90' }, 'days'], [{}, 'days'], [{ days: 90, extra: 1 }, 'extra']] as const) {
      const refused = await admin('POST', '/v1/campaigns/demo/retention', body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'REQUEST_INVALID', path });
    }
    const set = await admin('POST', '/v1/campaigns/demo/retention', { days: 32 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ id: 'demo', retentionDays: 32 });
    expect((await app.inject({ method: 'GET', url: '/v1/campaigns', headers: { authorization: `Bearer ${READ}` } })).json().campaigns[0].retentionDays).toBe(32);
    expect((await admin('POST', '/v1/campaigns/demo/retention', { days: null })).json()).toEqual({ id: 'demo', retentionDays: null });
  });

  it('each admin action leaves exactly one audit row, with the acting token label', async () => {
    const created = await admin('POST', '/v1/admin/tokens', { label: 'ops-bob', role: 'admin' });
    const bob = created.json().token as string;
    const as = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${bob}` }, ...(payload === undefined ? {} : { payload }) });
    const steps: Array<[string, () => Promise<{ statusCode: number }>]> = [
      ['campaign.publish', () => as('POST', '/v1/campaigns', { campaign: DEMO_CAMPAIGN, ingestKey: KEY_A })],
      ['ingest-key.add', () => as('POST', '/v1/campaigns/demo/ingest-keys', { label: 'next' })],
      ['ingest-key.revoke', () => as('POST', '/v1/campaigns/demo/ingest-keys/next/revoke')],
      ['campaign.retention', () => as('POST', '/v1/campaigns/demo/retention', { days: 400 })],
      ['campaign.close', () => as('POST', '/v1/campaigns/demo/close')],
      ['campaign.purge', () => as('POST', '/v1/campaigns/demo/purge?confirm=demo')],
      ['token.create', () => as('POST', '/v1/admin/tokens', { label: 'reader', role: 'read' })],
      ['token.revoke', () => as('POST', '/v1/admin/tokens/reader/revoke')],
    ];
    for (const [action, step] of steps) {
      const before = (await auditRows()).length;
      const response = await step();
      expect(response.statusCode, action).toBeLessThan(300);
      const after = await auditRows();
      expect(after.length, action).toBe(before + 1);
      expect(after[0], action).toMatchObject({ action, actor: 'ops-bob' });
    }
    // Refused actions and plain listings leave none.
    const before = (await auditRows()).length;
    await as('POST', '/v1/campaigns/demo/purge?confirm=nope');
    await as('POST', '/v1/admin/tokens', { label: 'reader', role: 'read' });
    await as('GET', '/v1/admin/tokens');
    await as('GET', '/v1/campaigns/demo/ingest-keys');
    expect((await auditRows()).length).toBe(before);
    // The first row is the creation of ops-bob by the configured admin token.
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'token.create', actor: 'env:PP_ADMIN_TOKEN', detail: { label: 'ops-bob', role: 'admin' } });
  });
});
