/**
 * Opt-out deletes the SDK database (store/connection.ts), over fake-indexeddb: what is left (only
 * the refusal record), that another worker's connection does not block the deletion (closed on the
 * cross-tab signal, or on `versionchange` alone where BroadcastChannel is missing), what a
 * connection that never closes does (`blocked`, reported, rows already erased), that opting in
 * again starts with a new device secret, and that an opt-out cut short is finished at start-up.
 * test/browser/sdk.browser.test.ts checks the same in Chromium.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { seededRandomSource } from '@practical-privacy/core';
import { campaign, databaseNames, freshDbName, MONDAY, recordingFetch, setup } from './fixtures.ts';
import { openSdkDatabase, STORE_NAMES } from '../src/store/db.ts';
import { refusalDbName } from '../src/store/refusal.ts';
import { createWorkerApi, type WorkerConfig } from '../src/worker/api.ts';
import { framed, hmac, toHex } from '../src/worker/secret.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** What the device secret computes (its bytes cannot be read): HMAC of a fixed message. */
async function secretFingerprint(dbName: string): Promise<string | undefined> {
  const db = await openSdkDatabase(dbName);
  const key = (await db.get('meta', 'secret')) as CryptoKey | undefined;
  db.close();
  return key === undefined ? undefined : toHex(await hmac(key, framed(['fingerprint'])));
}

async function refusalRows(dbName: string): Promise<{ keys: unknown[]; values: unknown[] }> {
  const db = await openDB(refusalDbName(dbName));
  const out = { keys: await db.getAllKeys('refusal'), values: await db.getAll('refusal') };
  db.close();
  return out;
}

const value = <T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('timed out waiting');
}

describe('opt-out deletes the database', () => {
  it('leaves only the refusal record — one row, refused → true — and a restart re-creates nothing', async () => {
    const { api, config } = await setup();
    const dbName = config.dbName!;
    value(await api.optIn());
    value(await api.report('fever', true));
    expect(await databaseNames(dbName)).toEqual([dbName, refusalDbName(dbName)]);
    expect(value(await api.optOut())).toEqual({ database: 'deleted' });
    expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    expect(await refusalRows(dbName)).toEqual({ keys: ['refused'], values: [true] });

    // This worker, and a new one (a reload): no consent, nothing spent, reports refused — and none of
    // it opens (re-creates) the database.
    const again = createWorkerApi({ fetch: recordingFetch().fetch, random: seededRandomSource('again'), now: () => new Date(MONDAY) });
    expect(value(await again.init(config))).toMatchObject({ consented: false });
    for (const w of [api, again]) {
      expect(value(await w.consented())).toBe(false);
      expect(await w.report('pain', 3)).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
      expect(await w.flush()).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
      expect(value(await w.budget())).toMatchObject({ spent: { day: 0, week: 0, lifetime: 0 }, lines: [] });
      expect(value(await w.explain('fever'))).toMatchObject({ reportedThisPeriod: false });
      expect(value(await w.pendingBodies()).bodies).toEqual([]);
    }
    expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    api.close();
    again.close();
  });

  it.each([
    ['on the cross-tab signal', true],
    ['on versionchange alone (no BroadcastChannel)', false],
  ])('another worker holding a connection closes it %s: not blocked; opting in again starts with a new device secret', async (_how, channel) => {
    if (!channel) vi.stubGlobal('BroadcastChannel', undefined);
    const dbName = freshDbName();
    const config: WorkerConfig = { collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 60_000, eraseTimeoutMs: 1_000 };
    const net = recordingFetch();
    const a = createWorkerApi({ fetch: net.fetch, random: seededRandomSource('tab-a'), now: () => new Date(MONDAY) });
    const b = createWorkerApi({ fetch: net.fetch, random: seededRandomSource('tab-b'), now: () => new Date(MONDAY) });
    value(await a.init(config));
    value(await b.init(config));
    try {
      value(await a.optIn());
      value(await b.report('fever', true));
      const before = await secretFingerprint(dbName);
      expect(before).toMatch(/^[0-9a-f]{64}$/);

      const started = Date.now();
      expect(value(await a.optOut())).toEqual({ database: 'deleted' });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
      // B lost its connection and does not re-create the database.
      expect(value(await b.consented())).toBe(false);
      expect(await b.report('pain', 3)).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
      expect(value(await b.budget()).lines).toEqual([]);
      expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);

      // Opting in again (in B) creates the database afresh, and A re-opens it: a new secret, an empty
      // ledger (fever can be answered again today), nothing of the erased report.
      value(await b.optIn());
      expect(value(await a.consented())).toBe(true);
      expect(await refusalRows(dbName)).toEqual({ keys: [], values: [] });
      const after = await secretFingerprint(dbName);
      expect(after).toMatch(/^[0-9a-f]{64}$/);
      expect(after).not.toBe(before);
      const fresh = value(await a.report('fever', false)).reportId;
      expect(value(await a.flush())).toMatchObject({ sent: 1 });
      expect([...net.accepted]).toEqual([fresh]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a connection that never closes: optOut reports `blocked` after eraseTimeoutMs, with every row already erased; the deletion runs once it closes', async () => {
    const { api, config } = await setup({ eraseTimeoutMs: 50 });
    const dbName = config.dbName!;
    value(await api.optIn());
    value(await api.report('symptom', 'headache'));
    // App code (or a tab running an SDK from before this change) that ignores versionchange.
    const stubborn = await openDB(dbName);
    const started = Date.now();
    expect(value(await api.optOut())).toEqual({ database: 'blocked' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    // What the stubborn connection still sees: empty stores and consent false; the refusal is recorded.
    for (const name of STORE_NAMES.filter((n) => n !== 'meta')) expect(await stubborn.count(name)).toBe(0);
    expect(await stubborn.getAllKeys('meta')).toEqual(['consent']);
    expect(await stubborn.get('meta', 'consent')).toBe(false);
    expect(await refusalRows(dbName)).toEqual({ keys: ['refused'], values: [true] });
    expect(value(await api.consented())).toBe(false);
    // Opting in again meanwhile would wait behind the deletion: refused at once, the refusal kept.
    expect(await api.optIn()).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining('still being deleted') } });
    expect(await refusalRows(dbName)).toEqual({ keys: ['refused'], values: [true] });

    stubborn.close();
    await eventually(async () => (await databaseNames(dbName)).length === 1);
    expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    value(await api.optIn());
    expect(value(await api.consented())).toBe(true);
    api.close();
  });

  it('start-up finishes an opt-out cut short: a database with consent false (also one an earlier SDK erased) is deleted and the refusal recorded', async () => {
    const dbName = freshDbName();
    const db = await openSdkDatabase(dbName);
    await db.put('meta', false, 'consent');
    db.close();
    const { api, init } = await setup({ dbName });
    expect(init).toMatchObject({ ok: true, value: { consented: false } });
    expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    expect(await refusalRows(dbName)).toEqual({ keys: ['refused'], values: [true] });
    api.close();
  });

  it('start-up with the refusal recorded deletes a database left behind (a deletion that never ran)', async () => {
    const { api, config } = await setup();
    const dbName = config.dbName!;
    value(await api.optIn());
    value(await api.report('fever', true));
    api.close();
    // As if the page had closed after recording the refusal, before (or while) the deletion ran.
    const refusal = await openDB(refusalDbName(dbName), 1, { upgrade: (d) => d.createObjectStore('refusal') });
    await refusal.put('refusal', true, 'refused');
    refusal.close();
    const again = await setup({ dbName });
    expect(again.init).toMatchObject({ ok: true, value: { consented: false } });
    expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    again.api.close();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5000'])('refuses eraseTimeoutMs %s (PARAMETER_INVALID)', async (bad) => {
    const { init } = await setup({ eraseTimeoutMs: bad as number });
    expect(init).toMatchObject({ ok: false, error: { code: 'PARAMETER_INVALID', path: 'eraseTimeoutMs' } });
  });
});
