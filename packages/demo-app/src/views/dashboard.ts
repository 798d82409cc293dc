/**
 * Dashboard for the product team: per question, the debiased estimates with 95% intervals from
 * the collector's read API (bars with whiskers for categories/items, a daily series with an
 * interval band), n, ε, the shuffle-amplified ε per day, and suppressed cells with their reason.
 * When the simulator has run, its realized truth is drawn next to each estimate.
 *
 * Which point goes with the whiskers: the interval is centred on the unbiased estimate, so the
 * bar (or line) is the unbiased estimate, clipped to [0, 1] — always inside its clipped interval.
 * The consistent (post-processed: Norm-Sub, clipped) estimate is a separate, hollow marker.
 */
import { stringIndex } from '@practical-privacy/core';
import { fetchEstimates, type CellRelease, type EstimateRelease } from '../api.ts';
import { campaign, medicationCandidates, medicationQuestion, moodQuestion, painQuestion, symptomItems, symptomsQuestion, symptomLabelForCode, type Question } from '../campaign.ts';
import { dataTable } from '../charts/data-table.ts';
import { intervalBarChart, type IntervalBar } from '../charts/interval-bars.ts';
import { intervalSeriesChart, type SeriesPoint } from '../charts/interval-series.ts';
import { announce, count, formatNumber, formatPercent, h } from '../dom.ts';
import type { View } from '../router.ts';
import { amplificationSummary, countsText, emptyState, estimandSummary, pointWithInterval, reportCounts, type ReportCounts } from './release-summary.ts';
import { clearRealizedTruth, loadStoredTruth, type RealizedTruth } from '../sim/ground-truth.ts';
import { isEstimated, isUndetected, undetectedSummary, undetectedText } from './undetected-text.ts';

type Cleanup = () => void;

export function dashboardView(): View {
  return {
    title: 'Dashboard',
    render(root) {
      const cleanups: Cleanup[] = [];
      const content = h('div', { class: 'stack', 'aria-busy': 'true' });
      const refresh = h('button', { type: 'button', class: 'secondary', 'data-testid': 'refresh' }, 'Refresh');
      const forget = h('button', { type: 'button', class: 'link' }, 'Forget simulated truth');
      const load = async (): Promise<void> => {
        for (const c of cleanups.splice(0)) c();
        content.setAttribute('aria-busy', 'true');
        content.replaceChildren(h('p', { class: 'muted' }, 'Loading estimates…'));
        // A truth saved for another database (an earlier demo run) is deleted, never drawn.
        const { truth, discarded } = loadStoredTruth();
        try {
          const loaded = await Promise.all(campaign.questions.map((q) => questionSection(q, truth, cleanups)));
          const empty = emptyState(loaded.map((l) => l.counts));
          content.replaceChildren(
            ...(empty === undefined ? [] : [emptyPointer(empty)]),
            ...(discarded ? [h('p', { class: 'muted small', 'data-testid': 'truth-discarded' }, 'A simulated truth saved for an earlier demo database was discarded: it described reports this database does not hold.')] : []),
            ...loaded.map((l) => l.section),
          );
          // Charts measure their container, so they are drawn once the sections are in the page.
          for (const draw of pendingDraws.splice(0)) cleanups.push(draw());
          announce('Estimates updated.');
        } catch (error) {
          content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load estimates from the collector: ${(error as Error).message}`));
        }
        content.setAttribute('aria-busy', 'false');
        content.dataset.loaded = 'true';
      };
      refresh.addEventListener('click', () => void load());
      forget.addEventListener('click', () => {
        clearRealizedTruth();
        void load();
      });
      root.append(
        h('h1', { tabindex: '-1' }, 'Dashboard'),
        h('p', { class: 'muted' }, `${campaign.title} (campaign ${campaign.id}, version ${campaign.version}). Estimates are debiased from randomized reports; every number comes with its 95% interval.`),
        h('div', { class: 'toolbar' }, refresh, forget),
        content,
      );
      void load();
      return () => {
        for (const c of cleanups.splice(0)) c();
      };
    },
  };
}

const pendingDraws: Array<() => Cleanup> = [];

function chartSlot(draw: (container: HTMLElement) => Cleanup, label: string): HTMLElement {
  const slot = h('div', { class: 'chart', role: 'img', 'aria-label': `${label} (chart; the data table below has the same numbers)` });
  pendingDraws.push(() => draw(slot));
  return slot;
}

/** Nothing to show yet: where reports come from (the patient view, or the simulator for a whole clinic). */
function emptyPointer(state: 'no-reports' | 'too-few'): HTMLElement {
  const why = state === 'no-reports' ? 'No reports yet.' : 'Too few reports for any estimate yet: each question needs its minimum batch of reports on a day before that day is shown.';
  return h(
    'section',
    { class: 'card', 'data-testid': 'dashboard-empty', 'aria-labelledby': 'empty-title' },
    h('h2', { id: 'empty-title' }, state === 'no-reports' ? 'Nothing to show yet' : 'Not enough reports yet'),
    h('p', {}, why, ' Send a synthetic clinic of 1,000 to 100,000 patients from the ', h('a', { href: '#/simulator' }, 'Simulator'), ', or check in yourself on the ', h('a', { href: '#/patient' }, 'Patient view'), ' (one check-in is far below the minimum batch).'),
  );
}

function metaLine(release: EstimateRelease, total: CellRelease | undefined, daily: EstimateRelease, counts: ReportCounts): HTMLElement {
  const amplified = amplificationSummary(daily, total);
  const text = countsText(counts, release.minBatch);
  return h(
    'dl',
    { class: 'meta' },
    h('div', {}, h('dt', {}, 'reports received'), h('dd', { 'data-testid': `received-${release.question}` }, text.received)),
    h('div', {}, h('dt', {}, 'in the estimates (n)'), h('dd', { 'data-testid': `n-${release.question}` }, String(counts.inEstimate))),
    text.withheld === undefined ? null : h('div', {}, h('dt', {}, 'withheld'), h('dd', { 'data-testid': `withheld-days-${release.question}` }, text.withheld)),
    h('div', {}, h('dt', {}, 'ε per report'), h('dd', {}, formatNumber(release.implementedEpsilon))),
    h('div', {}, h('dt', {}, 'mechanism'), h('dd', {}, release.mechanism)),
    h('div', {}, h('dt', {}, 'minimum batch'), h('dd', {}, String(release.minBatch))),
    h('div', {}, h('dt', {}, '95% intervals are for'), h('dd', { 'data-testid': `estimand-${release.question}`, title: estimandSummary(release).detail }, estimandSummary(release).text)),
    h('div', {}, h('dt', {}, 'shuffle-amplified'), h('dd', { 'data-testid': `amplified-${release.question}`, title: amplified.detail }, amplified.text)),
  );
}

function estimandNote(release: EstimateRelease): HTMLElement {
  return h('details', { class: 'small' }, h('summary', {}, 'Assumptions behind the intervals'), h('p', { 'data-testid': `estimand-detail-${release.question}` }, estimandSummary(release).detail));
}

function amplificationNote(daily: EstimateRelease, total: CellRelease | undefined): HTMLElement {
  const amplified = amplificationSummary(daily, total);
  return h('details', { class: 'small' }, h('summary', {}, 'About the shuffle-amplified ε'), h('p', { 'data-testid': `amplified-detail-${daily.question}` }, amplified.detail));
}

/** The withheld days by date and count; why they are withheld is said once, in the meta list. */
function suppressedNotes(cells: CellRelease[]): HTMLElement | null {
  const suppressed = cells.filter((c) => c.suppressed);
  if (suppressed.length === 0) return null;
  return h(
    'details',
    { class: 'suppressed' },
    h('summary', {}, `Withheld ${suppressed.length === 1 ? 'day' : 'days'} (${suppressed.length}, UTC)`),
    h('ul', {}, ...suppressed.map((c) => h('li', {}, `${c.period}: ${count(c.n, 'report')}`))),
  );
}

function truthFor(question: Question, truth: RealizedTruth | undefined, value: string): number | undefined {
  if (truth === undefined || truth.patients === 0) return undefined;
  if (question.id === symptomsQuestion.id) {
    const i = symptomItems.findIndex((item) => item.code === value);
    return i < 0 ? undefined : truth.symptomCounts[i]! / truth.patients;
  }
  if (question.id === moodQuestion.id) return value === 'true' ? truth.lowMoodYes / truth.patients : value === 'false' ? 1 - truth.lowMoodYes / truth.patients : undefined;
  if (question.id === medicationQuestion.id) {
    // The collector's labels are the candidates and one more, '(other)': core's stringIndex maps
    // it, like any name outside the list, to "other".
    const i = stringIndex(medicationQuestion, value);
    return (i < medicationCandidates.length ? truth.medicationCounts[i]! : truth.otherMedication) / truth.patients;
  }
  return undefined;
}

function displayValue(question: Question, value: string): string {
  if (question.id === symptomsQuestion.id) return symptomLabelForCode(value);
  if (question.type === 'boolean') return value === 'true' ? 'Yes' : value === 'false' ? 'No' : value;
  return value;
}

async function questionSection(question: Question, truth: RealizedTruth | undefined, cleanups: Cleanup[]): Promise<{ section: HTMLElement; counts: ReportCounts }> {
  void cleanups;
  const [total, daily] = await Promise.all([fetchEstimates(campaign.id, question.id, 'total'), fetchEstimates(campaign.id, question.id, 'day')]);
  const cell = total.cells[0];
  const counts = reportCounts(cell);
  const section = h('section', { class: 'card', 'aria-labelledby': `q-${question.id}`, 'data-testid': `section-${question.id}` });
  section.append(
    h('h2', { id: `q-${question.id}` }, question.prompt),
    h('p', { class: 'muted small' }, `Question ${question.id} · ${question.type} · ${question.tier} tier`),
    metaLine(total, cell, daily, counts),
    estimandNote(total),
    amplificationNote(daily, cell),
  );

  if (cell === undefined || cell.suppressed) {
    // The counts and the reason are in the meta list above; here only that there is no estimate.
    section.append(h('p', { class: 'withheld', 'data-testid': `withheld-${question.id}` }, counts.received === 0 ? 'No estimate: no reports yet.' : 'No estimate yet: every day so far is below the minimum batch.'));
    section.append(...[suppressedNotes(daily.cells)].filter((x): x is HTMLElement => x !== null));
    return { section, counts };
  }

  if (cell.mean !== undefined) {
    const mean = cell.mean;
    const truthMean = question.id === painQuestion.id && truth !== undefined && truth.patients > 0 ? truth.painSum / truth.patients : undefined;
    section.append(
      h('p', { class: 'headline' }, `Mean ${formatNumber(mean.estimate)} (95% CI ${formatNumber(mean.ci95[0])} – ${formatNumber(mean.ci95[1])})`, truthMean === undefined ? null : h('span', { class: 'truth-note' }, ` · simulated truth ${formatNumber(truthMean)}`)),
      dataTable(
        'Mean over all reports',
        [{ header: 'Statistic' }, { header: 'Estimate', numeric: true }, { header: '95% low', numeric: true }, { header: '95% high', numeric: true }, { header: 'Truth (sim.)', numeric: true }],
        [{ cells: ['mean', formatNumber(mean.estimate), formatNumber(mean.ci95[0]), formatNumber(mean.ci95[1]), truthMean === undefined ? '–' : formatNumber(truthMean)], data: { value: 'mean', estimate: mean.estimate, low: mean.ci95[0], high: mean.ci95[1], ...(truthMean === undefined ? {} : { truth: truthMean }) } }],
        { testId: `table-${question.id}` },
      ),
    );
    section.append(...dailySeries(question, daily, (c) => c.mean, truthMean, (x) => formatNumber(x, 1)));
  } else if (cell.values !== undefined) {
    const released = question.type === 'boolean' ? cell.values.filter((v) => v.value === 'true') : cell.values;
    // RAPPOR candidates the decoding did not detect have no estimate: no bar, a row and a line that say so.
    const values = released.filter(isEstimated);
    const undetected = released.filter(isUndetected);
    const bars: IntervalBar[] = values.map((v) => ({ label: displayValue(question, v.value), estimate: pointWithInterval(v), low: v.ci95[0], high: v.ci95[1], consistent: v.consistent, truth: truthFor(question, truth, v.value) }));
    const undetectedLine = undetectedSummary(released, (value) => displayValue(question, value));
    const label = question.type === 'multiselect' ? 'Share of patients with each symptom' : question.type === 'boolean' ? 'Share answering yes' : 'Share per medication (the candidates, and any other name as "(other)")';
    // Only multiselect items overlap; the other answers are exclusive (a medication is one candidate or "other").
    const consistency = question.type === 'multiselect' ? 'clipped to 0–100%' : 'Norm-Sub: non-negative, summing to 100%';
    section.append(
      // Every candidate undetected: nothing to draw, the table and the line below say why.
      ...(bars.length > 0 ? [chartSlot((el) => intervalBarChart(el, bars), label)] : []),
      h('p', { class: 'muted small' }, `Bars: the unbiased estimate, which the 95% interval is centred on (drawn at 0 when it is below). Hollow circles: the consistent estimate (${consistency}), which can lie outside the interval.`),
      dataTable(
        label,
        [
          { header: 'Value' },
          { header: 'Unbiased', numeric: true },
          { header: '95% low', numeric: true },
          { header: '95% high', numeric: true },
          { header: 'SE', numeric: true },
          { header: 'Consistent', numeric: true },
          { header: 'Truth (sim.)', numeric: true },
        ],
        [
          ...values.map((v, i) => {
            const t = bars[i]!.truth;
            return {
              cells: [bars[i]!.label, formatPercent(v.unbiased), formatPercent(v.ci95[0]), formatPercent(v.ci95[1]), formatPercent(v.standardError, 2), formatPercent(v.consistent), t === undefined ? '–' : formatPercent(t)],
              data: { value: v.value, estimate: bars[i]!.estimate, unbiased: v.unbiased, consistent: v.consistent, low: v.ci95[0], high: v.ci95[1], ...(t === undefined ? {} : { truth: t }) },
            };
          }),
          ...undetected.map((v) => {
            const t = truthFor(question, truth, v.value);
            return {
              cells: [displayValue(question, v.value), undetectedText(v), '–', '–', '–', '–', t === undefined ? '–' : formatPercent(t)],
              data: { value: v.value, detectionLimit: v.detectionLimit, ...(t === undefined ? {} : { truth: t }) },
            };
          }),
        ],
        { testId: `table-${question.id}` },
      ),
    );
    if (undetectedLine !== null) section.append(h('p', { class: 'small', 'data-testid': `undetected-${question.id}` }, undetectedLine));
    const first = values[0];
    if (first !== undefined) {
      section.append(
        ...dailySeries(
          question,
          daily,
          (c) => {
            const v = c.values?.find((x) => x.value === first.value);
            return v === undefined || !isEstimated(v) ? undefined : { estimate: pointWithInterval(v), ci95: v.ci95 };
          },
          truthFor(question, truth, first.value),
          (x) => `${Math.round(x * 100)}%`,
          undefined,
          `Daily: ${displayValue(question, first.value)}`,
        ),
      );
    }
  }
  const notes = suppressedNotes(daily.cells);
  if (notes !== null) section.append(notes);
  return { section, counts };
}

function dailySeries(
  question: Question,
  daily: EstimateRelease,
  pick: (cell: CellRelease) => { estimate: number; ci95: [number, number] } | undefined,
  truth: number | undefined,
  format: (x: number) => string,
  range?: [number, number],
  title = 'Daily',
): HTMLElement[] {
  if (daily.cells.length < 2) return [];
  const points: SeriesPoint[] = daily.cells.map((c) => {
    const v = c.suppressed ? undefined : pick(c);
    return { day: c.period, estimate: v?.estimate ?? null, low: v?.ci95[0] ?? null, high: v?.ci95[1] ?? null };
  });
  return [
    h('h3', {}, title),
    chartSlot((el) => intervalSeriesChart(el, points, { format, truth, ...(range === undefined ? {} : { range }) }), `${title}, per UTC day with 95% band`),
    dataTable(
      `${title} — per UTC day`,
      [{ header: 'Day' }, { header: 'n', numeric: true }, { header: 'Estimate', numeric: true }, { header: '95% low', numeric: true }, { header: '95% high', numeric: true }, { header: 'Shuffle ε (that day)', numeric: true }],
      daily.cells.map((c, i) => {
        const p = points[i]!;
        const a = c.amplification;
        const shuffled = a === undefined ? '–' : a.applicable ? formatNumber(a.epsilon) : a.code === 'N_TOO_SMALL' ? 'too few reports' : a.code === 'EPSILON0_TOO_LARGE' ? 'ε too large' : '–';
        // A released day without a point: the value was not detected that day (RAPPOR).
        const point = p.estimate !== null ? format(p.estimate) : c.suppressed ? 'withheld' : 'not detectable';
        return { cells: [c.period, String(c.n), point, p.low === null ? '–' : format(p.low), p.high === null ? '–' : format(p.high), shuffled] };
      }),
      { testId: `daily-${question.id}` },
    ),
  ];
}
