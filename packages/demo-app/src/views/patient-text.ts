/**
 * The patient's words (no DOM, so unit tests run in Node): plain language and local time. No ε,
 * bits or codes here — those live in the views' "details" disclosures (the SDK's explain() text,
 * receipt-text.ts). The SDK's days are UTC days (the campaign's `period`); a patient reads their own
 * calendar, so a UTC day boundary is shown as the local date and time it falls on.
 */
import type { Question, Tier } from '@practical-privacy/core';

/** Dates as a patient reads them: "Friday 4 December". `timeZone` for tests; the device's by default. */
export function localDate(when: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', ...(timeZone === undefined ? {} : { timeZone }) }).format(when);
}

function localTime(when: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, ...(timeZone === undefined ? {} : { timeZone }) }).format(when);
}

/** The instant a UTC day (YYYY-MM-DD) starts. */
export function utcDayStart(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/**
 * When a question (or the check-in) can be answered again, given the SDK's next UTC day: the local
 * date and time that day starts — "today at 01:00", "tomorrow at 01:00" or "Sunday 6 December at 01:00".
 */
export function nextCheckInText(nextUtcDay: string, now: Date, timeZone?: string): string {
  const opens = utcDayStart(nextUtcDay);
  if (opens.getTime() <= now.getTime()) return 'now';
  const day = localDate(opens, timeZone);
  const tomorrow = new Date(now.getTime() + 24 * 3600 * 1000);
  const when = day === localDate(now, timeZone) ? 'today' : day === localDate(tomorrow, timeZone) ? 'tomorrow' : `on ${day}`;
  return `${when} at ${localTime(opens, timeZone)}`;
}

/** What scrambling means for this question, in plain words, by its sensitivity. */
export function plainNote(question: Pick<Question, 'tier'>): string {
  const base = 'Your answer is scrambled on this phone before it is sent, so the clinic cannot tell what you answered — it only learns totals over many patients.';
  const stronger: Record<Tier, string> = {
    low: '',
    moderate: '',
    high: ' This is a sensitive question: it is scrambled more strongly.',
    restricted: ' This is a very sensitive question: it is scrambled most strongly.',
  };
  return base + stronger[question.tier];
}

/**
 * Skipping is not hidden the way an answer is: nothing is sent for the question, and the clinic's
 * server sees that this check-in came without it. (e2e/demo.e2e.ts checks what the server receives.)
 */
export const SKIP_TEXT = 'You can skip any question: nothing is sent for it. The clinic can see that it was not answered today — skipping itself is not scrambled.';

/** "Symptoms, Pain score and Low mood". */
export function listOf(labels: readonly string[]): string {
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

export interface CheckInOutcome {
  /** Labels of the questions sent now. */
  sent: string[];
  /** Labels of questions already answered today (the SDK refused them: ALREADY_REPORTED). */
  alreadyAnswered: string[];
  /** Labels of questions left unanswered in this check-in. */
  skipped: string[];
}

/** The receipt's plain lines: what was sent, what was not and why, with nothing that contradicts another line. */
export function outcomeLines(outcome: CheckInOutcome): string[] {
  const lines: string[] = [];
  if (outcome.sent.length > 0) lines.push(`Sent, scrambled on this phone: ${listOf(outcome.sent)}. Your answers themselves are not stored or sent.`);
  if (outcome.alreadyAnswered.length > 0) lines.push(`Already answered today, so not sent again: ${listOf(outcome.alreadyAnswered)}.`);
  if (outcome.skipped.length > 0) lines.push(`Not answered today (nothing sent): ${listOf(outcome.skipped)}.`);
  if (lines.length === 0) lines.push('Nothing was sent.');
  return lines;
}

/** The check-in is done for today: when, and when the next one opens, in local time. */
export function doneText(nextUtcDay: string, now: Date, rememberedOnly: boolean, timeZone?: string): string {
  const today = `You have done today’s check-in (${localDate(now, timeZone)}). The next check-in opens ${nextCheckInText(nextUtcDay, now, timeZone)}.`;
  return rememberedOnly ? `${today} After you stopped and started again, this app remembered the day of your last check-in — never your answers — so a second check-in the same day cannot be sent.` : today;
}

/** The budget in one plain sentence: the share of the app's lifetime limit used so far. */
export function budgetPlain(spentLifetime: number, lifetimeCap: number): string {
  if (!(lifetimeCap > 0) || !Number.isFinite(lifetimeCap)) return 'This app keeps a limit on how much your check-ins can reveal about you.';
  const share = Math.min(100, Math.max(0, Math.round((spentLifetime / lifetimeCap) * 100)));
  const used = spentLifetime > 0 && share === 0 ? 'less than 1%' : `${share}%`;
  return `This app limits how much all your check-ins together can reveal about you. So far you have used ${used} of that limit.`;
}
