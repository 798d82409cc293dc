/**
 * An opt-out in one tab stops the others (src/opt-out-signal.ts): two clients, or two worker APIs,
 * over one fake-indexeddb database, with Node's global BroadcastChannel carrying the signal in-process.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expose } from 'comlink';
import { isPrivacyError, seededRandomSource } from '@practical-privacy/core';
import { campaign, databaseNames, freshDbName, MONDAY, recordingFetch, setup } from './fixtures.ts';
import { refusalDbName } from '../src/store/refusal.ts';
import { createClient } from '../src/client.ts';
import { createWorkerApi, type WorkerConfig } from '../src/worker/api.ts';

/** The worker API over an in-process MessageChannel (comlink both ends), as facade.test.ts does. */
function channelWorker(seed: string, fetch: typeof globalThis.fetch): Worker {
  const { port1, port2 } = new MessageChannel();
  const api = createWorkerApi({ fetch, random: seededRandomSource(seed), now: () => new Date(MONDAY) });
  expose(api, port1 as unknown as Worker);
  const add = port2.addEventListener.bind(port2);
  return Object.assign(port2, {
    addEventListener: (type: string, listener: never) => type === 'message' && add('message', listener),
    terminate: () => {
      api.close();
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
}

/** Resolves once the opt-out signal for `dbName` was posted (this listener is created last, so the SDK's were told first). */
function signalled(dbName: string): Promise<void> {
  const channel = new BroadcastChannel(`practical-privacy/opt-out/${dbName}`);
  return new Promise((resolve) => {
    channel.onmessage = () => {
      channel.close();
      // And one more turn, so every listener has run.
      setTimeout(resolve, 0);
    };
  });
}

const idsIn = (bodies: string[]) => bodies.flatMap((b) => (JSON.parse(b) as { reports: Array<{ id: string }> }).reports.map((r) => r.id)).sort();

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('opt-out in another tab (facades)', () => {
  it('drops the other tab’s page-hide bodies at once; that tab refuses reports, and after an opt-in again beacons and uploads none of the erased reports', async () => {
    // Node has no window: capture each facade's pagehide listener (tab B registers first) and the keepalive fetch fallback.
    const hides: Array<(e: Event) => void> = [];
    const beacons: string[] = [];
    vi.stubGlobal('addEventListener', (type: string, listener: (e: Event) => void) => type === 'pagehide' && hides.push(listener));
    vi.stubGlobal('removeEventListener', () => undefined);
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => (beacons.push(String(init.body)), new Response(null, { status: 202 })));
    const hideB = () => {
      beacons.length = 0;
      hides[0]!({ type: 'pagehide' } as Event);
      return idsIn(beacons);
    };
    const dbName = freshDbName();
    const base = { collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 60_000 };
    const netA = recordingFetch();
    const netB = recordingFetch();
    const b = await createClient({ ...base, createWorker: () => channelWorker('tab-b', netB.fetch) });
    const a = await createClient({ ...base, createWorker: () => channelWorker('tab-a', netA.fetch) });
    try {
      await b.optIn();
      const erased = (await b.report('fever', true)).reportId;
      expect(hideB()).toEqual([erased]);

      const heard = signalled(dbName);
      await a.optOut();
      await heard;
      // The facade dropped its bodies on the signal, before anything asked the worker.
      expect(hideB()).toEqual([]);
      // Consent is read from IndexedDB on every call.
      expect(await b.consented()).toBe(false);
      expect(isPrivacyError(await b.report('pain', 3).catch((e: unknown) => e), 'CONSENT_REQUIRED')).toBe(true);
      expect(isPrivacyError(await b.flush().catch((e: unknown) => e), 'CONSENT_REQUIRED')).toBe(true);

      // Opting in again (here in tab A) is seen by B; B's worker must not bring the erased report back.
      await a.optIn();
      expect(await b.consented()).toBe(true);
      const fresh = (await b.report('fever', false)).reportId;
      expect(hideB()).toEqual([fresh]);
      expect(await b.flush()).toMatchObject({ sent: 1 });
      expect([...netA.accepted, ...netB.accepted]).toEqual([fresh]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('opt-out in another tab (workers)', () => {
  it('stops an upload in progress in the other tab before its next batch', async () => {
    const dbName = freshDbName();
    const a = await setup({ dbName });
    const net = recordingFetch();
    let release: () => void = () => undefined;
    let posted: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (posted = resolve));
    // The first POST waits until the test releases it; the opt-out happens meanwhile.
    const held: typeof fetch = async (input, init) => {
      if (net.requests.length === 0) {
        posted();
        await new Promise<void>((resolve) => (release = resolve));
      }
      return net.fetch(input, init);
    };
    const b = createWorkerApi({ fetch: held, random: seededRandomSource('tab-b'), now: () => new Date(MONDAY) });
    const config: WorkerConfig = { collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 60_000, batchSize: 1 };
    expect((await b.init(config)).ok).toBe(true);
    try {
      await b.optIn();
      for (const [q, x] of [['fever', true], ['pain', 3], ['sleep', true]] as const) expect((await b.report(q, x)).ok).toBe(true);
      const uploading = b.flush();
      await first;
      const heard = signalled(dbName);
      expect((await a.api.optOut()).ok).toBe(true);
      await heard;
      release();
      // The batch already on the wire is delivered; the two behind it, erased meanwhile, are not.
      expect(await uploading).toMatchObject({ ok: true, value: { sent: 1 } });
      expect(net.requests).toHaveLength(1);
    } finally {
      a.api.close();
      b.close();
    }
  });

  // report() reads the clock after checking consent (the day) and again just before its commit
  // (queuedAt): an opt-out starting at the first read erases the secret before it is loaded, at the
  // second between the secret and the commit.
  it.each([1, 2])('a report in progress when another tab opts out (at clock read %i) is refused: nothing queued, spent or kept', async (at) => {
    const dbName = freshDbName();
    const a = await setup({ dbName });
    let reads = 0;
    let optingOut: Promise<unknown> | undefined;
    const now = () => {
      if (++reads === at) optingOut = a.api.optOut();
      return new Date(MONDAY);
    };
    const b = createWorkerApi({ fetch: recordingFetch().fetch, random: seededRandomSource('tab-b'), now });
    expect((await b.init({ collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 60_000 })).ok).toBe(true);
    try {
      await a.api.optIn();
      const result = await b.report('fever', true);
      expect(await optingOut).toMatchObject({ ok: true });
      expect(result).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
      // The database is deleted and not re-created by the report: no device secret after the erase
      // either, only the refusal record.
      expect(await databaseNames(dbName)).toEqual([refusalDbName(dbName)]);
    } finally {
      a.api.close();
      b.close();
    }
  });
});
