/**
 * Runs in Chromium. Exposes `window.ppBench`, which bench/sdk.ts calls chunk by chunk through
 * Playwright; every timing is taken here with performance.now() (the page is cross-origin isolated,
 * so its resolution is 5 µs rather than 100 µs).
 */
import { wrap, type Remote } from 'comlink';
import { createClient, type Client } from '../../src/index.ts';
import { answerFor, benchCampaign, QUESTIONS, type QuestionId } from './campaign.ts';
import type { WorkerApi } from '../../src/worker/api.ts';
import type { BaselineApi } from './baseline-worker.ts';

/** Caps high enough for thousands of reports per day; per-report tier caps stay the defaults. */
const caps = { perDay: 1e9, perWeek: 1e9, lifetime: 1e9, deviceLifetime: 1e9 };

const clients = new Map<string, Client>();
const reported = new Map<string, number>();
const events = { sent: 0, retry: 0, dropped: 0, closed: 0 };
let baseline: Remote<BaselineApi> | undefined;
const direct = new Map<string, { api: Remote<WorkerApi>; reported: number }>();

export interface ChunkResult {
  /** Latency of each report() by question id, in ms. */
  latencies: Record<string, number[]>;
  /** Wall time of the whole chunk, ms. */
  elapsedMs: number;
}

function client(name: string): Client {
  const c = clients.get(name);
  if (c === undefined) throw new Error(`no client ${name}`);
  return c;
}

const bench = {
  crossOriginIsolated: () => globalThis.crossOriginIsolated,

  /** Creates a client on its own database and opts in. */
  async setup(name: string, flushIntervalMs: number): Promise<void> {
    const c = await createClient({
      collectorUrl: location.origin,
      campaign: benchCampaign,
      caps,
      dbName: `pp-bench-${name}`,
      flushIntervalMs,
      // The SDK's worker with the bench's stepping clock (one UTC day per report; see clock.ts).
      createWorker: () => new Worker(new URL('./sdk-worker.ts', import.meta.url), { type: 'module' }),
      onEvent: (event) => void events[event.type]++,
    });
    await c.optIn();
    clients.set(name, c);
    reported.set(name, 0);
  },

  /**
   * `count` reports one after another (each awaited), cycling through the questions; or, with
   * `questionId`, all of one question.
   */
  async sequential(name: string, start: number, count: number, questionId?: QuestionId): Promise<ChunkResult> {
    const c = client(name);
    const latencies: Record<string, number[]> = {};
    const began = performance.now();
    for (let i = start; i < start + count; i++) {
      const id = questionId ?? QUESTIONS[i % QUESTIONS.length]!.id;
      const answer = answerFor(id, Math.floor(i / QUESTIONS.length));
      const t0 = performance.now();
      await c.report(id, answer);
      (latencies[id] ??= []).push(performance.now() - t0);
    }
    const elapsedMs = performance.now() - began;
    reported.set(name, reported.get(name)! + count);
    return { latencies, elapsedMs };
  },

  /** `count` reports with `inFlight` report() calls outstanding at any time. */
  async concurrent(name: string, start: number, count: number, inFlight: number): Promise<ChunkResult> {
    const c = client(name);
    const latencies: Record<string, number[]> = {};
    let next = start;
    const end = start + count;
    const lane = async () => {
      while (next < end) {
        const i = next++;
        const id = QUESTIONS[i % QUESTIONS.length]!.id;
        const t0 = performance.now();
        await c.report(id, answerFor(id, Math.floor(i / QUESTIONS.length)));
        (latencies[id] ??= []).push(performance.now() - t0);
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: inFlight }, lane));
    const elapsedMs = performance.now() - began;
    reported.set(name, reported.get(name)! + count);
    return { latencies, elapsedMs };
  },

  async baselineSetup(): Promise<void> {
    baseline = wrap<BaselineApi>(new Worker(new URL('./baseline-worker.ts', import.meta.url), { type: 'module' }));
    await baseline.open('pp-bench-baseline');
  },

  /** `count` baseline round trips (comlink → worker → one IndexedDB put), sequential or `inFlight` at a time. */
  async baseline(start: number, count: number, inFlight = 1): Promise<ChunkResult> {
    const b = baseline!;
    const latencies: number[] = [];
    let next = start;
    const end = start + count;
    const lane = async () => {
      while (next < end) {
        const i = next++;
        const t0 = performance.now();
        await b.put(i);
        latencies.push(performance.now() - t0);
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: inFlight }, lane));
    return { latencies: { baseline: latencies }, elapsedMs: performance.now() - began };
  },

  /** The worker API without the facade (api-worker.ts), on its own database, opted in. */
  async directSetup(name: string, flushIntervalMs: number): Promise<void> {
    const api = wrap<WorkerApi>(new Worker(new URL('./api-worker.ts', import.meta.url), { type: 'module' }));
    const init = await api.init({ collectorUrl: location.origin, campaign: benchCampaign, caps, dbName: `pp-bench-direct-${name}`, flushIntervalMs });
    if (!init.ok) throw new Error(`init: ${JSON.stringify(init)}`);
    await api.optIn();
    direct.set(name, { api, reported: 0 });
  },

  /**
   * The worker's report() (which answers with the page-hide bodies too: all the facade's report()
   * waits for), then a pendingBodies() round trip — what the facade asks after an upload or a flush,
   * answered from the transport's cache; each timed on its own.
   */
  async directSequential(name: string, start: number, count: number, questionId?: QuestionId): Promise<ChunkResult> {
    const d = direct.get(name)!;
    const w = d.api;
    const report: number[] = [];
    const bodies: number[] = [];
    const began = performance.now();
    for (let i = start; i < start + count; i++) {
      const id = questionId ?? QUESTIONS[i % QUESTIONS.length]!.id;
      const t0 = performance.now();
      const result = await w.report(id, answerFor(id, Math.floor(i / QUESTIONS.length)));
      const t1 = performance.now();
      if (!result.ok) throw new Error(`report: ${JSON.stringify(result)}`);
      await w.pendingBodies();
      bodies.push(performance.now() - t1);
      report.push(t1 - t0);
    }
    d.reported += count;
    return { latencies: { report, bodies }, elapsedMs: performance.now() - began };
  },

  /** Sends what the worker-API client has queued (until a round sends nothing). */
  async directFlush(name: string): Promise<void> {
    const d = direct.get(name)!;
    for (let round = 0; round < 10; round++) {
      const result = await d.api.flush();
      if (!result.ok) throw new Error(`flush: ${JSON.stringify(result)}`);
      if (result.value.sent === 0 && result.value.dropped === 0) break;
    }
  },

  async directFinish(name: string): Promise<number> {
    const d = direct.get(name)!;
    for (let round = 0; round < 10; round++) {
      const result = await d.api.flush();
      if (!result.ok) throw new Error(`flush: ${JSON.stringify(result)}`);
      if (result.value.sent === 0 && result.value.dropped === 0) break;
    }
    await d.api.close();
    return d.reported;
  },

  /** Sends what is queued; returns how many report() calls the client made, and its outbox. */
  async finish(name: string): Promise<{ reported: number; pendingAfterFlush: number; events: typeof events }> {
    const c = client(name);
    // A scheduled upload may be running (flush() then shares it and misses what was queued since):
    // flush until a round sends nothing.
    let pending = 0;
    for (let round = 0; round < 10; round++) {
      const result = await c.flush();
      pending = result.pending;
      if (result.sent === 0 && result.dropped === 0) break;
    }
    return { reported: reported.get(name)!, pendingAfterFlush: pending, events: { ...events } };
  },

  close(name: string): void {
    client(name).close();
    clients.delete(name);
  },
};

export type Bench = typeof bench;
(globalThis as unknown as { ppBench: Bench }).ppBench = bench;
