/**
 * Delivery of the outbox: on a schedule (never at the moment an answer is given, so the time of a
 * request says nothing about when a patient answered), in batches, as `text/plain` JSON (a "simple"
 * CORS request: no preflight). Rows leave the outbox only after the collector acknowledged them
 * (2xx) or refused them for good (4xx other than 429, raised as a `dropped` event). Network errors,
 * 5xx and 429 keep the rows and retry with full-jitter exponential backoff (AWS architecture blog,
 * "Exponential Backoff and Jitter"), honouring `Retry-After`. A report keeps its random id across
 * retries, so the collector counts it once.
 */
import { RandomSampler } from '@practical-privacy/core';
import type { SdkDatabase } from '../store/db.ts';
import { reportsUrl } from '../reports-url.ts';
import { prepareBatches, type PreparedBatch } from './batches.ts';

export interface TransportOptions {
  collectorUrl: string;
  ingestKey?: string;
  fetch: typeof fetch;
  sampler: RandomSampler;
  /** Delay from a report being queued to the upload attempt. */
  flushIntervalMs: number;
  batchSize: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  onEvent: (event: TransportEvent) => void;
}

export type TransportEvent =
  | { type: 'sent'; reports: number; accepted?: number; duplicates?: number }
  | { type: 'dropped'; status: number; reports: number; message: string }
  | { type: 'retry'; reason: string; delayMs: number };

export interface FlushResult {
  sent: number;
  dropped: number;
  pending: number;
}

export class Transport {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running: Promise<FlushResult> | undefined;
  private stopped = false;

  constructor(
    private readonly db: SdkDatabase,
    private readonly options: TransportOptions,
  ) {}

  /** Arms the timer for the next upload, unless one is armed already. */
  schedule(delayMs: number = this.options.flushIntervalMs): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends everything queued now. Concurrent calls share one run. */
  flush(): Promise<FlushResult> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The batches a page-hide beacon would send (the outbox is not changed). */
  async pendingBatches(): Promise<PreparedBatch[]> {
    return prepareBatches(await this.db.getAllFromIndex('outbox', 'byQueuedAt'), this.options.batchSize);
  }

  private async run(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, dropped: 0, pending: 0 };
    const batches = await this.pendingBatches();
    for (let i = 0; i < batches.length; i++) {
      // Opt-out stops delivery at once, even in the middle of a run.
      if (this.stopped) break;
      const batch = batches[i]!;
      const outcome = await this.post(batch);
      if (outcome.kind === 'retry') {
        result.pending = batches.slice(i).reduce((n, b) => n + b.ids.length, 0);
        this.retryLater(outcome.reason, outcome.retryAfterMs);
        return result;
      }
      const tx = this.db.transaction('outbox', 'readwrite');
      await Promise.all([...batch.ids.map((id) => tx.store.delete(id)), tx.done]);
      if (outcome.kind === 'sent') result.sent += batch.ids.length;
      else result.dropped += batch.ids.length;
    }
    this.attempt = 0;
    return result;
  }

  private async post(batch: PreparedBatch): Promise<{ kind: 'sent' | 'dropped' } | { kind: 'retry'; reason: string; retryAfterMs?: number }> {
    let response: Response;
    try {
      response = await this.options.fetch(reportsUrl(this.options.collectorUrl, this.options.ingestKey), {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: batch.body,
        credentials: 'omit',
        keepalive: batch.body.length < 60_000,
      });
    } catch {
      return { kind: 'retry', reason: 'network error' };
    }
    if (response.ok) {
      const ack = (await response.json().catch(() => ({}))) as { accepted?: number; duplicates?: number };
      this.options.onEvent({ type: 'sent', reports: batch.ids.length, ...pickCounts(ack) });
      return { kind: 'sent' };
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return retryAfterMs === undefined ? { kind: 'retry', reason: `HTTP ${response.status}` } : { kind: 'retry', reason: `HTTP ${response.status}`, retryAfterMs };
    }
    const message = (await response.text().catch(() => '')).slice(0, 500);
    this.options.onEvent({ type: 'dropped', status: response.status, reports: batch.ids.length, message });
    return { kind: 'dropped' };
  }

  private retryLater(reason: string, retryAfterMs?: number): void {
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    // Full jitter: uniform in [0, ceiling], drawn from the CSPRNG (never Math.random).
    const jittered = this.options.sampler.uniformInt(Math.max(1, Math.floor(ceiling)) + 1);
    const delayMs = Math.max(jittered, retryAfterMs ?? 0);
    this.options.onEvent({ type: 'retry', reason, delayMs });
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(delayMs);
  }
}

function pickCounts(ack: { accepted?: number; duplicates?: number }): { accepted?: number; duplicates?: number } {
  const out: { accepted?: number; duplicates?: number } = {};
  if (typeof ack.accepted === 'number') out.accepted = ack.accepted;
  if (typeof ack.duplicates === 'number') out.duplicates = ack.duplicates;
  return out;
}

/** Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
