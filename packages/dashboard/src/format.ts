/** How numbers read on screen (the downloads keep them unrounded). */
import type { DisplayRow } from './model.ts';

export function percent(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export function plain(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** "12.3%", "12.3% to 15.0%", "±2.1 points" for a share; the same in answer units for a mean. */
export function rowFigures(row: DisplayRow, share: boolean): { estimate: string; interval: string; standardError: string; planned: string } {
  const f = share ? (x: number | undefined) => percent(x) : (x: number | undefined) => plain(x);
  return {
    estimate: f(row.estimate),
    interval: row.ciLow === undefined ? '–' : `${f(row.ciLow)} to ${f(row.ciHigh)}`,
    standardError: share ? (row.standardError === undefined ? '–' : `${(row.standardError * 100).toFixed(2)} pts`) : plain(row.standardError, 3),
    planned: row.plannedHalfWidth === undefined ? '–' : share ? `±${(row.plannedHalfWidth * 100).toFixed(1)} pts` : `±${plain(row.plannedHalfWidth)}`,
  };
}

/** A UTC day range as a label: days are UTC days at the collector ("2026-12-04 (UTC)"). */
export function periodLabel(row: Pick<DisplayRow, 'period' | 'periodEnd'>): string {
  // A total with no report at all has no first day.
  if (!row.period) return 'all days (UTC)';
  return row.period === row.periodEnd ? `${row.period} (UTC)` : `${row.period} – ${row.periodEnd} (UTC days)`;
}

/** "1 report", "2 reports": a count with its noun, singular for exactly one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
