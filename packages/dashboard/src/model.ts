/**
 * What the dashboard shows, as plain rows: one per (cell, value) — or per cell for a mean or a
 * withheld cell. The tables, the CSV and the JSON downloads are all built from these rows, so a
 * download is exactly what is on screen. No DOM here (unit-tested in Node).
 *
 * Planned half-width: for a released day cell, core's campaign planner (`worstHalfWidth`) at the
 * cell's n — the worst case over true answers for the population estimand — beside the measured
 * one, so a team sees whether the clinic is as large as it planned for. It is not shown for week
 * and total cells (their SE is an any-correlation bound over days, not a one-report-per-patient
 * plan) nor for RAPPOR strings (their plan is a detectable share).
 */
import { resolvedMechanismName, worstHalfWidth, type Question } from '@practical-privacy/core';
import type { Bucket, CellRelease, EstimateRelease } from '@practical-privacy/collector/api';
import { integrityOf, recoveryOf, type CellIntegrity, type CellRecovery } from './integrity.ts';
import { undetectedText } from './undetected-text.ts';

export type RowStatus = 'released' | 'withheld' | 'not detectable';

export interface DisplayRow {
  question: string;
  questionLabel: string;
  /** First and last UTC day of the cell. */
  period: string;
  periodEnd: string;
  n: number;
  /** The value's code (or "mean"), and what the campaign calls it. */
  value: string;
  valueLabel: string;
  status: RowStatus;
  /** Why a row has no estimate (withheld cell, undetected candidate). */
  note: string;
  estimate?: number;
  ciLow?: number;
  ciHigh?: number;
  standardError?: number;
  /** The consistent (post-processed: Norm-Sub or clipped) estimate, beside the unbiased one. */
  consistent?: number;
  /** The host's figure to compare with (the demo's simulated truth), when it gives one. */
  reference?: number;
  /** The collector's integrity signal for the row's cell (poisoning detection), when it sends one. */
  integrity?: CellIntegrity;
  /** With `defence=ldprecover`: the collector's recovery note for the row's cell (applied or not and why, fake share, targets). */
  recovery?: CellRecovery;
  /** 95% half-width the planner predicted for this n (population, worst case); day cells only. */
  plannedHalfWidth?: number;
  /** Days (and reports) of a week/total cell left out because each was below the minimum batch. */
  withheldDays?: number;
  withheldReports?: number;
}

/** Labels of a question's values as the campaign names them (codes are what the collector returns). */
export function valueLabels(question: Question): Map<string, string> {
  switch (question.type) {
    case 'boolean':
      return new Map([
        ['false', 'No'],
        ['true', 'Yes'],
      ]);
    case 'categorical':
      return new Map(question.domain.categories.map((c) => [c.code, c.label]));
    case 'multiselect':
      return new Map(question.domain.items.map((c) => [c.code, c.label]));
    default:
      return new Map();
  }
}

/** A figure the host compares each row with (e.g. a simulator's truth); undefined where it has none. */
export type ReferenceValue = (question: Question, value: string, bucket: Bucket) => number | undefined;

export function rowsOf(release: EstimateRelease, question: Question, reference?: ReferenceValue): DisplayRow[] {
  const labels = valueLabels(question);
  const questionLabel = question.label ?? question.prompt;
  const planned = (cell: CellRelease): number | undefined => {
    if (release.bucket !== 'day' || cell.suppressed || resolvedMechanismName(question) === 'rappor' || cell.n < 1) return undefined;
    return worstHalfWidth(question, cell.n);
  };
  const rows: DisplayRow[] = [];
  for (const cell of release.cells) {
    const base = {
      question: release.question,
      questionLabel,
      period: cell.period,
      periodEnd: cell.periodEnd,
      n: cell.n,
      ...(cell.withheld === undefined ? {} : { withheldDays: cell.withheld.days, withheldReports: cell.withheld.reports }),
      ...integrityField(cell),
    };
    const compared = (value: string) => {
      const x = reference?.(question, value, release.bucket);
      return x === undefined || !Number.isFinite(x) ? {} : { reference: x };
    };
    if (cell.suppressed) {
      rows.push({ ...base, value: '', valueLabel: '', status: 'withheld', note: cell.reason ?? 'withheld' });
      continue;
    }
    const plannedHalfWidth = planned(cell);
    const withheldNote = cell.withheld === undefined || cell.withheld.days === 0 ? '' : `${cell.withheld.days} ${cell.withheld.days === 1 ? 'day' : 'days'} (${cell.withheld.reports} ${cell.withheld.reports === 1 ? 'report' : 'reports'}) left out: ${cell.withheld.reason}`;
    if (cell.mean !== undefined) {
      rows.push({
        ...base,
        value: 'mean',
        valueLabel: 'Mean',
        status: 'released',
        note: withheldNote,
        estimate: cell.mean.estimate,
        ciLow: cell.mean.ci95[0],
        ciHigh: cell.mean.ci95[1],
        standardError: cell.mean.standardError,
        ...compared('mean'),
        ...(plannedHalfWidth === undefined ? {} : { plannedHalfWidth }),
      });
      continue;
    }
    const detected = cell.decoding === undefined ? undefined : new Set(cell.decoding.detected);
    for (const v of cell.values ?? []) {
      const extra = v as { detectable?: boolean; detectionLimit?: number; note?: string };
      // The collector releases an undetected RAPPOR candidate without an estimate (detectable:
      // false, nulls); older collectors listed it with 0 ± 0, so `decoding.detected` decides too.
      if (extra.detectable === false || v.unbiased === null || v.ci95 === null || v.standardError === null || (detected !== undefined && !detected.has(v.value))) {
        const note = typeof extra.detectionLimit === 'number' ? undetectedText({ detectionLimit: extra.detectionLimit }) : (extra.note ?? 'not detectable at this n');
        rows.push({ ...base, value: v.value, valueLabel: labels.get(v.value) ?? v.value, status: 'not detectable', note, ...compared(v.value) });
        continue;
      }
      rows.push({
        ...base,
        value: v.value,
        valueLabel: labels.get(v.value) ?? v.value,
        status: 'released',
        note: withheldNote,
        estimate: v.unbiased,
        ciLow: v.ci95[0],
        ciHigh: v.ci95[1],
        standardError: v.standardError,
        ...(typeof v.consistent === 'number' ? { consistent: v.consistent } : {}),
        ...compared(v.value),
        ...(plannedHalfWidth === undefined ? {} : { plannedHalfWidth }),
      });
    }
  }
  return rows;
}

/** Whether a question's estimates are shares (shown as percentages) or means (answer units). */
export function isShare(question: Question): boolean {
  return question.type !== 'numeric';
}

function integrityField(cell: CellRelease): { integrity?: CellIntegrity; recovery?: CellRecovery } {
  const integrity = integrityOf(cell);
  const recovery = recoveryOf(cell);
  return { ...(integrity === undefined ? {} : { integrity }), ...(recovery === undefined ? {} : { recovery }) };
}

export const CSV_COLUMNS = ['question', 'questionLabel', 'period', 'periodEnd', 'n', 'value', 'valueLabel', 'status', 'estimate', 'ciLow', 'ciHigh', 'standardError', 'consistent', 'plannedHalfWidth', 'withheldDays', 'withheldReports', 'integrityStatus', 'integrityReason', 'integrityScore', 'recoveryApplied', 'recoveryFakeShare', 'recoveryTargets', 'recoveryNote', 'note'] as const;

type CsvColumn = (typeof CSV_COLUMNS)[number] | 'reference';

function csvValue(row: DisplayRow, column: CsvColumn): unknown {
  if (column === 'integrityStatus') return row.integrity?.status;
  if (column === 'integrityReason') return row.integrity?.reason;
  if (column === 'integrityScore') return row.integrity?.score;
  if (column === 'recoveryApplied') return row.recovery?.applied;
  if (column === 'recoveryFakeShare') return row.recovery?.fakeShare;
  // Target values joined with '|' (a value code or label may hold a comma; the cell is quoted anyway).
  if (column === 'recoveryTargets') return row.recovery?.targets.join('|');
  if (column === 'recoveryNote') return row.recovery?.note;
  return row[column];
}

/** What the rows were computed for: the download says it once per line, as the screen says it once per view. */
export interface ShownContext {
  campaign: string;
  version: number;
  bucket: string;
  estimand: string;
  /** The collector's defence against poisoned reports, when it states one ('none', 'ldprecover'). */
  defence?: string | undefined;
}

/**
 * RFC 4180 CSV of the rows (numbers unrounded; a spreadsheet formula prefix is neutralised). A
 * `reference` column (the host's comparison figure) is added only when a row has one, as on screen.
 */
export function toCsv(rows: readonly DisplayRow[], context: ShownContext): string {
  const columns: CsvColumn[] = [...CSV_COLUMNS, ...(rows.some((r) => r.reference !== undefined) ? (['reference'] as const) : [])];
  const header = ['campaign', 'version', 'bucket', 'estimand', 'defence', ...columns];
  const lines = [header.join(',')];
  for (const row of rows) {
    const cells = [context.campaign, context.version, context.bucket, context.estimand, context.defence, ...columns.map((c) => csvValue(row, c))];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet (labels come from a campaign).
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
