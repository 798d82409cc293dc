/**
 * Validators of the wire format, used by the collector on every POST and by the SDK before it
 * queues a report. Each throws PrivacyError REPORT_INVALID with the path of the first problem.
 *
 * Beyond the schema: a day must not be in the future (UTC, against `now`) nor, when `maxAgeDays`
 * is given, older than that window.
 */
import * as v from 'valibot';
import { PrivacyError } from '../errors.ts';
import type { EncodedReport, Mechanism } from '../mechanisms/types.ts';
import { daysBetween, utcDay } from './ids.ts';
import { issuesToError } from './issues.ts';
import { BatchSchema, ReportSchema, type BatchReport, type WireBatch, type WireReport } from './schema.ts';

export interface DayWindow {
  /** The collector's clock; default: now. */
  now?: Date;
  /** Oldest accepted day, in days before `now`'s UTC day. */
  maxAgeDays?: number;
}

export function validateReport(input: unknown, window: DayWindow = {}): WireReport {
  const result = v.safeParse(ReportSchema, input);
  if (!result.success) throw issuesToError('REPORT_INVALID', result.issues);
  checkDay(result.output.day, 'day', window);
  return result.output;
}

export function validateBatch(input: unknown, window: DayWindow = {}): WireBatch {
  const result = v.safeParse(BatchSchema, input);
  if (!result.success) throw issuesToError('REPORT_INVALID', result.issues);
  // One clock reading for the whole batch, and one date computation per distinct day (a batch is
  // mostly one or two days): the same checks, without two Date.parse per report.
  const today = utcDay(window.now ?? new Date());
  const ages = new Map<string, number>();
  result.output.reports.forEach((report, i) => {
    let age = ages.get(report.day);
    if (age === undefined) ages.set(report.day, (age = daysBetween(report.day, today)));
    checkAge(report.day, age, today, `reports.${i}.day`, window);
  });
  return result.output;
}

/** The batch's reports as self-contained reports. */
export function reportsOfBatch(batch: WireBatch): WireReport[] {
  return batch.reports.map((report) => ({ ...report, campaignId: batch.campaignId, campaignVersion: batch.campaignVersion }));
}

function checkDay(day: string, path: string, window: DayWindow): void {
  const today = utcDay(window.now ?? new Date());
  checkAge(day, daysBetween(day, today), today, path, window);
}

function checkAge(day: string, age: number, today: string, path: string, window: DayWindow): void {
  if (age < 0) throw new PrivacyError('REPORT_INVALID', 'input', `${path}: ${day} is in the future (today is ${today} UTC)`, { path });
  if (window.maxAgeDays !== undefined && age > window.maxAgeDays) {
    throw new PrivacyError('REPORT_INVALID', 'input', `${path}: ${day} is older than ${window.maxAgeDays} days`, { path });
  }
}

/** What a mechanism's decoder needs from a wire report. */
export function encodedOf(report: Pick<BatchReport, 'payload' | 'cohort'>): EncodedReport {
  return report.cohort === undefined ? { payload: report.payload } : { payload: report.payload, cohort: report.cohort };
}

export interface ReportContext {
  id: string;
  campaignId: string;
  campaignVersion: number;
  questionId: string;
  day: string;
}

/** A mechanism's encoded report, dressed for the wire. */
export function toWireReport(context: ReportContext, encoded: EncodedReport): WireReport {
  const report: WireReport = { ...context, payload: encoded.payload as WireReport['payload'] };
  if (encoded.cohort !== undefined) report.cohort = encoded.cohort;
  return validateReport(report, { now: new Date(`${context.day}T12:00:00Z`) });
}

/**
 * Decodes a validated wire report with the question's mechanism; a payload the mechanism refuses
 * becomes REPORT_INVALID at `path` (e.g. `reports.3.payload`).
 */
export function decodeWithMechanism<R>(report: Pick<BatchReport, 'payload' | 'cohort'>, mechanism: Mechanism<unknown, R, unknown>, path = ''): R {
  try {
    return mechanism.decodeReport(encodedOf(report));
  } catch (error) {
    if (error instanceof PrivacyError) {
      const where = [path, error.path ?? 'payload'].filter((s) => s !== '').join('.');
      throw new PrivacyError('REPORT_INVALID', 'input', `${where}: ${error.message}`, { path: where, cause: error });
    }
    throw error;
  }
}
