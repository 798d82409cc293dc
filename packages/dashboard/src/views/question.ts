/**
 * One question's section: what the release is (counts that add up, ε, mechanism, minimum batch,
 * what the intervals are for, the shuffle-amplified ε), the collector's integrity signal, a chart
 * (bars with 95% whiskers for a total; lines per day or week otherwise) and the table of the rows
 * — the same rows the downloads contain. Charts are hidden from screen readers: the table has
 * every number, and a flagged cell says "suspicious" in its row header.
 */
import type { Question } from '@practical-privacy/core';
import type { EstimateRelease } from '../api.ts';
import { intervalBarChart, type IntervalBar } from '../charts/interval-bars.ts';
import { drawSeries } from '../charts/series.ts';
import { h } from '../dom.ts';
import { percent, periodLabel, plain, rowFigures } from '../format.ts';
import { questionSuspicion, recoveryText, suspiciousText } from '../integrity.ts';
import { isShare, valueLabels, type DisplayRow } from '../model.ts';
import { amplificationFor, countsText, estimandSummary, releaseCounts } from '../release-summary.ts';
import { undetectedSummary } from '../undetected-text.ts';

export interface QuestionSection {
  element: HTMLElement;
  /** Draws the chart (once the section is in the page) and returns its clean-up. */
  draw: () => () => void;
}

export function questionSection(question: Question, release: EstimateRelease, rows: DisplayRow[], referenceLabel: string | undefined): QuestionSection {
  const share = isShare(question);
  const title = question.label ?? question.prompt;
  const chart = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const suspicion = questionSuspicion(release);
  const bars = release.bucket === 'total' && share ? barsOf(question, rows) : [];
  const undetected = undetectedSummary(
    release.cells.flatMap((c) => c.values ?? []),
    (value) => rows.find((r) => r.value === value)?.valueLabel ?? value,
  );
  const element = h(
    'section',
    { class: 'card stack', 'aria-labelledby': `q-${question.id}`, 'data-testid': `section-${question.id}` },
    h('h2', { id: `q-${question.id}` }, title),
    suspicion === undefined ? null : h('p', { class: 'integrity-alert', 'data-testid': `suspicious-${question.id}` }, h('span', { 'aria-hidden': 'true' }, '⚠ '), suspicion),
    metaList(release),
    h('details', { class: 'small' }, h('summary', {}, 'Assumptions behind the intervals'), h('p', { 'data-testid': `estimand-detail-${question.id}` }, estimandSummary(release).detail)),
    h('details', { class: 'small' }, h('summary', {}, 'About the shuffle-amplified ε'), h('p', { 'data-testid': `amplified-detail-${question.id}` }, amplificationFor(release).detail)),
    chart,
    bars.length === 0 ? null : h('p', { class: 'muted small' }, `Bars: the unbiased estimate, which the 95% interval is centred on (drawn at 0 when it is below). Hollow circles: the consistent estimate (${question.type === 'multiselect' ? 'clipped to 0–100%' : 'Norm-Sub: non-negative, summing to 100%'}), which can lie outside the interval.`),
    undetected === null ? null : h('p', { class: 'small', 'data-testid': `undetected-${question.id}` }, undetected),
    h('div', { class: 'table-wrap' }, table(question, rows, share, referenceLabel)),
  );
  const draw = (): (() => void) => {
    if (release.bucket !== 'total') return drawSeries(chart, rows, share);
    if (bars.length > 0) return intervalBarChart(chart, bars, { ...(referenceLabel === undefined ? {} : { referenceLabel }) });
    return () => undefined;
  };
  return { element, draw };
}

function metaList(release: EstimateRelease): HTMLElement {
  const q = release.question;
  const counts = countsText(releaseCounts(release), release.minBatch);
  const estimand = estimandSummary(release);
  const amplified = amplificationFor(release);
  const item = (term: string, testId: string | undefined, text: string, title?: string) => h('div', {}, h('dt', {}, term), h('dd', { 'data-testid': testId, title }, text));
  return h(
    'dl',
    { class: 'meta' },
    item('reports received', `received-${q}`, counts.received),
    item('in the estimates (n)', `n-${q}`, counts.inEstimate),
    counts.withheld === undefined ? null : item('withheld', `withheld-days-${q}`, counts.withheld),
    item('ε per report', undefined, plain(release.implementedEpsilon)),
    item('mechanism', undefined, release.mechanism),
    item('minimum batch', undefined, String(release.minBatch)),
    item('95% intervals are for', `estimand-${q}`, estimand.text, estimand.detail),
    item('shuffle-amplified', `amplified-${q}`, amplified.text, amplified.detail),
  );
}

/** A total cell's released shares as bars (a yes/no question: its "yes" share only). */
function barsOf(question: Question, rows: readonly DisplayRow[]): IntervalBar[] {
  return rows
    .filter((r) => r.status === 'released' && r.estimate !== undefined && r.ciLow !== undefined && r.ciHigh !== undefined && (question.type !== 'boolean' || r.value === 'true'))
    .map((r) => ({ label: r.valueLabel, estimate: Math.min(1, Math.max(0, r.estimate!)), low: r.ciLow!, high: r.ciHigh!, consistent: r.consistent, reference: r.reference }));
}

function table(question: Question, rows: readonly DisplayRow[], share: boolean, referenceLabel: string | undefined): HTMLTableElement {
  const withReference = referenceLabel !== undefined && rows.some((r) => r.reference !== undefined);
  const withIntegrity = rows.some((r) => r.integrity !== undefined);
  const withRecovery = rows.some((r) => r.recovery !== undefined);
  const labels = valueLabels(question);
  const withConsistent = rows.some((r) => r.consistent !== undefined);
  const f1 = share ? (x: number | undefined) => percent(x) : (x: number | undefined) => plain(x);
  const headers = ['Period', 'Answer', 'Estimate', '95% interval', 'SE', ...(withConsistent ? ['Consistent'] : []), 'Planned ±', 'Reports (n)', ...(withReference ? [referenceLabel] : []), ...(withIntegrity ? ['Integrity'] : []), ...(withRecovery ? ['Recovery'] : []), 'Note'];
  return h(
    'table',
    { 'data-question': question.id },
    h('caption', { class: 'visually-hidden' }, `${question.label ?? question.prompt}: estimates with 95% intervals`),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => {
        const f = rowFigures(row, share);
        const released = row.status === 'released';
        const suspicious = suspiciousText(row.integrity);
        const tr = h(
          'tr',
          { 'data-status': row.status, 'data-integrity': row.integrity?.status },
          h('th', { scope: 'row' }, periodLabel(row), suspicious === undefined ? null : h('span', { class: 'visually-hidden' }, ', flagged suspicious')),
          h('td', {}, row.valueLabel || '—'),
          h('td', { 'data-field': 'estimate' }, released ? f.estimate : '—'),
          h('td', { 'data-field': 'ci' }, released ? f.interval : '—'),
          h('td', {}, released ? f.standardError : '—'),
          withConsistent ? h('td', {}, released ? f1(row.consistent) : '—') : null,
          h('td', {}, f.planned),
          h('td', { 'data-field': 'n' }, row.n.toLocaleString('en')),
          withReference ? h('td', { 'data-field': 'reference' }, f1(row.reference)) : null,
          withIntegrity ? h('td', { 'data-field': 'integrity', class: suspicious === undefined ? undefined : 'suspicious' }, suspicious === undefined ? '' : h('span', { 'aria-hidden': 'true' }, '⚠ '), suspicious ?? integrityWords(row)) : null,
          withRecovery ? h('td', { 'data-field': 'recovery', 'data-applied': row.recovery === undefined ? undefined : String(row.recovery.applied), title: row.recovery?.note }, recoveryText(row.recovery, (code) => labels.get(code) ?? code)) : null,
          h('td', {}, row.note),
        );
        // Full-precision copies for tests and copy-paste; people read the rounded cells.
        for (const [key, value] of Object.entries({ value: row.value, estimate: row.estimate, low: row.ciLow, high: row.ciHigh, reference: row.reference })) if (value !== undefined && value !== '') tr.dataset[key] = String(value);
        return tr;
      }),
    ),
  );
}

function integrityWords(row: DisplayRow): string {
  if (row.integrity === undefined) return '';
  if (row.integrity.status === 'ok') return 'ok';
  return row.integrity.reason === '' ? 'not applicable' : `not applicable: ${row.integrity.reason}`;
}
