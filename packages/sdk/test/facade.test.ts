/**
 * The facade against the real worker API over an in-process MessageChannel (comlink both ends):
 * handshake, error codes across the boundary, a worker that never answers, a worker that crashes.
 */
import { describe, expect, it, vi } from 'vitest';
import { expose } from 'comlink';
import { isPrivacyError, seededRandomSource } from '@practical-privacy/core';
import { campaign, freshDbName, MONDAY, recordingFetch } from './fixtures.ts';
import { openSdkDatabase } from '../src/store/db.ts';
import { createClient } from '../src/client.ts';
import { createWorkerApi } from '../src/worker/api.ts';

type FakeWorker = Worker & { crash(message: string): void };

function channelWorker(respond = true, seed = 'facade', fetch: typeof globalThis.fetch = recordingFetch().fetch): FakeWorker {
  const { port1, port2 } = new MessageChannel();
  if (respond) expose(createWorkerApi({ fetch, random: seededRandomSource(seed), now: () => new Date(MONDAY) }), port1 as unknown as Worker);
  const listeners: Array<(e: unknown) => void> = [];
  const worker = port2 as unknown as FakeWorker;
  const add = port2.addEventListener.bind(port2);
  Object.assign(worker, {
    addEventListener: (type: string, listener: (e: unknown) => void) => (type === 'error' ? listeners.push(listener) : add(type as 'message', listener as never)),
    terminate: () => {
      port1.close();
      port2.close();
    },
    crash: (message: string) => listeners.forEach((l) => l({ message, preventDefault() {} })),
  });
  return worker;
}

const base = { collectorUrl: 'https://collector.test', campaign, flushIntervalMs: 60_000 };

describe('facade over MessageChannel', () => {
  it('keeps stable error codes across the boundary and reports after opt-in', async () => {
    const client = await createClient({ ...base, dbName: freshDbName(), createWorker: () => channelWorker() });
    const refused = await client.report('fever', true).catch((e: unknown) => e);
    expect(isPrivacyError(refused, 'CONSENT_REQUIRED')).toBe(true);
    await client.optIn();
    expect(await client.consented()).toBe(true);
    const receipt = await client.report('fever', true);
    expect(receipt.epsilonSpent).toBeGreaterThan(0);
    const bad = await client.report('pain', 99).catch((e: unknown) => e);
    expect(isPrivacyError(bad, 'INPUT_INVALID')).toBe(true);
    expect((bad as { path: string }).path).toBe('answer');
    client.close();
  });

  it('rejects with WORKER_UNAVAILABLE when the handshake times out', async () => {
    const error = await createClient({ ...base, dbName: freshDbName(), handshakeTimeoutMs: 50, createWorker: () => channelWorker(false) }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'WORKER_UNAVAILABLE')).toBe(true);
  });

  it('rejects a pending call with WORKER_UNAVAILABLE on a worker error and recovers on the next call', async () => {
    const workers: FakeWorker[] = [];
    const client = await createClient({
      ...base,
      dbName: freshDbName(),
      createWorker: () => {
        const w = channelWorker();
        workers.push(w);
        return w;
      },
    });
    await client.optIn();
    const pending = client.report('fever', true);
    workers[0]!.crash('boom');
    const error = await pending.catch((e: unknown) => e);
    expect(isPrivacyError(error, 'WORKER_UNAVAILABLE')).toBe(true);
    expect(await client.consented()).toBe(true);
    expect(workers).toHaveLength(2);
    client.close();
  });

  it('refuses without Web Workers (documented): WORKER_UNAVAILABLE', async () => {
    const error = await createClient(base).catch((e: unknown) => e);
    expect(typeof Worker).toBe('undefined');
    expect(isPrivacyError(error, 'WORKER_UNAVAILABLE')).toBe(true);
  });
});

describe('facade start-up refusals', () => {
  it('terminates the worker when the configuration is refused', async () => {
    let terminated = 0;
    const error = await createClient({
      ...base,
      dbName: freshDbName(),
      caps: { perReport: { low: 0.1 } },
      createWorker: () => {
        const w = channelWorker();
        const terminate = w.terminate.bind(w);
        w.terminate = () => {
          terminated++;
          terminate();
        };
        return w;
      },
    }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'TIER_CAP_EXCEEDED')).toBe(true);
    expect(terminated).toBe(1);
  });
});

describe('two clients on one database (two tabs)', () => {
  it('race to report the same questions: exactly one report of each is queued, the other gets ALREADY_REPORTED', async () => {
    const dbName = freshDbName();
    const [a, b] = await Promise.all(['tab-a', 'tab-b'].map((seed) => createClient({ ...base, dbName, createWorker: () => channelWorker(true, seed) })));
    await a!.optIn();
    await b!.optIn();
    const answers: Array<[string, unknown]> = [['fever', true], ['symptom', 'headache'], ['meds', ['b']], ['pain', 3], ['diagnosis', 'flu'], ['sleep', true]];
    // Both tabs start every report before either finishes one: each passes its own pre-check, and
    // the ledger transaction alone decides.
    const outcomes = await Promise.all(answers.flatMap(([q, x]) => [a!, b!].map((c) => c.report(q, x).then((r) => ({ q, ok: true as const, r }), (e: unknown) => ({ q, ok: false as const, e })))));
    for (const [q] of answers) {
      const mine = outcomes.filter((o) => o.q === q);
      expect(mine.filter((o) => o.ok), q).toHaveLength(1);
      const lost = mine.find((o) => !o.ok)!;
      expect(isPrivacyError(lost.ok ? undefined : lost.e, 'ALREADY_REPORTED'), q).toBe(true);
    }
    const db = await openSdkDatabase(dbName);
    const outbox = await db.getAll('outbox');
    expect(outbox.map((r) => r.report.questionId).sort()).toEqual(answers.map(([q]) => q).sort());
    const lifetime = (await db.get('ledger', 'symptoms|*|lifetime'))!.spent;
    expect(lifetime).toBeCloseTo(outbox.reduce((sum, r) => sum + r.epsilon, 0), 9);
    db.close();
    a!.close();
    b!.close();
  });
});

describe('page-hide bodies', () => {
  it('hands the queued batches over on pagehide, kept current across reports, uploads, a worker restart and opt-out; the receipt carries no bodies', async () => {
    // Node has no window: capture the facade's pagehide listener and its keepalive fetch fallback.
    const listeners = new Map<string, (e: Event) => void>();
    const beacons: string[] = [];
    vi.stubGlobal('addEventListener', (type: string, listener: (e: Event) => void) => listeners.set(type, listener));
    vi.stubGlobal('removeEventListener', () => undefined);
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => (beacons.push(String(init.body)), new Response(null, { status: 202 })));
    const hide = async () => {
      beacons.length = 0;
      // Let answers in flight (refreshes after an upload) arrive first.
      await new Promise((r) => setTimeout(r, 20));
      listeners.get('pagehide')!({ type: 'pagehide' } as Event);
      return beacons.flatMap((b) => (JSON.parse(b) as { reports: Array<{ id: string }> }).reports.map((r) => r.id)).sort();
    };
    try {
      const dbName = freshDbName();
      const net = recordingFetch();
      const workers: FakeWorker[] = [];
      const client = await createClient({
        ...base,
        dbName,
        batchSize: 2,
        createWorker: () => {
          const w = channelWorker(true, `hide-${workers.length}`, net.fetch);
          workers.push(w);
          return w;
        },
      });
      expect(await hide()).toEqual([]);
      await client.optIn();
      const ids: string[] = [];
      for (const [q, a] of [['fever', true], ['pain', 4], ['symptom', 'fatigue']] as const) {
        const receipt = await client.report(q, a);
        expect(Object.keys(receipt)).not.toContain('pending');
        ids.push(receipt.reportId);
      }
      expect(await hide()).toEqual([...ids].sort());
      // Another tab uploads them behind this worker's back, then the worker crashes: the restarted
      // worker loads the outbox afresh and its bodies replace the old ones.
      const db = await openSdkDatabase(dbName);
      await db.clear('outbox');
      db.close();
      workers[0]!.crash('boom');
      expect(await client.consented()).toBe(true);
      expect(await hide()).toEqual([]);
      const last = await client.report('meds', ['a']);
      expect(await hide()).toEqual([last.reportId]);
      expect((await client.flush()).sent).toBe(1);
      expect(await hide()).toEqual([]);
      await client.report('sleep', true);
      await client.optOut();
      expect(await hide()).toEqual([]);
      client.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('a worker that fails to load', () => {
  // A Worker whose script never loads: no answer to the handshake, an `error` (or `messageerror`) event soon after start.
  class FailingWorker extends EventTarget {
    static urls: string[] = [];
    static event = 'error';
    terminated = false;
    constructor(url: string | URL) {
      super();
      FailingWorker.urls.push(String(url));
      setTimeout(() => this.dispatchEvent(new Event(FailingWorker.event)), 5);
    }
    postMessage(): void {}
    terminate(): void {
      this.terminated = true;
    }
  }

  it.each(['error', 'messageerror'])('rejects createClient at once on `%s` with WORKER_UNAVAILABLE naming the worker URL, long before the handshake timeout', async (type) => {
    vi.useFakeTimers();
    vi.stubGlobal('Worker', FailingWorker);
    FailingWorker.urls = [];
    FailingWorker.event = type;
    try {
      let outcome: unknown = 'pending';
      void createClient({ ...base, dbName: freshDbName() }).then(
        () => (outcome = 'resolved'),
        (e: unknown) => (outcome = e),
      );
      // Well before the 10 s default handshake timeout.
      await vi.advanceTimersByTimeAsync(100);
      expect(FailingWorker.urls).toHaveLength(1);
      expect(FailingWorker.urls[0]).toMatch(/\/worker\.ts$/);
      expect(isPrivacyError(outcome, 'WORKER_UNAVAILABLE')).toBe(true);
      expect((outcome as Error).message).toContain(FailingWorker.urls[0]);
      expect((outcome as Error).message).toContain(type);
    } finally {
      vi.useRealTimers();
      vi.unstubAllGlobals();
    }
  });

  it('names the workerUrl the app passed, and loads the worker from it', async () => {
    vi.stubGlobal('Worker', FailingWorker);
    FailingWorker.urls = [];
    FailingWorker.event = 'error';
    try {
      const started = Date.now();
      const error = await createClient({ ...base, dbName: freshDbName(), workerUrl: 'https://app.test/assets/pp-worker.js' }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(FailingWorker.urls).toEqual(['https://app.test/assets/pp-worker.js']);
      expect(isPrivacyError(error, 'WORKER_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('https://app.test/assets/pp-worker.js');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
