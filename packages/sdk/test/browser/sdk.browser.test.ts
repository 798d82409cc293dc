/**
 * The SDK in Debian's Chromium: the real module worker runs the encoding, IndexedDB holds the state,
 * and reports reach a real HTTP endpoint. Every store and every request body is inspected for raw
 * answers.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { commands } from 'vitest/browser';
import { openDB } from 'idb';
import { isPrivacyError, type CampaignInput } from '@practical-privacy/core';
import { createClient, type ClientOptions } from '../../src/index.ts';

const collectorUrl = inject('collectorUrl');
const RAW = { string: 'migraine-with-aura-zq7', categorical: 'nausea-cat-x9' };
const campaign: CampaignInput = {
  id: 'symptoms',
  version: 1,
  title: 'Daily symptoms',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    {
      id: 'symptom',
      prompt: 'Main symptom',
      type: 'categorical',
      tier: 'moderate',
      epsilon: 1,
      domain: { categories: [{ code: 'headache', label: 'Headache' }, { code: RAW.categorical, label: 'Nausea' }, { code: 'none', label: 'None' }] },
    },
    { id: 'meds', prompt: 'Medications', type: 'multiselect', tier: 'low', epsilon: 2, domain: { items: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }], maxItems: 2 } },
    { id: 'pain', prompt: 'Pain', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
    { id: 'diagnosis', prompt: 'Diagnosis', type: 'string', tier: 'low', epsilon: 1.1, domain: { candidates: ['migraine', 'flu'], rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } } },
  ],
};

let dbCounter = 0;
const options = (extra: Partial<ClientOptions> = {}): ClientOptions => ({ collectorUrl, campaign, dbName: `pp-browser-${Date.now()}-${++dbCounter}`, flushIntervalMs: 60_000, baseBackoffMs: 20, maxBackoffMs: 100, ...extra });
const control = (path: string) => fetch(`${collectorUrl}${path}`, { method: 'POST' });
const recorded = async () => (await (await fetch(`${collectorUrl}/recorded`)).json()) as { bodies: Array<{ contentType: string; body: string }>; accepted: string[] };

async function dumpDatabase(name: string): Promise<string> {
  const db = await openDB(name);
  const out: string[] = [];
  for (const store of Array.from(db.objectStoreNames)) out.push(JSON.stringify(await db.getAll(store)), JSON.stringify(await db.getAllKeys(store)));
  const secret = await db.get('meta', 'secret');
  db.close();
  if (secret !== undefined) expect((secret as CryptoKey).extractable).toBe(false);
  return out.join('\n');
}

/** Which of the SDK's databases (`name`, `name/refusal`) exist. */
async function databaseNames(name: string): Promise<string[]> {
  return (await indexedDB.databases())
    .map((d) => d.name!)
    .filter((n) => n === name || n.startsWith(`${name}/`))
    .sort();
}

beforeEach(async () => {
  await control('/reset');
});

describe('SDK in Chromium', () => {
  it('encodes in the worker, survives a restart, delivers once after an offline period, stores and sends nothing raw', async () => {
    const first = options();
    const client = await createClient(first);
    // The module worker was really loaded: the page fetched the worker script.
    expect(performance.getEntriesByType('resource').some((e) => /\/src\/worker\.ts/.test(e.name))).toBe(true);
    await client.optIn();
    await control('/offline');
    const ids: string[] = [];
    for (const [q, a] of [['fever', true], ['symptom', RAW.categorical], ['meds', ['a']], ['pain', 4], ['diagnosis', RAW.string]] as const) {
      ids.push((await client.report(q, a)).reportId);
    }
    const offlineFlush = await client.flush();
    expect(offlineFlush.sent).toBe(0);
    client.close();

    // A fresh worker and client over the same database: consent, ledger and outbox are still there.
    const again = await createClient(first);
    expect(await again.consented()).toBe(true);
    const budget = await again.budget();
    expect(budget.spent.lifetime).toBeGreaterThan(5);
    // The ledger's per-question day rows survived too: a second report today is refused, nothing queued.
    const twice = await again.report('fever', false).catch((e: unknown) => e);
    expect(isPrivacyError(twice, 'ALREADY_REPORTED')).toBe(true);
    await control('/online');
    const flushed = await again.flush();
    expect(flushed.sent).toBe(ids.length);
    expect((await again.flush()).sent).toBe(0);
    const seen = await recorded();
    expect(seen.accepted.sort()).toEqual([...ids].sort());
    for (const { contentType, body } of seen.bodies) {
      expect(contentType).toMatch(/^text\/plain/);
      expect(body).not.toContain(RAW.string);
      expect(body).not.toContain(RAW.categorical);
    }
    const dump = await dumpDatabase(first.dbName!);
    expect(dump).not.toContain(RAW.string);
    expect(dump).not.toContain(RAW.categorical);
    again.close();
  });

  it('refuses the report that would exceed a cap and a campaign asking for too much ε', async () => {
    const client = await createClient(options({ caps: { perDay: 1.5 } }));
    await client.optIn();
    await client.report('fever', true);
    const refused = await client.report('pain', 3).catch((e: unknown) => e);
    expect(isPrivacyError(refused, 'BUDGET_EXCEEDED')).toBe(true);
    client.close();
    const tooMuch = await createClient(options({ caps: { perReport: { low: 0.5 } } })).catch((e: unknown) => e);
    expect(isPrivacyError(tooMuch, 'TIER_CAP_EXCEEDED')).toBe(true);
  });

  it('opt-out deletes the database: only the refusal record is left (one row, refused → true)', async () => {
    const opts = options();
    const client = await createClient(opts);
    await client.optIn();
    await client.report('diagnosis', RAW.string);
    await client.report('symptom', RAW.categorical);
    expect(await databaseNames(opts.dbName!)).toEqual([opts.dbName, `${opts.dbName}/refusal`]);
    expect(await client.optOut()).toEqual({ database: 'deleted' });
    expect(await databaseNames(opts.dbName!)).toEqual([`${opts.dbName}/refusal`]);
    const refusal = await openDB(`${opts.dbName}/refusal`);
    expect({ stores: Array.from(refusal.objectStoreNames), keys: await refusal.getAllKeys('refusal'), values: await refusal.getAll('refusal') }).toEqual({ stores: ['refusal'], keys: ['refused'], values: [true] });
    refusal.close();
    expect(await client.consented()).toBe(false);
    // Asking re-creates nothing.
    expect(await databaseNames(opts.dbName!)).toEqual([`${opts.dbName}/refusal`]);
    client.close();
  });

  it('opt-out is not blocked by another tab holding a connection; opting in again there starts with a new device secret', async () => {
    type Run = { dbName: string; before: { names: string[]; fingerprint: string }; optOut: { result: unknown; ms: number; names: string[] }; other?: { consented: boolean; refused: string; names: string[] }; again?: { consented: boolean; names: string[]; fingerprint: string; reported: boolean } };
    const run = (commands as unknown as { eraseWithOtherTab(url: string, campaign: unknown): Promise<Run> }).eraseWithOtherTab;
    const { dbName, before, optOut, other, again } = await run(collectorUrl, campaign);
    const refusal = `${dbName}/refusal`;
    expect(before.names).toEqual([dbName, refusal]);
    // Deleted, not blocked (eraseTimeoutMs is 3 s: the other tab's worker closed its connection well before).
    expect(optOut.result).toEqual({ database: 'deleted' });
    expect(optOut.ms).toBeLessThan(2_000);
    expect(optOut.names).toEqual([refusal]);
    // The other tab refuses without re-creating the database.
    expect(other).toEqual({ consented: false, refused: 'CONSENT_REQUIRED', names: [refusal] });
    // Opting in again: a new database with a new secret — the permanent randomness is derived from
    // (or keyed by) it, so none of it is shared with before the opt-out — and fever can be answered again today.
    expect(again).toMatchObject({ consented: true, names: [dbName, refusal], reported: true });
    expect(again!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(again!.fingerprint).not.toBe(before.fingerprint);
  });

  it('a connection that ignores versionchange: optOut answers `blocked` after eraseTimeoutMs, every row already erased; the deletion runs once it closes', async () => {
    const opts = options({ eraseTimeoutMs: 300 });
    const client = await createClient(opts);
    await client.optIn();
    await client.report('symptom', RAW.categorical);
    // App code holding the database open (no versionchange handler), as a tab with an older SDK would.
    const stubborn = await openDB(opts.dbName!);
    const started = performance.now();
    expect(await client.optOut()).toEqual({ database: 'blocked' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    for (const store of ['ledger', 'outbox']) expect(await stubborn.count(store)).toBe(0);
    expect(await stubborn.getAllKeys('meta')).toEqual(['consent']);
    expect(await client.consented()).toBe(false);
    expect(isPrivacyError(await client.optIn().catch((e: unknown) => e), 'STORAGE_UNAVAILABLE')).toBe(true);
    stubborn.close();
    for (let i = 0; i < 100 && (await databaseNames(opts.dbName!)).length > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await databaseNames(opts.dbName!)).toEqual([`${opts.dbName}/refusal`]);
    await client.optIn();
    expect(await client.consented()).toBe(true);
    client.close();
  });

  it('the refusal survives a real page reload: the new client is not consented, refuses reports and re-creates nothing', async () => {
    type Run = { dbName: string; before: { optedIn: string[]; result: unknown; optedOut: string[] }; after: { consented: boolean; refused: string; spent: number; names: string[] } };
    const run = (commands as unknown as { optOutThenReload(url: string, campaign: unknown): Promise<Run> }).optOutThenReload;
    const { dbName, before, after } = await run(collectorUrl, campaign);
    const refusal = `${dbName}/refusal`;
    expect(before).toEqual({ optedIn: [dbName, refusal], result: { database: 'deleted' }, optedOut: [refusal] });
    expect(after).toEqual({ consented: false, refused: 'CONSENT_REQUIRED', spent: 0, names: [refusal] });
  });

  it('hands queued batches to sendBeacon on pagehide (text/plain, under 60 KB)', async () => {
    const client = await createClient(options());
    await client.optIn();
    const { reportId } = await client.report('symptom', RAW.categorical);
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    let seen = await recorded();
    for (let i = 0; i < 100 && !seen.accepted.includes(reportId); i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await recorded();
    }
    expect(seen.accepted).toContain(reportId);
    for (const { contentType, body } of seen.bodies) {
      expect(contentType).toMatch(/^text\/plain/);
      expect(body.length).toBeLessThan(60_000);
      expect(body).not.toContain(RAW.categorical);
    }
    client.close();
  });

  it('keeps consent, ledger and outbox across a real page reload', async () => {
    const run = (commands as unknown as { reportThenReload(url: string, campaign: unknown): Promise<{ before: { spent: number; reportId: string }; after: { consented: boolean; spent: number; resent: number } }> }).reportThenReload;
    const { before, after } = await run(collectorUrl, campaign);
    expect(before.spent).toBeGreaterThan(0);
    expect(after).toEqual({ consented: true, spent: before.spent, resent: 1 });
    expect((await recorded()).accepted).toContain(before.reportId);
  });

  it('an opt-out in another tab of the same origin empties this tab’s page-hide beacon at once', async () => {
    const run = (commands as unknown as { optOutInOtherTab(url: string, campaign: unknown): Promise<{ before: number; after: number; refused: string; consented: boolean }> }).optOutInOtherTab;
    expect(await run(collectorUrl, campaign)).toEqual({ before: 1, after: 0, refused: 'CONSENT_REQUIRED', consented: false });
  });
});
