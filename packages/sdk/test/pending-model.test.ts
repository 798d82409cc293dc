/**
 * Model-based test of the page-hide cache (fast-check): under any sequence of reports, uploads
 * (2xx, 4xx drop, 5xx / network retry), flushes, opt-out / opt-in and worker restarts (a new
 * createWorkerApi over the same IndexedDB), the bodies the worker answers with — report()'s
 * `pending` and pendingBodies() — equal what a full re-read of the outbox gives
 * (Transport.pendingBatches), none without consent, and their version grows whenever they change.
 * A second tab on the same database is checked in its own test below: its rows are delivered, and
 * the cache catches up at the next upload.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomSource, RandomSampler } from '@practical-privacy/core';
import { campaign, freshDbName, MONDAY } from './fixtures.ts';
import { createWorkerApi, type WorkerConfig } from '../src/worker/api.ts';
import { openSdkDatabase } from '../src/store/db.ts';
import { Transport, type Pending } from '../src/worker/transport.ts';

type Outcome = 202 | 400 | 503 | 'offline';
type Step =
  | { kind: 'report'; question: number; answer: number }
  | { kind: 'upload'; outcome: Outcome }
  | { kind: 'optOut' }
  | { kind: 'optIn' }
  | { kind: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('report' as const), question: fc.integer({ min: 0, max: 5 }), answer: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('upload' as const), outcome: fc.constantFrom<Outcome>(202, 400, 503, 'offline') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'optOut' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'optIn' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

/** A valid answer of each fixture question, varied by `n`. */
function answerOf(question: number, n: number): [string, unknown] {
  const q = campaign.questions[question]!;
  switch (q.type) {
    case 'boolean':
      return [q.id, n % 2 === 0];
    case 'categorical':
      return [q.id, ['headache', 'fatigue', 'none'][n % 3]];
    case 'multiselect':
      return [q.id, [['a'], ['b', 'c'], []][n % 3]];
    case 'numeric':
      return [q.id, n];
    default:
      return [q.id, ['flu', 'migraine', 'ibuprofène'][n % 3]];
  }
}

/** Uploads answer with the outcome the test sets; the collector acknowledges (202) by report id. */
function scriptedNet() {
  const net = { outcome: 202 as Outcome, delivered: new Set<string>(), sentBodies: [] as string[] };
  const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = String(init?.body);
    net.sentBodies.push(body);
    if (net.outcome === 'offline') throw new TypeError('Failed to fetch');
    if (net.outcome === 202) for (const r of (JSON.parse(body) as { reports: Array<{ id: string }> }).reports) net.delivered.add(r.id);
    return new Response(net.outcome === 202 ? '{}' : '{"error":"x"}', { status: net.outcome });
  }) as typeof globalThis.fetch;
  return { net, fetch };
}

// Timers never fire during a run (uploads happen only when a step asks), so each check sees a settled state.
const config = (dbName: string, batchSize: number): WorkerConfig => ({
  collectorUrl: 'https://collector.test',
  campaign,
  dbName,
  batchSize,
  caps: { perDay: 1e9, perWeek: 1e9, lifetime: 1e9 },
  flushIntervalMs: 3_600_000,
  baseBackoffMs: 3_600_000,
  maxBackoffMs: 3_600_000,
});

/** What a full re-read of the outbox gives (the committed behaviour the cache replaces). */
async function reread(dbName: string, batchSize: number): Promise<string[]> {
  const db = await openSdkDatabase(dbName);
  const transport = new Transport(db, {
    collectorUrl: 'https://collector.test',
    fetch: globalThis.fetch,
    sampler: new RandomSampler(seededRandomSource('reread')),
    flushIntervalMs: 1,
    batchSize,
    baseBackoffMs: 1,
    maxBackoffMs: 1,
    onEvent: () => undefined,
  });
  const bodies = (await transport.pendingBatches()).map((b) => b.body);
  db.close();
  return bodies;
}

const value = <T,>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

describe('page-hide cache model', () => {
  it('equals a full re-read of the outbox after any sequence of reports, uploads, opt-out/in and restarts; none without consent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), async (steps, batchSize) => {
        const dbName = freshDbName();
        const { net, fetch } = scriptedNet();
        let day = 0;
        // One week per report, so every question (daily or weekly) can be answered again.
        const now = () => new Date(Date.parse(MONDAY) + day * 7 * 86_400_000);
        const start = async (seed: number) => {
          const api = createWorkerApi({ fetch, random: seededRandomSource(`model-${seed}`), now });
          value(await api.init(config(dbName, batchSize), () => undefined));
          return api;
        };
        let restarts = 0;
        let api = await start(restarts);
        let consent = false;
        let last: Pending | undefined;
        const queued = new Set<string>();
        // Reports erased by an opt-out, with how many requests had been sent by then.
        const erased = new Map<string, number>();
        const check = async (pending: Pending) => {
          expect(pending.bodies).toEqual(consent ? await reread(dbName, batchSize) : []);
          if (last !== undefined) {
            expect(pending.version).toBeGreaterThanOrEqual(last.version);
            if (JSON.stringify(pending.bodies) !== JSON.stringify(last.bodies)) expect(pending.version).toBeGreaterThan(last.version);
          }
          last = pending;
        };
        await check(value(await api.pendingBodies()));
        for (const s of steps) {
          if (s.kind === 'report') {
            day++;
            const [q, a] = answerOf(s.question, s.answer);
            const result = await api.report(q, a);
            expect(result.ok).toBe(consent);
            if (result.ok) {
              queued.add(result.value.reportId);
              await check(result.value.pending!);
            }
          } else if (s.kind === 'upload') {
            net.outcome = s.outcome;
            expect((await api.flush()).ok).toBe(consent);
          } else if (s.kind === 'optOut') {
            value(await api.optOut());
            for (const id of queued) if (!net.delivered.has(id) && !erased.has(id)) erased.set(id, net.sentBodies.length);
            consent = false;
          } else if (s.kind === 'optIn') {
            value(await api.optIn());
            consent = true;
          } else {
            api.close();
            api = await start(++restarts);
            // A new worker: its versions count afresh (the facade resets what it has seen).
            last = undefined;
          }
          await check(value(await api.pendingBodies()));
        }
        // Nothing is lost: with the network back, every report not erased by an opt-out is delivered.
        if (consent) {
          net.outcome = 202;
          value(await api.flush());
          value(await api.flush());
          await check(value(await api.pendingBodies()));
          for (const id of queued) if (!erased.has(id) && !net.sentBodies.some((b) => b.includes(id))) throw new Error(`report ${id} was never sent`);
        }
        // … and an erased report is never sent after its opt-out.
        for (const [id, sentBefore] of erased) expect(net.sentBodies.slice(sentBefore).some((b) => b.includes(id))).toBe(false);
        api.close();
      }),
      { numRuns: 40, seed: 20261124 },
    );
  }, 120_000);

  it('a second tab’s rows: its own bodies and uploads; the first tab’s uploads deliver them too, and its cache catches up', async () => {
    const dbName = freshDbName();
    const { net, fetch } = scriptedNet();
    let day = 0;
    const now = () => new Date(Date.parse(MONDAY) + day++ * 86_400_000);
    const a = createWorkerApi({ fetch, random: seededRandomSource('tab-a'), now });
    const b = createWorkerApi({ fetch, random: seededRandomSource('tab-b'), now });
    value(await a.init(config(dbName, 2)));
    value(await b.init(config(dbName, 2)));
    value(await a.optIn());
    const fromA = value(await a.report('fever', true));
    expect(value(await b.pendingBodies()).bodies).toEqual(await reread(dbName, 2)); // b's first read sees a's row
    const fromB = value(await b.report('pain', 3));
    // a's cache does not know b's row (b beacons it on its own page hide); b's knows both.
    expect(value(await a.pendingBodies()).bodies.join()).not.toContain(fromB.reportId);
    expect(fromB.pending!.bodies).toEqual(await reread(dbName, 2));
    // a's upload reads the outbox: b's row is delivered too, and a's cache matches the outbox again.
    net.outcome = 202;
    expect(value(await a.flush())).toMatchObject({ sent: 2 });
    expect([...net.delivered].sort()).toEqual([fromA.reportId, fromB.reportId].sort());
    expect(value(await a.pendingBodies()).bodies).toEqual([]);
    // b's cache still holds both (acknowledged: a beacon of them is counted once, by id) until b's next upload.
    const stale = value(await b.pendingBodies()).bodies.join();
    for (const id of [fromA.reportId, fromB.reportId]) expect(stale).toContain(id);
    expect(value(await b.flush())).toMatchObject({ sent: 0, dropped: 0 });
    expect(value(await b.pendingBodies()).bodies).toEqual([]);
    expect(net.sentBodies).toHaveLength(1);
    a.close();
    b.close();
  });
});
