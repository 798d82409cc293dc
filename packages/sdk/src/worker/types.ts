/**
 * The worker API's public shapes: its configuration, receipts, explanations and budget. Every
 * figure in them is read from the ledger or the mechanism, never from an answer (issue 13 §2).
 */
import type { RandomSource, Tier } from '@practical-privacy/core';
import type { Caps, CapsInput } from '../caps.ts';
import type { Deletion } from '../store/connection.ts';
import type { Availability, Spent } from '../store/ledger.ts';
import type { Pending } from './transport.ts';

export interface WorkerConfig {
  collectorUrl: string;
  /** The campaign's publishable ingest key, if the collector requires one (sent as `?key=`). */
  ingestKey?: string;
  /** A campaign defined in code (validated here) … */
  campaign?: unknown;
  /** … or fetched from `${collectorUrl}/v1/campaigns/${campaignId}` (or `campaignUrl`). */
  campaignId?: string;
  campaignUrl?: string;
  /** How long the campaign fetch may take before the collector counts as unreachable (the cached copy is used, if any): 10 s. */
  campaignTimeoutMs?: number;
  caps?: CapsInput;
  /**
   * The app's tier for each question id (picks its cap). For a fetched campaign an unpinned question
   * is held to `restricted` unless `trustServerTiers`; a declared tier laxer than the pin is refused.
   */
  tiers?: Record<string, Tier>;
  /** Let a fetched campaign's declared tiers decide for questions not in `tiers` (off by default). */
  trustServerTiers?: boolean;
  dbName?: string;
  /** How long optOut() waits for other connections to the database to close before it answers `blocked` (5 s). */
  eraseTimeoutMs?: number;
  debug?: boolean;
  /** Whether navigator.storage.persist() was granted (the facade asks). */
  persistent?: boolean;
  flushIntervalMs?: number;
  batchSize?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The same for every patient who has made the same reports, whatever the answers (no `memoized`). */
export interface Receipt {
  reportId: string;
  /** ε this report was charged (worker/charges.ts). */
  epsilonSpent: number;
  remaining: Spent;
  persistent: boolean;
  explanation: string;
  /** Questions with privacy levels: the ε₁ level this report used (the patient's choice or the highest within the caps). */
  level?: number;
}

/**
 * What optOut() did. Either way the refusal is recorded and every row (device secret, ledger,
 * outbox) is erased. `database`: `deleted` — the database itself is gone; `blocked` — another
 * connection kept it open for `eraseTimeoutMs` (a tab running an older SDK, or app code that opened
 * it): the deletion stays requested, runs when that connection closes, and is requested again at
 * the next start-up.
 */
export interface OptOutResult {
  database: Deletion;
}

/** What the worker's report() answers: the receipt, and the page-hide bodies after it was queued (the facade keeps them and returns the receipt alone). */
export interface ReportResult extends Receipt {
  pending?: Pending;
}

export interface Explanation extends Availability {
  questionId: string;
  mechanism: string;
  /** ε₁: what one report reveals at most. */
  epsilonPerReport: number;
  /** ε∞ of a two-level question (what all reports of one answer reveal at most); RAPPOR's ε∞; else ε₁. */
  permanentEpsilon: number;
  /** D: reports charged ε∞ (two-level questions); undefined when every report is charged. */
  chargedReports?: number;
  /** The most this question can ever cost (D·ε∞), or Infinity when charged per report. */
  lifetimeBound: number;
  /** ε this question has cost so far, and what one more report adds. */
  spent: number;
  nextCharge: number;
  truthProbability: number;
  remaining: Spent;
  persistent: boolean;
  text: string;
}

export interface BudgetLine {
  campaignId: string;
  questionId: string;
  window: string;
  spent: number;
}

export interface BudgetSummary {
  caps: Caps;
  spent: Spent;
  remaining: Spent;
  /** ε spent across every campaign on this device. */
  deviceSpent: number;
  lines: BudgetLine[];
  /** Per question of the campaign: when it can next be answered. */
  questions: Array<Availability & { questionId: string; spent: number; nextCharge: number; lifetimeBound: number }>;
}

export interface WorkerDeps {
  fetch?: typeof fetch;
  random?: RandomSource;
  now?: () => Date;
  log?: (message: string) => void;
}

