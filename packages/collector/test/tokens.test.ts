/**
 * API tokens (issue #16.3): several admin and read tokens valid at once, each labelled, optionally
 * expiring; read tokens optionally scoped to campaigns; the configured PP_ADMIN_TOKEN /
 * PP_READ_TOKEN keep working as `env:…`; expired and revoked tokens get 401; a campaign outside a
 * read token's scope is answered exactly like one never published; reads are audited with the
 * token's label. Both stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { tokenSha256 } from '../src/auth.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, batch, makeApp, post, publish, report } from './helpers.ts';
import { STORES, dumpAll, storeApp } from './stores.ts';

let clock = new Date('2026-06-01T12:00:00.000Z');

describe.each(STORES)('tokens on $name', (store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  beforeEach(async () => {
    clock = new Date('2026-06-01T12:00:00.000Z');
    app = await storeApp(store, 'tokens', {}, { now: () => clock });
    expect(await publish(app)).toBe(201);
    expect(await publish(app, { ...DEMO_CAMPAIGN, id: 'other' })).toBe(201);
  });
  afterEach(async () => {
    await app.dispose();
  });

  const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });
  const create = async (body: object, by = ADMIN) => {
    const response = await as(by, 'POST', '/v1/admin/tokens', body);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    return response.json() as { token: string; label: string; role: string; campaigns: string[] | null; expiresAt: string | null; status: string };
  };
  const estimates = (token: string, campaign = 'demo') => as(token, 'GET', `/v1/campaigns/${campaign}/estimates?question=fever`);

  it('several read and admin tokens are valid at once, next to the configured ones; the token is returned once and stored as its SHA-256 only', async () => {
    const a = await create({ label: 'dashboard-2026', role: 'read' });
    const b = await create({ label: 'dashboard-2027', role: 'read' });
    const admin2 = await create({ label: 'ops-alice', role: 'admin' });
    expect(a.token).toMatch(/^ppt_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    for (const token of [READ, a.token, b.token]) expect((await estimates(token)).statusCode).toBe(200);
    // The new admin token can itself manage tokens.
    const c = await create({ label: 'made-by-alice', role: 'read' }, admin2.token);
    expect((await estimates(c.token)).statusCode).toBe(200);
    const listed = await as(ADMIN, 'GET', '/v1/admin/tokens');
    expect(listed.json().tokens.map((t: { label: string; status: string }) => [t.label, t.status])).toEqual([
      ['dashboard-2026', 'active'],
      ['dashboard-2027', 'active'],
      ['made-by-alice', 'active'],
      ['ops-alice', 'active'],
    ]);
    // Neither the listing nor any table holds a token; the table holds its hash.
    const dump = JSON.stringify(await dumpAll(app.collector.repository));
    for (const t of [a, b, admin2, c]) {
      expect(listed.body).not.toContain(t.token);
      expect(dump).not.toContain(t.token);
      expect(dump).toContain(tokenSha256(t.token));
    }
    expect(dump).not.toContain(ADMIN);
    expect(dump).not.toContain(READ);
  });

  it('rotation: the old token works until revoked, then gets 401 on the next request; the label cannot be reused', async () => {
    const old = await create({ label: 'dash-old', role: 'read' });
    const next = await create({ label: 'dash-new', role: 'read' });
    expect((await estimates(old.token)).statusCode).toBe(200);
    const revoked = await as(ADMIN, 'POST', '/v1/admin/tokens/dash-old/revoke');
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ label: 'dash-old', status: 'revoked', revokedAt: clock.toISOString() });
    const refused = await estimates(old.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHORIZED');
    expect((await estimates(next.token)).statusCode).toBe(200);
    const reuse = await as(ADMIN, 'POST', '/v1/admin/tokens', { label: 'dash-old', role: 'read' });
    expect(reuse.statusCode).toBe(409);
    expect(reuse.json().error).toMatchObject({ code: 'LABEL_TAKEN', path: 'label' });
    expect((await as(ADMIN, 'POST', '/v1/admin/tokens/nobody/revoke')).json().error.code).toBe('TOKEN_UNKNOWN');
  });

  it('an expired token gets 401 from its expiry on (the injected clock), and is listed as expired', async () => {
    const t = await create({ label: 'temp', role: 'read', expiresAt: '2026-06-01T13:30:00+01:00' });
    expect(t.expiresAt).toBe('2026-06-01T12:30:00.000Z');
    expect((await estimates(t.token)).statusCode).toBe(200);
    clock = new Date('2026-06-01T12:29:59.999Z');
    expect((await estimates(t.token)).statusCode).toBe(200);
    clock = new Date('2026-06-01T12:30:00.000Z');
    const expired = await estimates(t.token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('UNAUTHORIZED');
    expect((await as(ADMIN, 'GET', '/v1/admin/tokens')).json().tokens[0]).toMatchObject({ label: 'temp', status: 'expired' });
    // Expiry in the past is refused at creation.
    const past = await as(ADMIN, 'POST', '/v1/admin/tokens', { label: 'late', role: 'read', expiresAt: '2026-06-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'expiresAt' });
  });

  it('a scoped read token reads its campaigns only; another campaign answers exactly like one never published (404)', async () => {
    const scoped = await create({ label: 'clinic-a', role: 'read', campaigns: ['demo'] });
    expect((await estimates(scoped.token)).statusCode).toBe(200);
    const outside = await estimates(scoped.token, 'other');
    const missing = await estimates(scoped.token, 'never-published');
    expect(outside.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(outside.json().error.code).toBe(missing.json().error.code);
    expect(outside.json().error.message.replace('other', 'X')).toBe(missing.json().error.message.replace('never-published', 'X'));
    const exportOutside = await as(scoped.token, 'GET', '/v1/campaigns/other/export?question=fever');
    const exportMissing = await as(scoped.token, 'GET', '/v1/campaigns/never-published/export?question=fever');
    expect([exportOutside.statusCode, exportOutside.json().error.code]).toEqual([404, 'CAMPAIGN_UNKNOWN']);
    expect(exportOutside.json().error.message.replace('other', 'X')).toBe(exportMissing.json().error.message.replace('never-published', 'X'));
    expect((await as(READ, 'GET', '/v1/campaigns/other/estimates?question=fever')).statusCode).toBe(200);
    // Admin tokens are never scoped.
    const bad = await as(ADMIN, 'POST', '/v1/admin/tokens', { label: 'scoped-admin', role: 'admin', campaigns: ['demo'] });
    expect(bad.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'campaigns' });
  });

  it('GET /v1/campaigns lists the campaigns the token may read, with versions and status', async () => {
    expect(await publish(app, { ...DEMO_CAMPAIGN, version: 2 })).toBe(201);
    const all = await as(READ, 'GET', '/v1/campaigns');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toEqual({
      campaigns: [
        { id: 'demo', versions: [1, 2], latestVersion: 2, status: 'open', closedAt: null, retentionDays: null },
        { id: 'other', versions: [1], latestVersion: 1, status: 'open', closedAt: null, retentionDays: null },
      ],
    });
    const scoped = await create({ label: 'only-other', role: 'read', campaigns: ['other', 'not-yet-published'] });
    expect((await as(scoped.token, 'GET', '/v1/campaigns')).json().campaigns.map((c: { id: string }) => c.id)).toEqual(['other']);
    expect((await app.inject('/v1/campaigns')).statusCode).toBe(401);
    expect((await as(ADMIN, 'GET', '/v1/campaigns')).statusCode).toBe(403);
  });

  it('a token of the other role gets 403 FORBIDDEN; unknown ones 401', async () => {
    const reader = await create({ label: 'reader', role: 'read' });
    const forbidden = await as(reader.token, 'POST', '/v1/admin/tokens', { label: 'escalate', role: 'admin' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('FORBIDDEN');
    expect((await as(READ, 'GET', '/v1/admin/audit')).statusCode).toBe(403);
    expect((await estimates(ADMIN)).statusCode).toBe(403);
    expect((await estimates('ppt_not-a-token-at-all-0000000000000000000000')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever', headers: { authorization: `Basic ${READ}` } })).statusCode).toBe(401);
  });

  it('reads of estimates and exports are audited with the token label, campaign, question and time — never the token', async () => {
    const scoped = await create({ label: 'clinic-a', role: 'read', campaigns: ['demo'] });
    expect((await post(app, batch([report('fever', 1, { day: '2026-06-01' })]))).statusCode).toBe(202);
    clock = new Date('2026-06-01T12:05:00.000Z');
    expect((await as(scoped.token, 'GET', '/v1/campaigns/demo/estimates?question=fever&bucket=day')).statusCode).toBe(200);
    expect((await as(scoped.token, 'GET', '/v1/campaigns/demo/export?question=pain')).statusCode).toBe(200);
    // Refused reads leave no read row.
    expect((await estimates(scoped.token, 'other')).statusCode).toBe(404);
    const audit = await as(ADMIN, 'GET', '/v1/admin/audit?limit=2');
    expect(audit.statusCode, audit.body).toBe(200);
    const [exported, read] = audit.json().entries as Array<Record<string, unknown>>;
    expect(read).toMatchObject({ actor: 'clinic-a', action: 'read.estimates', campaignId: 'demo', questionId: 'fever', at: '2026-06-01T12:05:00.000Z', detail: { version: 1, bucket: 'day' } });
    expect(exported).toMatchObject({ actor: 'clinic-a', action: 'read.export', campaignId: 'demo', questionId: 'pain', detail: { format: 'csv' } });
    const rows = JSON.stringify((await dumpAll(app.collector.repository)).audit_log);
    expect(rows).not.toContain(scoped.token);
    expect(rows).not.toContain(tokenSha256(scoped.token));
    expect(rows).not.toContain(ADMIN);
  });
});

describe('tokens across instances', () => {
  it('a token created on one instance works on another at once, and a revocation there refuses it on the next request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-tokens-'));
    const a = await makeApp({}, { repository: new SqliteRepository(join(dir, 'shared.db')) });
    const b = await makeApp({}, { repository: new SqliteRepository(join(dir, 'shared.db')) });
    try {
      expect(await publish(a)).toBe(201);
      const created = await a.inject({ method: 'POST', url: '/v1/admin/tokens', headers: { authorization: `Bearer ${ADMIN}` }, payload: { label: 'shared', role: 'read' } });
      const token = created.json().token as string;
      const read = (app: CollectorApp) => app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever', headers: { authorization: `Bearer ${token}` } });
      expect((await read(b)).statusCode).toBe(200);
      expect((await b.inject({ method: 'POST', url: '/v1/admin/tokens/shared/revoke', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode).toBe(200);
      expect((await read(a)).statusCode).toBe(401);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a read whose audit row cannot be written fails (500) instead of going unaudited', async () => {
    const app = await makeApp();
    try {
      expect(await publish(app)).toBe(201);
      app.collector.repository.appendAudit = async () => {
        throw new Error('disk full');
      };
      const response = await app.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever', headers: { authorization: `Bearer ${READ}` } });
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('"cells"');
    } finally {
      await app.close();
    }
  });
});
