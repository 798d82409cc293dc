/**
 * The dashboard proper: a campaign the token may read, a version, a date range, a bucket and an
 * estimand; per question the estimates with their 95% intervals and what they are for, withheld
 * cells with their reason, the shuffle-amplified ε of day cells, the planner's predicted
 * half-width beside the measured one; downloads of exactly the rows shown; a print layout for a
 * clinic meeting; optional auto-refresh.
 */
import type { Campaign, Question } from '@practical-privacy/core';
import { DashboardApi, type Bucket, type CampaignSummary, type Estimand, type EstimateRelease } from '../api.ts';
import { drawSeries } from '../chart.ts';
import { announce, h } from '../dom.ts';
import { periodLabel, rowFigures } from '../format.ts';
import { isShare, rowsOf, toCsv, type DisplayRow } from '../model.ts';
import type { Session } from '../session.ts';

const REFRESH_MS = 60_000;

interface Shown {
  campaign: Campaign;
  bucket: Bucket;
  estimand: Estimand;
  rows: DisplayRow[];
  releases: EstimateRelease[];
}

export function dashboardView(root: HTMLElement, session: Session, onSignOut: () => void): void {
  const api = new DashboardApi(session.collectorUrl, session.token);
  const campaignSelect = h('select', { id: 'campaign', name: 'campaign' });
  const versionSelect = h('select', { id: 'version', name: 'version' });
  const from = h('input', { id: 'from', name: 'from', type: 'date' });
  const to = h('input', { id: 'to', name: 'to', type: 'date' });
  const bucket = h('select', { id: 'bucket', name: 'bucket' }, ...(['day', 'week', 'total'] as const).map((b) => h('option', { value: b }, b)));
  const estimand = h('select', { id: 'estimand', name: 'estimand' }, h('option', { value: 'population' }, 'population'), h('option', { value: 'respondents' }, 'respondents'));
  const autoRefresh = h('input', { id: 'auto-refresh', type: 'checkbox' });
  const show = h('button', { type: 'submit' }, 'Show');
  const csv = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-csv', disabled: true }, 'Download CSV');
  const json = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-json', disabled: true }, 'Download JSON');
  const print = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Print summary');
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out');
  const content = h('div', { class: 'stack', id: 'content', 'aria-live': 'off' });
  const summary = h('p', { class: 'muted print-only', id: 'print-header' });
  const field = (label: string, control: HTMLElement) => h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  const controls = h(
    'form',
    { class: 'card controls no-print', 'aria-label': 'What to show' },
    field('Campaign', campaignSelect),
    field('Version', versionSelect),
    field('From (UTC day)', from),
    field('To (UTC day)', to),
    field('Bucket', bucket),
    field('Interval for', estimand),
    h('div', { class: 'field inline' }, autoRefresh, h('label', { for: 'auto-refresh' }, 'Refresh every minute')),
    h('div', { class: 'toolbar' }, show, csv, json, print, signOut),
  );
  root.replaceChildren(h('h1', { tabindex: '-1' }, 'Dashboard'), summary, controls, content);

  let campaigns: CampaignSummary[] = [];
  let shown: Shown | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let cleanups: (() => void)[] = [];
  let inFlight: AbortController | undefined;

  const fillVersions = () => {
    const chosen = campaigns.find((c) => c.id === campaignSelect.value);
    versionSelect.replaceChildren(...(chosen?.versions ?? []).map((v) => h('option', { value: String(v) }, `v${v}`)));
  };
  campaignSelect.addEventListener('change', fillVersions);

  const load = async () => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    for (const c of cleanups.splice(0)) c();
    content.setAttribute('aria-busy', 'true');
    content.replaceChildren(h('p', { class: 'muted' }, 'Loading estimates…'));
    try {
      const campaign = await api.campaign(campaignSelect.value, Number(versionSelect.value), controller.signal);
      const query = { campaignId: campaign.id, version: campaign.version, bucket: bucket.value as Bucket, estimand: estimand.value as Estimand, ...(from.value ? { from: from.value } : {}), ...(to.value ? { to: to.value } : {}) };
      const releases = await Promise.all(campaign.questions.map((q) => api.estimates({ ...query, question: q.id }, controller.signal)));
      const rows = releases.flatMap((release, i) => rowsOf(release, campaign.questions[i]!));
      shown = { campaign, bucket: query.bucket, estimand: query.estimand, rows, releases };
      summary.textContent = `${campaign.title} — campaign ${campaign.id} v${campaign.version}, ${query.bucket} cells${from.value || to.value ? ` from ${from.value || 'the first day'} to ${to.value || 'today'}` : ''}, intervals for the ${query.estimand}. Printed ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
      const sections = campaign.questions.map((q, i) => questionSection(q, releases[i]!, rows.filter((r) => r.question === q.id)));
      content.replaceChildren(
        h('p', { class: 'muted' }, releases[0]?.estimand.description ?? ''),
        ...(rows.length === 0 ? [h('p', {}, 'No reports in this range yet.')] : []),
        ...sections.map((s) => s.element),
      );
      cleanups = sections.map((s) => s.draw());
      for (const button of [csv, json, print]) button.disabled = false;
      announce(`Estimates updated: ${campaign.questions.length} questions.`);
    } catch (error) {
      if (controller.signal.aborted) return;
      content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load estimates: ${(error as Error).message}`));
    } finally {
      content.setAttribute('aria-busy', 'false');
      if (inFlight === controller) content.dataset.loaded = 'true';
    }
  };

  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    delete content.dataset.loaded;
    void load();
  });
  autoRefresh.addEventListener('change', () => {
    if (timer !== undefined) clearInterval(timer);
    timer = autoRefresh.checked ? setInterval(() => void load(), REFRESH_MS) : undefined;
  });
  csv.addEventListener('click', () => {
    if (shown === undefined) return;
    download(`${shown.campaign.id}-v${shown.campaign.version}-${shown.bucket}.csv`, 'text/csv', toCsv(shown.rows, { campaign: shown.campaign.id, version: shown.campaign.version, bucket: shown.bucket, estimand: shown.estimand }));
  });
  json.addEventListener('click', () => {
    if (shown === undefined) return;
    const body = { campaign: shown.campaign.id, version: shown.campaign.version, bucket: shown.bucket, estimand: shown.estimand, rows: shown.rows };
    download(`${shown.campaign.id}-v${shown.campaign.version}-${shown.bucket}.json`, 'application/json', `${JSON.stringify(body, null, 2)}\n`);
  });
  print.addEventListener('click', () => window.print());
  signOut.addEventListener('click', () => {
    if (timer !== undefined) clearInterval(timer);
    onSignOut();
  });

  void api
    .listCampaigns()
    // The list has ids and versions; each campaign's title comes from its (public) latest document.
    .then((list) => Promise.all(list.map((c) => (c.title !== undefined ? c : api.campaign(c.id, c.versions[0]!).then((d) => ({ ...c, title: d.title }), () => c)))))
    .then((list) => {
      campaigns = list;
      campaignSelect.replaceChildren(...list.map((c) => h('option', { value: c.id }, c.title === undefined ? c.id : `${c.title} (${c.id})`)));
      fillVersions();
      if (list.length === 0) content.replaceChildren(h('p', {}, 'This token may not read any campaign yet.'));
      else void load();
    })
    .catch((error: unknown) => content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not list campaigns: ${(error as Error).message}`)));
}

function questionSection(question: Question, release: EstimateRelease, rows: DisplayRow[]): { element: HTMLElement; draw: () => () => void } {
  const share = isShare(question);
  const chart = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const amplified = release.cells.flatMap((c) => (c.amplification?.applicable ? [c.amplification.epsilon] : []));
  const meta = [
    `${release.mechanism}, ε = ${release.epsilon} per report`,
    `minimum batch ${release.minBatch}`,
    amplified.length === 0 ? undefined : `after shuffling, day cells: ε ≈ ${Math.min(...amplified).toFixed(2)}${amplified.length > 1 && Math.max(...amplified) !== Math.min(...amplified) ? `–${Math.max(...amplified).toFixed(2)}` : ''}`,
    release.bucket === 'day' ? undefined : release.cells.find((c) => c.uncertainty !== undefined)?.uncertainty?.note,
  ].filter((x): x is string => x !== undefined);
  const table = h(
    'table',
    { 'data-question': question.id },
    h('caption', { class: 'visually-hidden' }, `${question.label ?? question.prompt}: estimates with 95% intervals`),
    h('thead', {}, h('tr', {}, ...['Period', 'Answer', 'Estimate', '95% interval', 'SE', 'Planned ±', 'Reports (n)', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => {
        const f = rowFigures(row, share);
        return h('tr', { 'data-status': row.status }, h('th', { scope: 'row' }, periodLabel(row)), h('td', {}, row.valueLabel || '—'), h('td', { 'data-field': 'estimate' }, row.status === 'released' ? f.estimate : '—'), h('td', { 'data-field': 'ci' }, row.status === 'released' ? f.interval : '—'), h('td', {}, row.status === 'released' ? f.standardError : '—'), h('td', {}, f.planned), h('td', { 'data-field': 'n' }, row.n.toLocaleString('en')), h('td', {}, row.note));
      }),
    ),
  );
  const element = h('section', { class: 'card stack', 'aria-labelledby': `q-${question.id}` }, h('h2', { id: `q-${question.id}` }, question.label ?? question.prompt), h('p', { class: 'muted small' }, meta.join(' · ')), chart, h('div', { class: 'table-wrap' }, table));
  return { element, draw: () => (release.bucket === 'total' ? () => undefined : drawSeries(chart, rows, share)) };
}

function download(name: string, type: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
