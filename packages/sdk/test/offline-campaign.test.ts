/**
 * Offline-first start (issue 15 §3): the last validated fetched campaign is cached in IndexedDB and
 * used when the collector cannot be reached; it is re-checked at every start against the app's caps
 * and pins of THAT start; a closed campaign stops it and drops its queued reports (event `closed`);
 * with nothing cached the start fails with CAMPAIGN_UNAVAILABLE, which a later start retries.
 *
 * The adversary: a collector that got a campaign accepted once and hopes the device keeps using
 * it after the app tightened its caps or pins, or that a cached copy counts as the app's own.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { seededRandomSource, validateCampaign, type CampaignInput } from '@practical-privacy/core';
import { createWorkerApi, type WorkerConfig } from '../src/worker/api.ts';
import { openSdkDatabase } from '../src/store/db.ts';
import { campaign, freshDbName, MONDAY } from './fixtures.ts';
import { attack, readStorage } from './oracle-attack.ts';
import type { TransportEvent } from '../src/worker/transport.ts';
import { expose } from 'comlink';
import { createClient } from '../src/client.ts';
import { isPrivacyError } from '../src/index.ts';

const tiers = Object.fromEntries(campaign.questions.map((q) => [q.id, q.tier]));
type Mode = 'online' | 'offline' | 'hang' | number | { status: number; body: string };

/**
 * A collector: GET /v1/campaigns/symptoms serves `served`, POST /v1/reports acknowledges (202,
 * deduplicated by report id like the real one) — unless `campaignMode` / `reportsMode` say otherwise
 * ('offline' is a network error, a number an HTTP status, or a status with a body).
 */
function collector(served: CampaignInput = campaign) {
  const state = { campaignMode: 'online' as Mode, reportsMode: 'online' as Mode, served, accepted: new Map<string, number>(), campaignFetches: 0, posts: 0 };
  const answer = (mode: Mode): Response | undefined => {
    if (mode === 'offline') throw new TypeError('Failed to fetch');
    if (typeof mode === 'number') return new Response('{"error":{"code":"UNAVAILABLE"}}', { status: mode });
    if (typeof mode === 'object') return new Response(mode.body, { status: mode.status });
    return undefined;
  };
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.method !== 'POST') {
      state.campaignFetches++;
      // A network that never answers: only the request's abort signal ends the wait.
      if (state.campaignMode === 'hang') return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      expect(String(input)).toBe('https://collector.test/v1/campaigns/symptoms');
      return answer(state.campaignMode) ?? new Response(JSON.stringify({ campaign: state.served }), { status: 200 });
    }
    state.posts++;
    const refused = answer(state.reportsMode);
    if (refused !== undefined) return refused;
    const ids = (JSON.parse(String(init.body)) as { reports: Array<{ id: string }> }).reports.map((r) => r.id);
    for (const id of ids) state.accepted.set(id, (state.accepted.get(id) ?? 0) + 1);
    return new Response(JSON.stringify({ accepted: ids.length }), { status: 202 });
  }) as typeof globalThis.fetch;
  return Object.assign(state, { fetch: fetch as typeof globalThis.fetch });
}

type Collector = ReturnType<typeof collector>;

/** One start of the app (a new worker) on `dbName`. */
async function start(net: Collector, dbName: string, overrides: Partial<WorkerConfig> = {}) {
  const events: TransportEvent[] = [];
  const api = createWorkerApi({ fetch: net.fetch, random: seededRandomSource(`offline-${dbName}`), now: () => new Date(MONDAY) });
  const init = await api.init({ collectorUrl: 'https://collector.test', campaignId: 'symptoms', tiers, dbName, flushIntervalMs: 600_000, baseBackoffMs: 600_000, ...overrides }, (e) => events.push(e));
  return { api, init, events };
}

/** A patient who opted in while online: the campaign is cached. */
async function optedIn(net: Collector = collector()) {
  const dbName = freshDbName();
  const first = await start(net, dbName);
  expect(first.init.ok).toBe(true);
  expect((await first.api.optIn()).ok).toBe(true);
  first.api.close();
  return { net, dbName };
}

const metaKeys = async (dbName: string) => {
  const db = await openSdkDatabase(dbName);
  const keys = (await db.getAllKeys('meta')).map(String);
  db.close();
  return keys;
};

describe('offline start from the cached campaign', () => {
  it('starts offline, queues reports and delivers each exactly once when the collector is back', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    net.reportsMode = 'offline';
    const offline = await start(net, dbName);
    expect(offline.init).toMatchObject({ ok: true, value: { consented: true, campaignId: 'symptoms', campaignVersion: 1 } });
    const ids: string[] = [];
    for (const [q, a] of [['fever', true], ['pain', 3]] as const) {
      const r = await offline.api.report(q, a);
      if (!r.ok) throw new Error(r.error.message);
      ids.push(r.value.reportId);
    }
    expect(await offline.api.flush()).toMatchObject({ ok: true, value: { sent: 0, pending: 2 } });
    offline.api.close();

    // Back online, a later start fetches the campaign again and delivers the queue.
    net.campaignMode = 'online';
    net.reportsMode = 'online';
    const online = await start(net, dbName);
    expect(await online.api.flush()).toMatchObject({ ok: true, value: { sent: 2 } });
    expect(await online.api.flush()).toMatchObject({ ok: true, value: { sent: 0, pending: 0 } });
    expect([...net.accepted.entries()].sort()).toEqual(ids.map((id) => [id, 1]).sort());
    online.api.close();
  });

  it.each([
    ['a network error', 'offline' as Mode],
    ['HTTP 503', 503 as Mode],
    ['HTTP 429', 429 as Mode],
    ['HTTP 408', 408 as Mode],
    ['a 200 that is not JSON (captive portal)', { status: 200, body: '<html>Sign in to the Wi-Fi</html>' } as Mode],
  ])('falls back to the cache on %s, and without one says why', async (name, mode) => {
    const { net, dbName } = await optedIn();
    net.campaignMode = mode;
    const { api, init } = await start(net, dbName);
    expect(init).toMatchObject({ ok: true, value: { campaignId: 'symptoms' } });
    expect((await api.report('fever', true)).ok).toBe(true);
    api.close();
    const none = await start(net, freshDbName());
    expect(none.init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
    if (none.init.ok) throw new Error('unreachable');
    expect(none.init.error.message).toContain(`(${{ 'a network error': 'TypeError: Failed to fetch', 'HTTP 503': 'HTTP 503', 'HTTP 429': 'HTTP 429', 'HTTP 408': 'HTTP 408' }[name] ?? 'HTTP 200, not JSON'})`);
  });

  it('falls back to the cache when the campaign fetch does not answer within campaignTimeoutMs (lie-fi)', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'hang';
    expect((await start(net, dbName, { campaignTimeoutMs: 20 })).init).toMatchObject({ ok: true, value: { campaignId: 'symptoms' } });
    const fresh = await start(net, freshDbName(), { campaignTimeoutMs: 20 });
    expect(fresh.init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
    if (fresh.init.ok) throw new Error('unreachable');
    expect(fresh.init.error.message).toMatch(/TimeoutError/);
  });

  it('does not fall back when the collector answers with a refusal or a campaign the app refuses', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 404;
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_INVALID' } });
    // The collector now serves a version that asks for more than the app's caps: refused, and the
    // cached (acceptable) copy is not used instead — nor replaced.
    net.campaignMode = 'online';
    net.served = { ...campaign, version: 2, questions: campaign.questions.map((q) => (q.id === 'fever' ? { ...q, epsilon: 5 } : q)) };
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED' } });
    net.campaignMode = 'offline';
    expect((await start(net, dbName)).init).toMatchObject({ ok: true, value: { campaignVersion: 1 } });
  });

  it('keeps the newest validated campaign: a republished version replaces the cached one', async () => {
    const { net, dbName } = await optedIn();
    net.served = { ...campaign, version: 2, title: 'Daily symptoms (v2)' };
    const online = await start(net, dbName);
    expect(online.init).toMatchObject({ ok: true, value: { campaignVersion: 2 } });
    online.api.close();
    net.campaignMode = 'offline';
    expect((await start(net, dbName)).init).toMatchObject({ ok: true, value: { campaignVersion: 2 } });
  });
});

describe('the cache cannot carry a campaign past the app’s current caps and pins', () => {
  it('refuses a cached campaign once the app lowers a cap, as it refuses a fetched one', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    const lowered = await start(net, dbName, { caps: { perReport: { low: 0.9 } } });
    expect(lowered.init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilon' } });
    // The same caps against the fetched campaign: the same refusal.
    net.campaignMode = 'online';
    expect((await start(net, dbName, { caps: { perReport: { low: 0.9 } } })).init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilon' } });
    expect((await lowered.api.report('fever', true)).ok).toBe(false);
  });

  it('refuses a cached campaign once the app pins a question stricter than the campaign declares', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    const { init } = await start(net, dbName, { tiers: { ...tiers, fever: 'high' } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.tier' } });
  });

  it('holds an unpinned question of the cached campaign to restricted: the cache is server data, not the app’s own campaign', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    const { init } = await start(net, dbName, { tiers: {} });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED' } });
    if (init.ok) throw new Error('unreachable');
    expect(init.error.message).toMatch(/held to tier restricted by this app/);
  });

  it('refuses a cached row that carries another campaign id, and ignores a torn or edited row', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    const db = await openSdkDatabase(dbName);
    const row = (await db.get('meta', 'campaign|symptoms')) as { version: number; digest: string; json: string };
    expect(JSON.parse(row.json)).toEqual(validateCampaign(campaign));
    // Another campaign's text under this id's key, with a matching digest: refused by the id check.
    const other = JSON.stringify({ ...JSON.parse(row.json), id: 'other' });
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', framedLike(other))).toString('hex');
    await db.put('meta', { ...row, json: other, digest }, 'campaign|symptoms');
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_INVALID', path: 'id' } });
    // Raised ε with the old digest: not a cache at all.
    await db.put('meta', { ...row, json: row.json.replace('"epsilon":1', '"epsilon":0.1') }, 'campaign|symptoms');
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
    db.close();
  });
});

/** secret.ts's framing of one field: its UTF-8 length (4 bytes, big-endian), then the bytes. */
function framedLike(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

describe('no cache: CAMPAIGN_UNAVAILABLE, which a later start retries', () => {
  it('fails a first start offline with CAMPAIGN_UNAVAILABLE naming the URL and the origin rule, then starts once online', async () => {
    const net = collector();
    net.campaignMode = 'offline';
    const dbName = freshDbName();
    const { init } = await start(net, dbName);
    expect(init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE', phase: 'runtime' } });
    if (init.ok) throw new Error('unreachable');
    expect(init.error.message).toContain('https://collector.test/v1/campaigns/symptoms');
    expect(init.error.message).toContain('PP_ALLOWED_ORIGINS');
    net.campaignMode = 'online';
    expect((await start(net, dbName)).init).toMatchObject({ ok: true });
  });

  it('caches nothing before opt-in: a device that never opted in cannot start offline', async () => {
    const net = collector();
    const dbName = freshDbName();
    (await start(net, dbName)).api.close();
    expect(await metaKeys(dbName)).toEqual([]);
    net.campaignMode = 'offline';
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
  });

  it('opt-out deletes the cache with the database', async () => {
    const { net, dbName } = await optedIn();
    const { api } = await start(net, dbName);
    expect(await api.optOut()).toMatchObject({ ok: true, value: { database: 'deleted' } });
    api.close();
    net.campaignMode = 'offline';
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
  });
});

describe('a closed campaign', () => {
  const closed = (status: number) => ({ status, body: JSON.stringify({ error: { code: 'CAMPAIGN_CLOSED', message: 'closed' } }) });

  it.each([409, 410])('at start (HTTP %i): refused with CAMPAIGN_CLOSED, its queued reports and cached copy dropped, with an event', async (status) => {
    const { net, dbName } = await optedIn();
    net.reportsMode = 'offline';
    const before = await start(net, dbName);
    expect((await before.api.report('fever', true)).ok).toBe(true);
    expect((await before.api.report('pain', 4)).ok).toBe(true);
    before.api.close();
    net.campaignMode = closed(status);
    const { init, events } = await start(net, dbName);
    expect(init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_CLOSED' } });
    expect(events).toEqual([{ type: 'closed', campaignId: 'symptoms', reports: 2 }]);
    const db = await openSdkDatabase(dbName);
    expect(await db.count('outbox')).toBe(0);
    expect(await db.get('meta', 'campaign|symptoms')).toBeUndefined();
    db.close();
    // No cached copy to fall back on either.
    net.campaignMode = 'offline';
    expect((await start(net, dbName)).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_UNAVAILABLE' } });
    expect(net.posts).toBe(0);
  });

  it.each([409, 410])('on upload (HTTP %i): every queued report of it dropped, an event, report() refused from then on', async (status) => {
    const { net, dbName } = await optedIn();
    const { api, events } = await start(net, dbName, { batchSize: 1 });
    expect((await api.report('fever', true)).ok).toBe(true);
    expect((await api.report('pain', 4)).ok).toBe(true);
    net.reportsMode = closed(status);
    // Two batches of one: the first answer closes the campaign, the second batch is not sent.
    expect(await api.flush()).toMatchObject({ ok: true, value: { sent: 0, dropped: 2, pending: 0 } });
    expect(net.posts).toBe(1);
    expect(events).toContainEqual({ type: 'closed', campaignId: 'symptoms', reports: 2 });
    expect(events.some((e) => e.type === 'dropped')).toBe(false);
    expect(await api.report('meds', ['a'])).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_CLOSED' } });
    expect(await metaKeys(dbName)).not.toContain('campaign|symptoms');
    // The page-hide bodies went with the rows.
    expect(await api.pendingBodies()).toMatchObject({ ok: true, value: { bodies: [] } });
    api.close();
  });

  it('drops only the closed campaign’s reports: another campaign’s rows in the same outbox are still sent', async () => {
    const { net, dbName } = await optedIn();
    const { api, events } = await start(net, dbName, { batchSize: 1 });
    const mine = await api.report('fever', true);
    if (!mine.ok) throw new Error(mine.error.message);
    // A row of another campaign (another client of the app on the same database), queued after it.
    const db = await openSdkDatabase(dbName);
    const other = { ...(await db.get('outbox', mine.value.reportId))!, id: 'f'.repeat(32), campaignId: 'other', queuedAt: Date.parse(MONDAY) + 1 };
    await db.put('outbox', { ...other, report: { ...other.report, id: other.id } });
    db.close();
    let answered = 0;
    let stillQueued = false;
    const fetch = net.fetch;
    net.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = String(init?.body);
      // The collector closes `symptoms` only.
      if (init?.method === 'POST' && body.includes('"campaignId":"symptoms"')) return new Response('{"error":{"code":"CAMPAIGN_CLOSED"}}', { status: 409 });
      if (init?.method === 'POST') {
        answered++;
        // Sent after the closure: it must still be in the outbox, not dropped with `symptoms`.
        const check = await openSdkDatabase(dbName);
        stillQueued = (await check.get('outbox', other.id)) !== undefined;
        check.close();
      }
      return fetch(input, init);
    }) as typeof globalThis.fetch;
    const again = await start(net, dbName, { batchSize: 1 });
    api.close();
    expect(await again.api.flush()).toMatchObject({ ok: true, value: { sent: 1, dropped: 1, pending: 0 } });
    expect(answered).toBe(1);
    expect(stillQueued).toBe(true);
    expect([...net.accepted.keys()]).toEqual([other.id]);
    expect(again.events).toContainEqual({ type: 'closed', campaignId: 'symptoms', reports: 1 });
    expect(events).toEqual([]);
    again.api.close();
  });

  it('stays closed across restarts for a campaign defined in code; a fetched one is decided by the collector at each start', async () => {
    const net = collector();
    const dbName = freshDbName();
    const inCode = await start(net, dbName, { campaign, campaignId: undefined });
    await inCode.api.optIn();
    expect((await inCode.api.report('fever', true)).ok).toBe(true);
    net.reportsMode = closed(410);
    await inCode.api.flush();
    inCode.api.close();
    // Nothing tells a restarted worker that the app's own campaign is closed but the record.
    net.reportsMode = 'online';
    const again = await start(net, dbName, { campaign, campaignId: undefined });
    expect(again.init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_CLOSED' } });
    expect(net.campaignFetches).toBe(0);
    // The same id fetched, and the collector serving it open again: used.
    expect((await start(net, dbName)).init).toMatchObject({ ok: true });
  });

  it('a 409 without the CAMPAIGN_CLOSED code is an ordinary refusal of that batch: the campaign stays open', async () => {
    const { net, dbName } = await optedIn();
    const { api, events } = await start(net, dbName);
    expect((await api.report('fever', true)).ok).toBe(true);
    net.reportsMode = { status: 409, body: '{"error":{"code":"CAMPAIGN_IMMUTABLE"}}' };
    expect(await api.flush()).toMatchObject({ ok: true, value: { dropped: 1 } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'dropped', status: 409 }));
    expect((await api.report('pain', 1)).ok).toBe(true);
    api.close();
  });
});

describe('what the cache stores', () => {
  it('is the same for two patients whose answers differ, and no answer can be recovered from storage', async () => {
    const rows: unknown[] = [];
    for (const answers of [{ fever: true, symptom: 'headache', pain: 7 }, { fever: false, symptom: 'fatigue', pain: 1 }]) {
      const { net, dbName } = await optedIn();
      net.reportsMode = 'offline'; // the reports stay queued, as they do offline
      const { api } = await start(net, dbName);
      for (const [q, a] of Object.entries(answers)) expect((await api.report(q, a)).ok).toBe(true);
      const storage = await readStorage(dbName);
      expect(storage.metaKeys).toContain('campaign|symptoms');
      // Only queued reports could tell answers apart (README, "answer oracle"); deliver them first.
      net.reportsMode = 'online';
      expect(await api.flush()).toMatchObject({ ok: true, value: { sent: 3 } });
      const delivered = await readStorage(dbName);
      expect([...(await attack(campaign, delivered)).keys()]).toEqual([]);
      const db = await openSdkDatabase(dbName);
      rows.push(await db.get('meta', 'campaign|symptoms'));
      db.close();
      api.close();
    }
    expect(rows[0]).toEqual(rows[1]);
  });
});

describe('through the facade', () => {
  /** The worker API over an in-process MessageChannel, fetching from `net`. */
  const channelWorker = (net: Collector) => () => {
    const { port1, port2 } = new MessageChannel();
    expose(createWorkerApi({ fetch: net.fetch, random: seededRandomSource('offline-facade'), now: () => new Date(MONDAY) }), port1 as unknown as Worker);
    return Object.assign(port2, { terminate: () => (port1.close(), port2.close()) }) as unknown as Worker;
  };

  it('createClient resolves offline from the cache, rejects with CAMPAIGN_UNAVAILABLE without one, and a later createClient succeeds', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = 'offline';
    const options = { collectorUrl: 'https://collector.test', campaignId: 'symptoms', tiers, flushIntervalMs: 600_000, createWorker: channelWorker(net) };
    const client = await createClient({ ...options, dbName });
    expect((await client.report('fever', true)).epsilonSpent).toBeGreaterThan(0);
    client.close();
    const fresh = freshDbName();
    const error = await createClient({ ...options, dbName: fresh }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'CAMPAIGN_UNAVAILABLE')).toBe(true);
    net.campaignMode = 'online';
    (await createClient({ ...options, dbName: fresh })).close();
  });

  it('the app observes a campaign closed at start: onEvent gets `closed` with the dropped count, createClient rejects with CAMPAIGN_CLOSED', async () => {
    const { net, dbName } = await optedIn();
    net.reportsMode = 'offline';
    const before = await start(net, dbName);
    expect((await before.api.report('fever', true)).ok).toBe(true);
    before.api.close();
    net.campaignMode = { status: 410, body: '{"error":{"code":"CAMPAIGN_CLOSED"}}' };
    const events: TransportEvent[] = [];
    const error = await createClient({ collectorUrl: 'https://collector.test', campaignId: 'symptoms', tiers, dbName, createWorker: channelWorker(net), onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'CAMPAIGN_CLOSED')).toBe(true);
    expect(events).toEqual([{ type: 'closed', campaignId: 'symptoms', reports: 1 }]);
  });

  it('an app listener that throws on the closed event does not change the refusal', async () => {
    const { net, dbName } = await optedIn();
    net.campaignMode = { status: 409, body: '{"error":{"code":"CAMPAIGN_CLOSED"}}' };
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const error = await createClient({
        collectorUrl: 'https://collector.test',
        campaignId: 'symptoms',
        tiers,
        dbName,
        createWorker: channelWorker(net),
        onEvent: () => {
          throw new Error('app bug');
        },
      }).catch((e: unknown) => e);
      expect(isPrivacyError(error, 'CAMPAIGN_CLOSED')).toBe(true);
      await new Promise((r) => setTimeout(r, 0));
      expect(uncaught).toEqual([new Error('app bug')]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
