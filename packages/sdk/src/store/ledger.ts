/**
 * The on-device privacy-budget ledger. Sequential composition: the ε of every report is summed per
 * campaign over the UTC day, the week and the lifetime, and per question over the same windows.
 *
 * One report per question per period window: a question is reported at most once in each window
 * of its campaign `period` (the UTC day, or the ISO week from Monday). The question's own row for
 * that window is the record: while it exists, another report is refused with ALREADY_REPORTED. The
 * collector's per-day shuffle-amplified ε assumes it (one report of a question per device per day).
 *
 * `commitReport` is the one transaction for one decision: it re-reads the ledger, refuses a second
 * report in the window and a report that would pass a cap, debits the ledger, queues the report and
 * counts the report for a two-level question's charge rule — all inside one IndexedDB transaction with no other `await` inside (idb's first
 * warning: a non-IndexedDB await lets the transaction auto-commit half done). Either everything is
 * written or nothing is; two tabs racing are serialized by IndexedDB, so only one of them passes.
 *
 * A ledger row that is not a finite non-negative number means the ledger is corrupt: reporting then
 * fails closed (STORAGE_UNAVAILABLE) rather than assuming nothing was spent.
 */
import { PrivacyError, addDays, isoWeekStart } from '@practical-privacy/core';
import type { Caps } from '../caps.ts';
import { nextCharge, type ChargeRule } from '../worker/charges.ts';
import type { LedgerRow, OutboxRow, SdkDatabase } from './db.ts';

/** Campaign id of the device-wide rows (across campaigns), for `caps.deviceLifetime`. */
export const DEVICE_WIDE = '*';

export interface Spent {
  day: number;
  week: number;
  lifetime: number;
}

export interface Windows {
  day: string;
  week: string;
}

/** The UTC day's window and its week's window (weeks start on Monday, ISO 8601). */
export function windowsOf(day: string): Windows {
  return { day: `day:${day}`, week: `week:${isoWeekStart(day)}` };
}

export type Period = 'day' | 'week';

/** The first UTC day of the `period` window after the one that contains `day`. */
function nextWindowStart(period: Period, day: string): string {
  return period === 'day' ? addDays(day, 1) : addDays(isoWeekStart(day), 7);
}

export function ledgerKey(campaignId: string, questionId: string, window: string): string {
  return `${campaignId}|${questionId}|${window}`;
}

export type LedgerReader = { get(key: string): Promise<LedgerRow | undefined> };

export async function readSpent(store: LedgerReader, campaignId: string, day: string): Promise<Spent> {
  const w = windowsOf(day);
  const [d, wk, life] = await Promise.all([w.day, w.week, 'lifetime'].map((window) => store.get(ledgerKey(campaignId, '*', window))));
  return { day: spentOf(d), week: spentOf(wk), lifetime: spentOf(life) };
}

/** When a question can next be answered: once per window of its campaign `period` (UTC). */
export interface Availability {
  period: Period;
  /** Already reported in the current window: `report()` would be refused with ALREADY_REPORTED. */
  reportedThisPeriod: boolean;
  /** The first UTC day (YYYY-MM-DD) on which it can be reported: `day` itself when it can be now. */
  nextReportDay: string;
}

/**
 * Reads the question's own row for the window of its `period` that contains `day`: while it
 * exists, the question was reported there. A corrupt row throws STORAGE_UNAVAILABLE (fail closed).
 */
export async function availabilityOf(store: LedgerReader, campaignId: string, questionId: string, period: Period, day: string): Promise<Availability> {
  const row = await store.get(ledgerKey(campaignId, questionId, windowsOf(day)[period]));
  spentOf(row);
  return { period, reportedThisPeriod: row !== undefined, nextReportDay: row === undefined ? day : nextWindowStart(period, day) };
}

/** Plain words for the error and for `explain()`: "was already answered today; it can be answered again from …". */
export function answeredText(period: Period, next: string): string {
  return `was already answered ${period === 'day' ? 'today' : 'this week'}; it can be answered again from ${next} (UTC)`;
}

function corruptLedger(): PrivacyError {
  return new PrivacyError('STORAGE_UNAVAILABLE', 'accounting', 'the privacy-budget ledger is unreadable or corrupt; reporting is refused until the app resets it (opt out and in again)');
}

function spentOf(row: LedgerRow | undefined): number {
  if (row === undefined) return 0;
  if (typeof row !== 'object' || row === null || typeof row.spent !== 'number' || !Number.isFinite(row.spent) || row.spent < 0) throw corruptLedger();
  return row.spent;
}

/** How many reports a two-level question's rule window has counted (its `levels:` row). */
async function reportsCounted(store: LedgerReader, campaignId: string, questionId: string, rule: ChargeRule): Promise<number> {
  if (rule.kind !== 'permanent') return 0;
  const row = await store.get(ledgerKey(campaignId, questionId, rule.window));
  if (row === undefined) return 0;
  const reports = row.reports;
  if (typeof reports !== 'number' || !Number.isInteger(reports) || reports < 0) throw corruptLedger();
  return reports;
}

/** The charge of the question's next report: a function of the ledger only, never of the answer (worker/charges.ts). */
export async function chargeOfNext(store: LedgerReader, campaignId: string, questionId: string, rule: ChargeRule): Promise<{ charge: number; reports: number }> {
  const reports = await reportsCounted(store, campaignId, questionId, rule);
  return { charge: nextCharge(rule, reports), reports };
}

/** What the question has cost so far (its own lifetime row). */
export async function questionSpent(store: LedgerReader, campaignId: string, questionId: string): Promise<number> {
  return spentOf(await store.get(ledgerKey(campaignId, questionId, 'lifetime')));
}

/** ε spent on this device across every campaign (the device-wide cap's row). */
export async function deviceSpent(store: LedgerReader): Promise<number> {
  return spentOf(await store.get(ledgerKey(DEVICE_WIDE, '*', 'lifetime')));
}

export function remainingOf(spent: Spent, caps: Caps): Spent {
  return { day: caps.perDay - spent.day, week: caps.perWeek - spent.week, lifetime: caps.lifetime - spent.lifetime };
}

/** Throws BUDGET_EXCEEDED when charging `charge` would pass a day, week or lifetime cap. */
function checkAllowance(spent: Spent, charge: number, caps: Caps): void {
  const over = (['day', 'week', 'lifetime'] as const).find((w) => spent[w] + charge > capOf(caps, w) * (1 + 1e-12));
  if (over !== undefined) {
    throw new PrivacyError('BUDGET_EXCEEDED', 'accounting', `this report costs ε = ${charge}, but only ${Math.max(0, capOf(caps, over) - spent[over])} of the ${over} budget (${capOf(caps, over)}) is left`, { path: over });
  }
}

function capOf(caps: Caps, window: keyof Spent): number {
  return window === 'day' ? caps.perDay : window === 'week' ? caps.perWeek : caps.lifetime;
}

export interface Charge {
  campaignId: string;
  questionId: string;
  /** The question's campaign `period`: one report per window of it. */
  period: Period;
  day: string;
  /** How the report is charged (worker/charges.ts); the charge is read from the ledger by it. */
  rule: ChargeRule;
  caps: Caps;
}

export interface Debit extends Charge {
  outbox: OutboxRow;
}

/** What a check decided: what was spent before, and the charge of this report. */
export interface Decision {
  spent: Spent;
  charge: number;
  /** Reports the rule's window had counted before this one. */
  reports: number;
}

/**
 * The decision, read from the ledger: STORAGE_UNAVAILABLE when a row it reads is corrupt, then
 * ALREADY_REPORTED when the question was reported in this window of its period, then
 * BUDGET_EXCEEDED. Resolves with what was spent before. Run before computing anything, and again
 * inside the debit's transaction.
 */
export async function checkCharge(store: LedgerReader, c: Charge): Promise<Decision> {
  const spent = await readSpent(store, c.campaignId, c.day);
  const when = await availabilityOf(store, c.campaignId, c.questionId, c.period, c.day);
  if (when.reportedThisPeriod) throw new PrivacyError('ALREADY_REPORTED', 'accounting', `question ${c.questionId} ${answeredText(c.period, when.nextReportDay)}`, { path: 'questionId' });
  const { charge, reports } = await chargeOfNext(store, c.campaignId, c.questionId, c.rule);
  checkAllowance(spent, charge, c.caps);
  const device = await deviceSpent(store);
  if (device + charge > c.caps.deviceLifetime * (1 + 1e-12)) {
    throw new PrivacyError('BUDGET_EXCEEDED', 'accounting', `this report costs ε = ${charge}, but only ${Math.max(0, c.caps.deviceLifetime - device)} of this device's budget across campaigns (${c.caps.deviceLifetime}) is left`, { path: 'deviceLifetime' });
  }
  return { spent, charge, reports };
}

/**
 * Consent + check + debit + queue in ONE transaction. Resolves with what was spent after
 * the debit. Consent is read again here: an opt-out (in this tab or another) that erased the
 * database after report() checked it must not be followed by a queued report.
 */
export async function commitReport(db: SdkDatabase, debit: Debit): Promise<Decision> {
  const tx = db.transaction(['meta', 'ledger', 'outbox'], 'readwrite');
  const ledger = tx.objectStore('ledger');
  try {
    if ((await tx.objectStore('meta').get('consent')) !== true) throw new PrivacyError('CONSENT_REQUIRED', 'runtime', 'the patient has opted out: nothing is computed, stored or sent');
    const decision = await checkCharge(ledger, debit);
    const { spent, charge } = decision;
    const w = windowsOf(debit.day);
    const rows: Array<[string, string]> = [
      ['*', w.day],
      ['*', w.week],
      ['*', 'lifetime'],
      [debit.questionId, w.day],
      [debit.questionId, w.week],
      [debit.questionId, 'lifetime'],
    ];
    for (const [questionId, window] of rows) {
      const key = ledgerKey(debit.campaignId, questionId, window);
      const before = spentOf(await ledger.get(key));
      await ledger.put({ key, campaignId: debit.campaignId, questionId, window, spent: before + charge });
    }
    const deviceKey = ledgerKey(DEVICE_WIDE, '*', 'lifetime');
    await ledger.put({ key: deviceKey, campaignId: DEVICE_WIDE, questionId: '*', window: 'lifetime', spent: spentOf(await ledger.get(deviceKey)) + charge });
    if (debit.rule.kind === 'permanent') {
      const key = ledgerKey(debit.campaignId, debit.questionId, debit.rule.window);
      const before = (await ledger.get(key))?.spent ?? 0;
      await ledger.put({ key, campaignId: debit.campaignId, questionId: debit.questionId, window: debit.rule.window, spent: before + charge, reports: decision.reports + 1 });
    }
    // The outbox row records the charge decided here (a race with another tab may have moved it).
    debit.outbox.epsilon = charge;
    await tx.objectStore('outbox').add(debit.outbox);
    await tx.done;
    return { spent: { day: spent.day + charge, week: spent.week + charge, lifetime: spent.lifetime + charge }, charge, reports: decision.reports };
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await tx.done.catch(() => undefined);
    throw error;
  }
}
