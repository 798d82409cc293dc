/**
 * The server's periodic maintenance (hourly by default, and once at start):
 * - report ids of days older than the report window + 2 days are deleted — they are needed only
 *   while a retry could still be accepted — and raw payloads (PP_KEEP_RAW_REPORTS) past their
 *   retention;
 * - for each campaign with a retention setting, aggregate day cells older than it are deleted,
 *   with one `retention.delete` audit row per campaign (repository.applyRetention).
 * Runs never overlap: a tick that finds the previous run still going is skipped. The clock and
 * the interval are injected so that tests drive the running server's own timer.
 */
import { utcDay } from '@practical-privacy/core';
import type { FastifyBaseLogger } from 'fastify';
import { minimumRetentionDays } from './operations/retention.ts';
import type { Repository, RetentionDeletion } from './storage/repository.ts';

const DAY_MS = 86_400_000;
export const MAINTENANCE_INTERVAL_MS = 3_600_000;

export interface MaintenanceOptions {
  repository: Repository;
  reportWindowDays: number;
  rawRetentionDays: number;
  now: () => Date;
  intervalMs?: number;
  log: FastifyBaseLogger;
}

export interface MaintenanceResult {
  ids: number;
  raw: number;
  retention: RetentionDeletion[];
}

export class Maintenance {
  /** Completed runs (failed ones included). */
  runs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<MaintenanceResult | undefined> | undefined;
  private waiters: Array<{ runs: number; resolve: () => void }> = [];

  constructor(private readonly options: MaintenanceOptions) {}

  /** Runs once now, then every interval. The timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves once `runs` runs have completed (tests wait on the timer with it instead of sleeping). */
  afterRuns(runs: number): Promise<void> {
    if (this.runs >= runs) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ runs, resolve }));
  }

  private async tick(): Promise<void> {
    if (this.running !== undefined) return;
    this.running = this.runOnce().catch((error: unknown) => {
      this.options.log.warn({ err: { message: (error as Error).message } }, 'maintenance failed');
      return undefined;
    });
    await this.running;
    this.running = undefined;
    this.runs += 1;
    const ready = this.waiters.filter((w) => w.runs <= this.runs);
    this.waiters = this.waiters.filter((w) => w.runs > this.runs);
    for (const w of ready) w.resolve();
  }

  async runOnce(): Promise<MaintenanceResult> {
    const { repository, reportWindowDays, rawRetentionDays, log } = this.options;
    const now = this.options.now();
    const ms = now.getTime();
    const purged = await repository.purge({
      idsBeforeDay: utcDay(new Date(ms - (reportWindowDays + 2) * DAY_MS)),
      rawBeforeDay: utcDay(new Date(ms - rawRetentionDays * DAY_MS)),
    });
    if (purged.ids > 0 || purged.raw > 0) log.info(purged, 'retention purge of report ids');
    const retention = await repository.applyRetention({ today: utcDay(now), minDays: minimumRetentionDays(reportWindowDays), at: now.toISOString() });
    for (const deleted of retention) log.info(deleted, 'aggregate retention: day cells deleted');
    return { ...purged, retention };
  }
}
