/**
 * Delivery of the outbox: on a schedule (never at the moment an answer is given, so the time of a
 * request says nothing about when a patient answered), in batches, as `text/plain` JSON (a "simple"
 * CORS request: no preflight). Rows leave the outbox only after the collector acknowledged them
 * (2xx) or refused them for good (4xx other than 408 and 429, raised as a `dropped` event; a 409/410
 * `CAMPAIGN_CLOSED` drops every queued report of that campaign, raised as `closed`). Network
 * errors, 5xx, 408 and 429 keep the rows and retry with full-jitter exponential backoff (AWS
 * architecture blog, "Exponential Backoff and Jitter": delay uniform in [0, min(max, base·2^k)]),
 * never sooner than `Retry-After` asks. A report keeps its random id across retries and restarts,
 * so the collector counts it once (test/delivery-retry.test.ts).
 */
import { RandomSampler } from '@practical-privacy/core';
import { reportsUrl } from '../reports-url.ts';
import type { OutboxRow, SdkDatabase as Db } from '../store/db.ts';
import { forgetCampaign, isCampaignClosed } from '../store/campaign-cache.ts';
import { entryOf, prepareBatches, type Entry, type PreparedBatch } from './batches.ts';

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
  | {
      type: 'sent';
      reports: number;
      accepted?: number;
      duplicates?: number;
      /** Issue 17: reports of a token campaign the collector refused one by one (their token), with its codes. They leave the outbox: a retry would be refused again. */
      refused?: number;
      refusals?: Array<{ id: string; code: string }>;
    }
  | { type: 'dropped'; status: number; reports: number; message: string }
  | { type: 'retry'; reason: string; delayMs: number }
  /** The collector says the campaign is closed: every queued report of it was dropped (`reports`), and report() refuses from now on. */
  | { type: 'closed'; campaignId: string; reports: number };

export interface FlushResult {
  sent: number;
  dropped: number;
  pending: number;
}

/** The page-hide bodies and their version: every build gets a new, larger one (per worker). */
export interface Pending {
  version: number;
  bodies: string[];
}

let builds = 0;

export class Transport {
  /**
   * The page-hide cache, so report() need not re-read and re-serialize the whole outbox: this
   * worker's mirror of the outbox, each row with its serialized report, and the bodies built from
   * it (rebuilt only after a change). The mirror is the outbox as last read from IndexedDB — loaded
   * on first use, and re-read at the start of every upload (which reads the outbox anyway) — plus
   * what this worker queued or removed since. Rows another tab queues or uploads in between are
   * missing or left over until this worker's next upload: its page-hide beacon may omit the former
   * (that tab beacons its own, and uploads read the outbox, so they are delivered) or resend the
   * latter (the collector deduplicates by report id).
   */
  private mirror: Map<string, Entry> | undefined;
  private loading: Promise<void> | undefined;
  private built: Pending | undefined;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running: Promise<FlushResult> | undefined;
  private stopped = false;

  /** `db` undefined: the patient opted out and the database was deleted — nothing is queued or sent. */
  constructor(
    private readonly db: Db | undefined,
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

  /** The batches in the outbox now (read from IndexedDB; the outbox is not changed). */
  async pendingBatches(): Promise<PreparedBatch[]> {
    return prepareBatches(this.db === undefined ? [] : await this.db.getAllFromIndex('outbox', 'byQueuedAt'), this.options.batchSize);
  }

  /** The bodies a page-hide beacon would send, from the mirror (in outbox order: queuedAt, then id). */
  async pending(): Promise<Pending> {
    if (this.mirror === undefined) await this.load();
    if (this.built !== undefined) return this.built;
    const entries = [...this.mirror!.values()].sort((a, b) => a.row.queuedAt - b.row.queuedAt || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    return (this.built = { version: ++builds, bodies: prepareBatches(entries, this.options.batchSize).map((b) => b.body) });
  }

  /**
   * A row this worker has just committed to the outbox. A read that began before the commit has
   * already updated the mirror (see read()); without a mirror yet, the first read will see the row.
   */
  queued(row: OutboxRow): void {
    if (this.mirror === undefined) return;
    this.mirror.set(row.id, entryOf(row));
    this.built = undefined;
  }

  private load(): Promise<void> {
    return (this.loading ??= this.read().then(
      () => {
        this.loading = undefined;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    ));
  }

  /**
   * Reads the outbox and makes the mirror equal to it, in the read's own continuation (no await
   * between). IndexedDB starts transactions over the same store in creation order, a write only
   * when earlier ones have finished and a read only after earlier writes (IndexedDB 3.0,
   * "Transaction scheduling"; w3c/IndexedDB#319): so a read that began before a commit or delete
   * has updated the mirror before that write lands, and queued() / run() apply the write after it.
   */
  private async read(): Promise<OutboxRow[]> {
    const rows = this.db === undefined ? [] : await this.db.getAllFromIndex('outbox', 'byQueuedAt');
    const mirror = (this.mirror ??= new Map());
    const ids = new Set<string>();
    let changed = false;
    for (const row of rows) {
      ids.add(row.id);
      if (!mirror.has(row.id)) {
        mirror.set(row.id, entryOf(row));
        changed = true;
      }
    }
    for (const id of mirror.keys()) {
      if (!ids.has(id)) {
        mirror.delete(id);
        changed = true;
      }
    }
    if (changed) this.built = undefined;
    return rows;
  }

  private async run(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, dropped: 0, pending: 0 };
    const rows = await this.read();
    const mirror = this.mirror!;
    // The mirror's entries: each row is serialized once, whether it is beaconed, uploaded or both.
    const batches = prepareBatches(
      rows.map((row) => mirror.get(row.id) ?? row),
      this.options.batchSize,
    );
    for (let i = 0; i < batches.length; i++) {
      // Opt-out stops delivery at once, even in the middle of a run.
      if (this.stopped) break;
      const batch = batches[i]!;
      // A batch of a campaign closed earlier in this run: its rows were dropped with the rest.
      const first = mirror.get(batch.ids[0]!);
      if (first === undefined) continue;
      const outcome = await this.post(batch);
      if (outcome.kind === 'retry') {
        result.pending = batches.slice(i).reduce((n, b) => n + b.ids.length, 0);
        this.retryLater(outcome.reason, outcome.retryAfterMs);
        return result;
      }
      if (outcome.kind === 'closed') {
        const { campaignId } = first.row;
        const reports = await forgetCampaign(this.db, campaignId);
        for (const [id, entry] of mirror) if (entry.row.campaignId === campaignId) mirror.delete(id);
        this.built = undefined;
        result.dropped += reports;
        this.options.onEvent({ type: 'closed', campaignId, reports });
        continue;
      }
      await this.remove(batch.ids);
      for (const id of batch.ids) this.mirror!.delete(id);
      this.built = undefined;
      // Raised once the rows are gone, so a listener that asks for the page-hide bodies gets them without.
      this.options.onEvent(outcome.event);
      if (outcome.kind === 'sent') result.sent += batch.ids.length;
      else result.dropped += batch.ids.length;
    }
    this.attempt = 0;
    return result;
  }

  /**
   * Removes acknowledged rows. A transport stopped because the database is being deleted (an
   * opt-out here or in another tab) finds its connection closed: the rows go with the database.
   */
  private async remove(ids: string[]): Promise<void> {
    try {
      const tx = this.db!.transaction('outbox', 'readwrite');
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    } catch (error) {
      if (!(this.stopped && (error as Error | undefined)?.name === 'InvalidStateError')) throw error;
    }
  }

  private async post(batch: PreparedBatch): Promise<{ kind: 'sent' | 'dropped'; event: TransportEvent } | { kind: 'closed' } | { kind: 'retry'; reason: string; retryAfterMs?: number }> {
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
      const ack = (await response.json().catch(() => ({}))) as Ack;
      return { kind: 'sent', event: { type: 'sent', reports: batch.ids.length, ...pickCounts(ack) } };
    }
    // 408: the server timed the request out and invites a repeat (RFC 9110 §15.5.9).
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return retryAfterMs === undefined ? { kind: 'retry', reason: `HTTP ${response.status}` } : { kind: 'retry', reason: `HTTP ${response.status}`, retryAfterMs };
    }
    const message = (await response.text().catch(() => '')).slice(0, 500);
    if (isCampaignClosed(response.status, parseJson(message))) return { kind: 'closed' };
    return { kind: 'dropped', event: { type: 'dropped', status: response.status, reports: batch.ids.length, message } };
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Ack = { accepted?: number; duplicates?: number; refused?: number; reports?: Array<{ id?: unknown; status?: unknown; code?: unknown }> };

function pickCounts(ack: Ack): { accepted?: number; duplicates?: number; refused?: number; refusals?: Array<{ id: string; code: string }> } {
  const out: ReturnType<typeof pickCounts> = {};
  if (typeof ack.accepted === 'number') out.accepted = ack.accepted;
  if (typeof ack.duplicates === 'number') out.duplicates = ack.duplicates;
  // Issue 17: the per-report answer of a campaign with tokens (absent for every other campaign).
  if (typeof ack.refused === 'number') out.refused = ack.refused;
  if (Array.isArray(ack.reports)) out.refusals = ack.reports.filter((r) => r.status === 'refused').map((r) => ({ id: String(r.id), code: String(r.code) }));
  return out;
}

/** Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
