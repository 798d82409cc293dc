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

/**
 * Which privacy level a report uses, and why (questions whose campaign lists `levels`, issue 14
 * §2). Read from the patient's stored choice and the app's caps — never from an answer.
 */
export interface LevelFacts {
  /** ε₁ of the level the report uses. */
  level: number;
  /** ε₁ of the campaign's default level (its `epsilon`). */
  defaultLevel: number;
  /** ε₁ of the question's strictest level. */
  strictestLevel: number;
  /** 'default': the campaign's level; 'more-private': the patient chose more privacy; 'stepped-down': lowered to fit the app's caps; 'assigned': drawn at random by the campaign for each report. */
  reason: 'default' | 'more-private' | 'stepped-down' | 'assigned';
}

/**
 * The figures behind a question's explanation and a receipt (the facade words them, src/explain-text.ts):
 * the same for every patient who has made the same reports with the same privacy choice, whatever the answers.
 */
export interface AccountFacts {
  campaignId: string;
  questionId: string;
  mechanism: string;
  /** The mechanism's own description (core's `describe().summary`, English; the `detailsMechanism` message may replace it). */
  mechanismSummary: string;
  /** ε₁: what one report reveals at most. */
  epsilonPerReport: number;
  /** ε∞ of a two-level question (what all reports of one answer reveal at most); RAPPOR's ε∞; else ε₁. */
  permanentEpsilon: number;
  /** Two-level questions: ε of each report's fresh noise, which alone protects whether an answer changed. */
  instantaneousEpsilon?: number;
  /** D: reports charged ε∞ (two-level questions); undefined when every report is charged. */
  chargedReports?: number;
  /** The most this question can ever cost (D·ε∞), or Infinity when charged per report. */
  lifetimeBound: number;
  /** ε this question has cost so far, and what one more report adds. */
  spent: number;
  nextCharge: number;
  truthProbability: number;
  /** ε the campaign has cost this device over its lifetime, and the app's lifetime cap. */
  totalSpent: number;
  totalLimit: number;
  persistent: boolean;
  /** Questions with privacy levels: the level and why. */
  level?: LevelFacts;
}

/** What the facade shows behind "details": the figures, and the technical sentences in the app's language. */
export interface Details extends AccountFacts {
  text: string;
}

/** The same for every patient who has made the same reports with the same privacy choice, whatever the answers (no `memoized`). */
export interface Receipt {
  reportId: string;
  /** ε this report was charged (worker/charges.ts). */
  epsilonSpent: number;
  remaining: Spent;
  persistent: boolean;
  /** Plain words for the patient (no symbols, no figures): the privacy level and the loss so far, in the app's language. */
  explanation: string;
  /** The figures behind it (ε, the level, the limits) and their technical wording. */
  details: Details;
  /** Questions with privacy levels: the ε₁ level this report used (the patient's choice, the default, or stepped down within the caps). */
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

/** What the worker's report() answers: the receipt's figures, and the page-hide bodies after it was queued (the facade words the receipt and keeps the bodies). */
export interface ReportResult extends Omit<Receipt, 'explanation' | 'details'> {
  facts: AccountFacts;
  pending?: Pending;
}

/** What the worker's explain() answers; the facade adds `text` and `details`. */
export interface ExplanationFacts extends Availability {
  questionId: string;
  facts: AccountFacts;
  remaining: Spent;
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
  /** Questions with privacy levels: the ε₁ level the next report uses. */
  level?: number;
  /** Plain words for the patient (no symbols, no figures): what scrambling does, the privacy level and the loss so far, in the app's language. */
  text: string;
  /** The figures behind it and their technical wording (ε, the level, the limits). */
  details: Details;
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

