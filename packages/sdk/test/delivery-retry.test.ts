/**
 * Delivery tested for real (issue 15 §4): the transport's retry schedule under a fake clock
 * (vitest fake timers for setTimeout and Date; fake-indexeddb schedules with setImmediate, which
 * stays real) and an injected random source, so every delay is checked in its window and every
 * retry is seen to happen when — and only when — it is due.
 *
 * Each test was checked to fail against a mutated transport.ts: the backoff ceiling not doubling
 * (`2 ** this.attempt` → `1`), no jitter (delay = ceiling), `Retry-After` ignored in the delay,
 * a 4xx answer retried like a 5xx, and the acknowledged rows removed before the request is sent.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RandomSampler, seededRandomSource } from '@practical-privacy/core';
import { openSdkDatabase, type OutboxRow, type SdkDatabase } from '../src/store/db.ts';
import { Transport, type TransportEvent } from '../src/worker/transport.ts';
import { createWorkerApi } from '../src/worker/api.ts';
import { campaign, freshDbName, MONDAY } from './fixtures.ts';

const BASE = 1_000;
const MAX = 60_000;
/** Full-jitter window of the k-th consecutive retry (0-based): [0, min(MAX, BASE·2^k)]. */
const windowOf = (k: number) => Math.min(MAX, BASE * 2 ** k);

type Answer = number | 'offline' | { status: number; headers?: Record<string, string> };

/** A collector answering from `script` (then 202), counting each report id it received. */
function endpoint(script: Answer[]) {
  const received = new Map<string, number>();
  const times: number[] = [];
  const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    times.push(Date.now());
    const step = script.shift() ?? 202;
    if (step === 'offline') throw new TypeError('Failed to fetch');
    const { status, headers } = typeof step === 'number' ? { status: step, headers: {} } : step;
    if (status === 202) for (const r of (JSON.parse(String(init!.body)) as { reports: Array<{ id: string }> }).reports) received.set(r.id, (received.get(r.id) ?? 0) + 1);
    return new Response(status === 202 ? '{}' : '{"error":{"code":"X"}}', { status, headers });
  }) as typeof globalThis.fetch;
  return { fetch, received, times };
}

const row = (i: number): OutboxRow => {
  const id = i.toString(16).padStart(32, '0');
  return { id, campaignId: 'c', campaignVersion: 1, epsilon: 1, queuedAt: i, report: { id, questionId: 'q', day: '2026-11-23', payload: 'AA' } };
};

let db: SdkDatabase;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date(MONDAY) });
  db = await openSdkDatabase(freshDbName());
  await db.put('outbox', row(1));
});
afterEach(() => {
  db.close();
  vi.useRealTimers();
});

/** A transport over `db`; `pick` chooses the jitter draw in [0, n) (recording each n). */
function transport(script: Answer[], pick?: (n: number) => number) {
  const net = endpoint(script);
  const events: TransportEvent[] = [];
  const bounds: number[] = [];
  const real = new RandomSampler(seededRandomSource('delivery-retry'));
  const sampler = {
    uniformInt: (n: number) => {
      bounds.push(n);
      return pick === undefined ? real.uniformInt(n) : pick(n);
    },
  } as unknown as RandomSampler;
  const t = new Transport(db, { collectorUrl: 'https://collector.test', fetch: net.fetch, sampler, flushIntervalMs: 60_000, batchSize: 100, baseBackoffMs: BASE, maxBackoffMs: MAX, onEvent: (e) => events.push(e) });
  const delays = () => events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
  return { t, net, events, bounds, delays };
}

/** Lets the transport's pending IndexedDB work and fetch continuations run (setImmediate is real). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** Fires the armed retry timer after exactly `ms`, checking nothing was sent one millisecond before. */
async function retryAfterExactly(net: { times: number[] }, ms: number) {
  const before = net.times.length;
  await vi.advanceTimersByTimeAsync(Math.max(0, ms - 1));
  await settle();
  expect(net.times.length, `no request before ${ms} ms`).toBe(before);
  await vi.advanceTimersByTimeAsync(1);
  await settle();
  expect(net.times.length, `the retry at ${ms} ms`).toBe(before + 1);
}

describe('jittered exponential backoff', () => {
  it('draws each delay uniformly from its window [0, min(max, base·2^k)], the windows doubling up to the cap', async () => {
    const failures = 10;
    const { t, net, bounds, delays } = transport(Array<Answer>(failures).fill('offline'));
    await t.flush();
    for (let k = 0; k < failures; k++) {
      const delay = delays()[k]!;
      expect(bounds[k], `retry ${k}: uniform over 0…window`).toBe(windowOf(k) + 1);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(windowOf(k));
      await retryAfterExactly(net, delay);
    }
    // The windows grew: 1 s, 2 s, 4 s, … then stayed at the 60 s cap.
    expect(bounds.map((n) => n - 1)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    expect(net.received.size).toBe(1);
  });

  it('reaches both ends of each window: the top draw waits the whole window, the bottom draw retries at once (full jitter)', async () => {
    const top = transport(['offline', 'offline', 'offline', 'offline'], (n) => n - 1);
    await top.t.flush();
    for (let k = 0; k < 4; k++) await retryAfterExactly(top.net, windowOf(k));
    expect(top.delays()).toEqual([1_000, 2_000, 4_000, 8_000]);
    top.t.stop();

    await db.put('outbox', row(2));
    const bottom = transport(['offline', 'offline'], () => 0);
    await bottom.t.flush();
    expect(bottom.delays()).toEqual([0]);
  });

  it('starts again from the base window after a success', async () => {
    const { t, net, bounds } = transport(['offline', 'offline', 202, 'offline'], (n) => n - 1);
    await t.flush();
    await retryAfterExactly(net, 1_000);
    await retryAfterExactly(net, 2_000); // acknowledged
    await db.put('outbox', row(2));
    await t.flush(); // offline again: back to the first window
    expect(bounds.map((n) => n - 1)).toEqual([1_000, 2_000, 1_000]);
  });
});

describe('Retry-After', () => {
  it('waits the seconds a 503 asks for before the actual retry, though the backoff window is far shorter', async () => {
    const { t, net, delays } = transport([{ status: 503, headers: { 'retry-after': '120' } }], () => 0);
    await t.flush();
    expect(delays()).toEqual([120_000]);
    await retryAfterExactly(net, 120_000);
    expect(net.received.size).toBe(1);
  });

  it('waits until the HTTP-date a 429 names', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    const { t, net, delays } = transport([{ status: 429, headers: { 'retry-after': at } }], () => 0);
    await t.flush();
    expect(delays()).toEqual([90_000]);
    await retryAfterExactly(net, 90_000);
  });

  it('keeps the backoff when Retry-After asks for less, and ignores a malformed one', async () => {
    const { t, net, delays } = transport([{ status: 503, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': 'soon' } }], (n) => n - 1);
    await t.flush();
    await retryAfterExactly(net, 1_000);
    await retryAfterExactly(net, 2_000);
    expect(delays()).toEqual([1_000, 2_000]);
  });
});

describe('which answers are retried', () => {
  it.each([400, 401, 403, 404, 413, 422])('never retries a batch refused with %i: dropped at once, with an event', async (status) => {
    const { t, net, events } = transport([status]);
    expect(await t.flush()).toEqual({ sent: 0, dropped: 1, pending: 0 });
    expect(events).toEqual([expect.objectContaining({ type: 'dropped', status, reports: 1 })]);
    // No retry is armed: nothing more is sent however long the page stays open.
    await vi.advanceTimersByTimeAsync(100 * MAX);
    await settle();
    expect(net.times).toHaveLength(1);
    expect(await db.count('outbox')).toBe(0);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %i, keeping the batch queued until it is acknowledged', async (status) => {
    const { t, net } = transport([status], (n) => n - 1);
    expect(await t.flush()).toEqual({ sent: 0, dropped: 0, pending: 1 });
    expect(await db.count('outbox')).toBe(1);
    await retryAfterExactly(net, BASE);
    expect(await db.count('outbox')).toBe(0);
    expect([...net.received.values()]).toEqual([1]);
  });
});

describe('a reload between a send and its acknowledgement', () => {
  it('resends the report with the same id after the restart; the collector counts it once', async () => {
    vi.useRealTimers();
    const dbName = freshDbName();
    // The collector receives the batch, but the 202 never reaches the worker: the page is reloaded first.
    const counted = new Map<string, number>();
    const bodies: string[] = [];
    let received!: () => void;
    const arrived = new Promise<void>((r) => (received = r));
    const receive = (body: string) => {
      bodies.push(body);
      let fresh = 0;
      for (const { id } of (JSON.parse(body) as { reports: Array<{ id: string }> }).reports) {
        if (!counted.has(id)) fresh++;
        counted.set(id, (counted.get(id) ?? 0) + 1);
      }
      return fresh;
    };
    const hanging = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      receive(String(init!.body));
      received();
      return new Promise<Response>(() => undefined);
    }) as typeof fetch;
    const config = { collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 600_000 };
    const before = createWorkerApi({ fetch: hanging, random: seededRandomSource('reload-a'), now: () => new Date(MONDAY) });
    expect((await before.init(config)).ok).toBe(true);
    await before.optIn();
    const queued = await before.report('fever', true);
    if (!queued.ok) throw new Error(queued.error.message);
    void before.flush();
    await arrived;
    before.close(); // the worker is gone before the acknowledgement

    const acking = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      const fresh = receive(String(init!.body));
      return new Response(JSON.stringify({ accepted: fresh, duplicates: 1 - fresh }), { status: 202 });
    }) as typeof fetch;
    const after = createWorkerApi({ fetch: acking, random: seededRandomSource('reload-b'), now: () => new Date(MONDAY) });
    expect((await after.init(config)).ok).toBe(true);
    expect(await after.flush()).toMatchObject({ ok: true, value: { sent: 1, pending: 0 } });
    expect(await after.flush()).toMatchObject({ ok: true, value: { sent: 0 } });
    after.close();
    // Sent twice with the same id, counted once by id (the collector's deduplication).
    const ids = bodies.map((b) => (JSON.parse(b) as { reports: Array<{ id: string }> }).reports.map((r) => r.id));
    expect(ids).toEqual([[queued.value.reportId], [queued.value.reportId]]);
    expect([...counted.keys()]).toEqual([queued.value.reportId]);
  });
});
