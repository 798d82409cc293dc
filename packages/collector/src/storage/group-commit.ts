/**
 * Group commit for `Repository.ingest`, used by both stores. Batches handed over while the
 * previous group is being written (or, when nothing is being written, in the same turn of the
 * event loop) are written together by the store's `storeGroup` in one transaction: one WAL flush
 * for all of them, cell updates merged, and — for PostgreSQL — no two local transactions waiting
 * on each other's row locks of the same hot cells.
 *
 * Each caller's promise settles after that transaction, with its own batch's counts. When the
 * group's transaction fails, nothing of it was committed, and each batch is retried alone, so a
 * batch that cannot be stored is refused without taking the others down.
 */
import type { IngestResult, ReportContribution } from './repository.ts';

export interface IngestRequest {
  campaignId: string;
  version: number;
  reports: ReportContribution[];
}

interface Queued extends IngestRequest {
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** Writes `group` in one transaction; results in the order of `group`. */
export type StoreGroup = (group: readonly IngestRequest[]) => IngestResult[] | Promise<IngestResult[]>;

/** What one committed group held (metrics; the benchmark's storage ceiling replays groups of this size). */
export interface GroupCommitted {
  batches: number;
  reports: number;
}

export class GroupCommit {
  /** Told of every group committed as one transaction (not of batches retried alone after a failed group). */
  observer: ((group: GroupCommitted) => void) | undefined;
  private readonly queued: Queued[] = [];
  private running: Promise<void> | undefined;
  private scheduled = false;

  constructor(private readonly storeGroup: StoreGroup) {}

  submit(request: IngestRequest): Promise<IngestResult> {
    return new Promise<IngestResult>((resolve, reject) => {
      this.queued.push({ ...request, resolve, reject });
      if (this.running === undefined && !this.scheduled) {
        this.scheduled = true;
        // Wait for the end of this turn of the event loop, so that batches arriving together form one group.
        setImmediate(() => {
          this.scheduled = false;
          this.start();
        });
      }
    });
  }

  /** Resolves once everything queued so far is stored or refused (before closing the store). */
  async drain(): Promise<void> {
    while (this.running !== undefined || this.queued.length > 0) await (this.running ?? this.start());
  }

  private start(): Promise<void> {
    this.running ??= this.writeQueued().finally(() => {
      this.running = undefined;
      // A caller that awaited its result may have submitted again before this ran (it saw a write
      // still running, so it scheduled nothing): start on what it queued.
      if (this.queued.length > 0) void this.start();
    });
    return this.running;
  }

  private async writeQueued(): Promise<void> {
    while (this.queued.length > 0) await this.write(this.queued.splice(0));
  }

  private async write(group: Queued[]): Promise<void> {
    try {
      const results = await this.storeGroup(group);
      this.observer?.({ batches: group.length, reports: group.reduce((n, batch) => n + batch.reports.length, 0) });
      group.forEach((batch, i) => batch.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const batch of group) {
        try {
          batch.resolve((await this.storeGroup([batch]))[0]!);
        } catch (alone) {
          batch.reject(alone);
        }
      }
    }
  }
}

/** The reports of a group that belong to one campaign version, with the batch each came in. */
export interface GroupPart {
  campaignId: string;
  version: number;
  entries: Array<{ report: ReportContribution; batch: number }>;
}

/**
 * Splits a group by campaign version (parts in key order) and sorts each part's reports by id,
 * then by position in the group. Both stores write in this order: for PostgreSQL the id order is
 * the lock order every instance follows; for both, the rows of batches that arrived together are
 * interleaved in storage instead of sitting one device after another; and the first copy of an id
 * in the group is the one counted.
 */
export function partsInIdOrder(group: readonly IngestRequest[]): GroupPart[] {
  const parts = new Map<string, GroupPart>();
  group.forEach(({ campaignId, version, reports }, batch) => {
    const key = `${campaignId}\u0000${version}`;
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = { campaignId, version, entries: [] }));
    for (const report of reports) part.entries.push({ report, batch });
  });
  const ordered = [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, part]) => part);
  for (const part of ordered) part.entries.sort((a, b) => (a.report.id < b.report.id ? -1 : a.report.id > b.report.id ? 1 : a.batch - b.batch));
  return ordered;
}
