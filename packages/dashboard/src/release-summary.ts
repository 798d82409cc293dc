/**
 * Pure helpers that turn the collector's release into what the dashboard shows (no DOM, so unit
 * tests run in Node): which point goes with an interval, what the interval is for (its estimand),
 * and the shuffle-amplified ε in words.
 */
import type { CellRelease, EstimateRelease, ValueEstimate } from '@practical-privacy/collector/api';
import { count, plain as formatNumber } from './format.ts';

/** The point drawn with the whiskers: the unbiased estimate the interval is centred on, clipped to [0, 1]. */
export function pointWithInterval(v: ValueEstimate): number {
  return Math.min(1, Math.max(0, v.unbiased));
}

export interface EstimandSummary {
  /** One line for the meta list. */
  text: string;
  /** What the interval covers and what that reading assumes, as the collector states it. */
  detail: string;
}

/**
 * What the release's intervals are for, in words: by default the clinic's patient population (the
 * n who answered taken as a sample of it), or only those who answered. From the release's own
 * `estimand` statement, so the dashboard says what the collector computed.
 */
export function estimandSummary(release: EstimateRelease): EstimandSummary {
  const { name, description, assumptions } = release.estimand;
  return {
    text: name === 'population' ? 'the patient population (respondents as a sample)' : 'the patients who answered',
    detail: `${description} Assumes: ${assumptions.join(' ')}`,
  };
}

export interface AmplificationSummary {
  /** One line for the meta list. */
  text: string;
  /** Longer explanation: what is assumed, and why nothing is stated for the whole period. */
  detail: string;
}

/**
 * The shuffle-amplified ε is stated by the collector per UTC day only (a day's n reports can be n
 * different patients; a week's or the total's cannot). Summarize the released days: the range of
 * per-day ε, or in plain words why no day gets one (too few reports, or ε per report too large).
 */
export function amplificationSummary(daily: EstimateRelease, total: CellRelease | undefined): AmplificationSummary {
  const days = daily.cells.filter((c) => !c.suppressed && c.amplification !== undefined);
  const claimed = days.flatMap((c) => (c.amplification?.applicable === true ? [c.amplification] : []));
  const notClaimed = days.flatMap((c) => (c.amplification?.applicable === false ? [c.amplification] : []));
  const whole = total?.amplification?.applicable === false ? ` Not stated for the whole period: ${total.amplification.reason}.` : '';
  const why = (code: string) =>
    code === 'N_TOO_SMALL' ? 'too few reports that day' : code === 'EPSILON0_TOO_LARGE' ? `ε per report (${formatNumber(daily.implementedEpsilon)}) too large for that day's reports` : 'not applicable';
  const codes = [...new Set(notClaimed.map((a) => a.code))];
  const missing = notClaimed.length === 0 ? '' : ` Not claimed on ${notClaimed.length} ${notClaimed.length === 1 ? 'day' : 'days'}: ${codes.map(why).join('; ')} (${notClaimed[0]!.reason}).`;
  if (claimed.length > 0) {
    const low = formatNumber(Math.min(...claimed.map((a) => a.epsilon)));
    const high = formatNumber(Math.max(...claimed.map((a) => a.epsilon)));
    // Compared as shown: 0.401 and 0.399 are one value at two decimals, not "0.40–0.40".
    const range = low === high ? low : `${low}–${high}`;
    return {
      text: `per day: ε = ${range}, δ = ${claimed[0]!.delta.toExponential(0)} (${claimed.length} of ${days.length} released ${days.length === 1 ? 'day' : 'days'})`,
      detail: `Assumes: ${claimed[0]!.assumption}${missing}${whole}`,
    };
  }
  if (days.length === 0) return { text: 'no released day yet', detail: `Stated per day once a day has enough reports.${whole}` };
  return { text: `not claimed: ${codes.map(why).join('; ')}`, detail: `${notClaimed[0]!.reason}.${whole}` };
}

export interface ReportCounts {
  /** Every report the collector holds for the question in the period: in the estimate or withheld. */
  received: number;
  /** The reports the estimate is computed from (the total cell's n: only days releasable on their own). */
  inEstimate: number;
  withheldDays: number;
  withheldReports: number;
}

/**
 * The total cell's counts, made consistent: the collector's n counts only the days released on
 * their own, its `withheld` the days below the minimum batch, so what was received is their sum
 * (an empty dashboard once read "reports (n) 0" beside "withheld days 1 (9 reports)").
 */
export function reportCounts(total: CellRelease | undefined): ReportCounts {
  const inEstimate = total === undefined || total.suppressed ? 0 : total.n;
  const withheldDays = total?.withheld?.days ?? 0;
  const withheldReports = total?.withheld?.reports ?? 0;
  // A suppressed total without a withheld part: its n reports are all below the minimum batch.
  const suppressedRest = total !== undefined && total.suppressed && total.withheld === undefined ? total.n : 0;
  return { received: inEstimate + withheldReports + suppressedRest, inEstimate, withheldDays, withheldReports: withheldReports + suppressedRest };
}

/** The counts in words, each said once: what arrived, what the estimate uses, what is withheld and why. */
export function countsText(counts: ReportCounts, minBatch: number): { received: string; inEstimate: string; withheld: string | undefined } {
  const withheld =
    counts.withheldReports === 0
      ? undefined
      : counts.withheldDays === 0
        ? `${count(counts.withheldReports, 'report')}, fewer than the minimum batch of ${minBatch}`
        : `${count(counts.withheldReports, 'report')} on ${count(counts.withheldDays, 'day')} with fewer than ${minBatch} reports each (the minimum batch)`;
  return { received: counts.received.toLocaleString('en'), inEstimate: counts.inEstimate.toLocaleString('en'), withheld };
}

export type EmptyState = 'no-reports' | 'too-few' | undefined;

/** Whether the dashboard has nothing to show yet, and why: no report at all, or every question below its minimum batch. */
export function emptyState(counts: readonly ReportCounts[]): EmptyState {
  if (counts.every((c) => c.received === 0)) return 'no-reports';
  if (counts.every((c) => c.inEstimate === 0)) return 'too-few';
  return undefined;
}

/**
 * The counts of a release of any bucket: its cells' counts summed. A withheld day cell is one
 * withheld day; a week or total cell names the days it left out itself (`withheld`).
 */
export function releaseCounts(release: EstimateRelease): ReportCounts {
  const sum: ReportCounts = { received: 0, inEstimate: 0, withheldDays: 0, withheldReports: 0 };
  for (const cell of release.cells) {
    const c = reportCounts(cell);
    sum.received += c.received;
    sum.inEstimate += c.inEstimate;
    sum.withheldDays += c.withheldDays + (release.bucket === 'day' && cell.suppressed && cell.withheld === undefined ? 1 : 0);
    sum.withheldReports += c.withheldReports;
  }
  return sum;
}

/**
 * The shuffle-amplified ε of the cells shown: stated by the collector for day cells only, so a
 * week or total view says where to find it rather than implying one for the whole period.
 */
export function amplificationFor(release: EstimateRelease): AmplificationSummary {
  if (release.bucket === 'day') return amplificationSummary(release, undefined);
  const reason = release.cells.find((c) => c.amplification?.applicable === false)?.amplification;
  const whole = reason?.applicable === false ? ` Not stated for ${release.bucket === 'week' ? 'a week' : 'the whole period'}: ${reason.reason}.` : '';
  return { text: 'stated per UTC day only (choose the day bucket)', detail: `A day's reports can come from different patients; a ${release.bucket === 'week' ? "week's" : "whole period's"} cannot, so the collector states the amplified ε per day.${whole}` };
}
