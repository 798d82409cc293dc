/**
 * Identifiers and days as they appear on the wire (docs/protocol.md).
 *
 * - Report ids: 128 random bits as 32 lowercase hex digits. Hex rather than base64url because it
 *   has one canonical spelling (no padding or case questions), reads well in logs and SQL, and
 *   costs only 10 bytes more per report. The id is an idempotency key, never derived from the
 *   device, the answer or the time: it must come from the CSPRNG.
 * - Campaign and question ids: 1–64 characters of [A-Za-z0-9._-], starting with a letter or digit
 *   (safe in URLs, file names and SQL identifiers' values).
 * - Days: the UTC calendar day 'YYYY-MM-DD', years 2000–9999, validated as a real date. Nothing
 *   finer than the day ever travels, so a report cannot be linked to a moment.
 */
import type { RandomSampler } from '../random/sampler.ts';

export const REPORT_ID_PATTERN = /^[0-9a-f]{32}$/;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A fresh 128-bit report id from the sampler's source (the CSPRNG in production). */
export function newReportId(rng: RandomSampler): string {
  const bytes = rng.bytesInto(new Uint8Array(16));
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The UTC day of a moment, 'YYYY-MM-DD'. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/** The UTC day `days` after `day` (before it when negative); both 'YYYY-MM-DD'. */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/**
 * Monday of the ISO 8601 week holding `day`. One rule for both ends: the SDK's budget and
 * one-report-per-week windows and the collector's week buckets must start on the same day.
 */
export function isoWeekStart(day: string): string {
  const sinceMonday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -sinceMonday);
}

/** True when `day` matches 'YYYY-MM-DD', has a year in [2000, 9999] and is a real calendar date. */
export function isValidDay(day: string): boolean {
  const match = DAY_PATTERN.exec(day);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const date = Number(match[3]);
  if (year < 2000 || month < 1 || month > 12 || date < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return date <= daysInMonth;
}

/** Whole days from `from` to `to` (both valid days); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
