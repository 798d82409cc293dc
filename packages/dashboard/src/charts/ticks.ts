/**
 * Tick thinning by available width (no DOM, so unit tests run in Node): labels must not collide
 * on a 390 px phone nor crowd a desktop chart. A label is estimated at 7 px per character of the
 * 12 px system font the charts use, plus a gap; uPlot then gets explicit splits (days) or a
 * minimum spacing (values) derived from it.
 */

/** Pixels one tick label of `chars` characters needs, its gap included. */
export function labelSpace(chars: number, pxPerChar = 7, gap = 12): number {
  return Math.ceil(Math.max(1, chars) * pxPerChar + gap);
}

/** Label every `stride`-th of `count` evenly spaced ticks so that each gets `space` pixels of `width`. */
export function tickStride(count: number, width: number, space: number): number {
  if (count <= 1 || width <= 0) return 1;
  const fit = Math.max(1, Math.floor(width / space));
  return Math.max(1, Math.ceil(count / fit));
}

/**
 * The UTC days (YYYY-MM-DD) to label on a daily axis `width` pixels wide: every `stride`-th day,
 * counted back from the last so the latest day is always labelled, and never an hour between days.
 */
export function dayTicks(days: readonly string[], width: number, format: (day: string) => string = shortUtcDay): string[] {
  if (days.length === 0) return [];
  const widest = Math.max(...days.map((d) => format(d).length));
  const stride = tickStride(days.length, width, labelSpace(widest));
  return days.filter((_, i) => (days.length - 1 - i) % stride === 0);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Dec 4" for 2026-12-04: a UTC day as the collector's cells name it (no time zone shift). */
export function shortUtcDay(day: string): string {
  const [, month, date] = day.split('-').map(Number);
  return `${MONTHS[(month ?? 1) - 1]} ${date}`;
}

/** Minimum pixels between value ticks, from the widest label the axis can show. */
export function valueSpace(labels: readonly string[]): number {
  return labelSpace(Math.max(1, ...labels.map((l) => l.length)));
}
