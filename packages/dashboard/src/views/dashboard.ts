/**
 * The dashboard proper, mountable into any element (the dashboard's own app after sign-in, the
 * demo's dashboard route): a campaign the token may read, a version, a date range, a bucket and an
 * estimand; per question the estimates with their 95% intervals and what they are for, withheld
 * cells with their reason, the shuffle-amplified ε of day cells, the planner's predicted
 * half-width beside the measured one, the collector's integrity signals and, on request, its
 * recovered (LDPRecover) estimates; downloads of exactly the rows shown; a print layout for a
 * clinic meeting; optional auto-refresh.
 *
 * The read token is the host's to give (the app's sign-in, the demo's public demo token): nothing
 * here stores or compiles one in.
 */
import type { Campaign } from '@practical-privacy/core';
import { DashboardApi, type Bucket, type CampaignSummary, type Estimand, type EstimateRelease } from '../api.ts';
import { h } from '../dom.ts';
import { defenceLabel, defenceOf, type Defence } from '../integrity.ts';
import { rowsOf, toCsv, type DisplayRow, type ReferenceValue, type ShownContext } from '../model.ts';
import { emptyState, releaseCounts, type EmptyState } from '../release-summary.ts';
import { questionSection } from './question.ts';
import '../dashboard.css';

const REFRESH_MS = 60_000;

/** A figure the host draws and lists beside each estimate (the demo's simulated truth). */
export interface Reference {
  /** Column header and legend entry, e.g. "Simulated truth". */
  label: string;
  /** Read at every load, so a host can change or forget its reference between loads. */
  value: ReferenceValue;
}

export interface DashboardOptions {
  collectorUrl: string;
  token: string;
  /** Campaign (and version) selected first; default: the first the token may read, its newest version. */
  campaign?: string;
  version?: number;
  /** Bucket selected first (default: day). */
  bucket?: Bucket;
  reference?: Reference;
  /** Elements under the heading (the host's own explanation or buttons). */
  intro?: Node[];
  /** Added to the dashboard's own "nothing to show yet" note, e.g. where reports come from. */
  emptyHint?: (state: Exclude<EmptyState, undefined>) => Node;
  /** When given, a "Sign out" button calls it (after the dashboard has stopped refreshing). */
  onSignOut?: () => void;
}

export interface DashboardHandle {
  /** Loads the estimates again with the current choices. */
  refresh(): Promise<void>;
  /** Stops refreshing, aborts a load in flight and removes the charts' listeners. */
  destroy(): void;
}

interface Shown {
  context: ShownContext;
  rows: DisplayRow[];
}

export function mountDashboard(root: HTMLElement, options: DashboardOptions): DashboardHandle {
  const api = new DashboardApi(options.collectorUrl.replace(/\/+$/, ''), options.token);
  const campaignSelect = h('select', { id: 'campaign', name: 'campaign' });
  const versionSelect = h('select', { id: 'version', name: 'version' });
  const from = h('input', { id: 'from', name: 'from', type: 'date' });
  const to = h('input', { id: 'to', name: 'to', type: 'date' });
  const bucket = h('select', { id: 'bucket', name: 'bucket' }, ...(['day', 'week', 'total'] as const).map((b) => h('option', { value: b, selected: b === (options.bucket ?? 'day') }, b)));
  const estimand = h('select', { id: 'estimand', name: 'estimand' }, h('option', { value: 'population' }, 'population'), h('option', { value: 'respondents' }, 'respondents'));
  const recovered = h('input', { id: 'defence', type: 'checkbox', 'aria-describedby': 'defence-help' });
  const autoRefresh = h('input', { id: 'auto-refresh', type: 'checkbox' });
  const show = h('button', { type: 'submit' }, 'Show');
  const csv = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-csv', disabled: true }, 'Download CSV');
  const json = h('button', { type: 'button', class: 'secondary', 'data-testid': 'download-json', disabled: true }, 'Download JSON');
  const print = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Print summary');
  const signOut = options.onSignOut === undefined ? null : h('button', { type: 'button', class: 'link' }, 'Sign out');
  const content = h('div', { class: 'stack', id: 'content', 'aria-live': 'off' });
  const summary = h('p', { class: 'muted print-only', id: 'print-header' });
  const viewLabel = h('p', { class: 'defence-label', 'data-testid': 'defence-label', hidden: true });
  const status = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
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
    h('div', { class: 'field inline' }, recovered, h('label', { for: 'defence' }, 'Recovered estimates (LDPRecover)')),
    h('div', { class: 'field inline' }, autoRefresh, h('label', { for: 'auto-refresh' }, 'Refresh every minute')),
    h('p', { id: 'defence-help', class: 'muted small wide' }, 'Recovered estimates: the collector corrects for suspected poisoned reports (where it supports it) and says so above the questions.'),
    h('div', { class: 'toolbar' }, show, csv, json, print, signOut),
  );
  root.classList.add('pp-dashboard');
  root.replaceChildren(h('h1', { tabindex: '-1' }, 'Dashboard'), ...(options.intro ?? []), summary, controls, viewLabel, content, status);

  let campaigns: CampaignSummary[] = [];
  let shown: Shown | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let cleanups: (() => void)[] = [];
  let inFlight: AbortController | undefined;
  let destroyed = false;

  const fillVersions = () => {
    const chosen = campaigns.find((c) => c.id === campaignSelect.value);
    versionSelect.replaceChildren(...(chosen?.versions ?? []).map((v) => h('option', { value: String(v), selected: campaignSelect.value === options.campaign && v === options.version }, `v${v}`)));
  };
  campaignSelect.addEventListener('change', fillVersions);

  const load = async () => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    for (const c of cleanups.splice(0)) c();
    delete content.dataset.loaded;
    content.setAttribute('aria-busy', 'true');
    content.replaceChildren(h('p', { class: 'muted' }, 'Loading estimates…'));
    try {
      const campaign = await api.campaign(campaignSelect.value, Number(versionSelect.value), controller.signal);
      const requested = recovered.checked;
      const query = { campaignId: campaign.id, version: campaign.version, bucket: bucket.value as Bucket, estimand: estimand.value as Estimand, ...(from.value ? { from: from.value } : {}), ...(to.value ? { to: to.value } : {}), ...(requested ? { defence: 'ldprecover' as const } : {}) };
      const releases = await Promise.all(campaign.questions.map((q) => api.estimates({ ...query, question: q.id }, controller.signal)));
      const rows = releases.flatMap((release, i) => rowsOf(release, campaign.questions[i]!, options.reference?.value));
      const applied = appliedDefence(releases);
      shown = { context: { campaign: campaign.id, version: campaign.version, bucket: query.bucket, estimand: query.estimand, defence: applied }, rows };
      const label = defenceLabel(requested, applied);
      viewLabel.hidden = label === undefined;
      viewLabel.textContent = label ?? '';
      summary.textContent = printHeader(campaign, query.bucket, query.estimand, from.value, to.value, label);
      const sections = campaign.questions.map((q, i) => questionSection(q, releases[i]!, rows.filter((r) => r.question === q.id), options.reference?.label));
      const empty = emptyState(releases.map(releaseCounts));
      content.replaceChildren(...(empty === undefined ? [] : [emptyNote(empty, Boolean(from.value || to.value), options.emptyHint)]), ...sections.map((s) => s.element));
      // Charts measure their container, so they are drawn once the sections are in the page.
      cleanups = sections.map((s) => s.draw());
      for (const button of [csv, json, print]) button.disabled = false;
      status.textContent = `Estimates updated: ${campaign.questions.length} questions.`;
    } catch (error) {
      if (controller.signal.aborted) return;
      content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load estimates: ${(error as Error).message}`));
    } finally {
      if (inFlight === controller) {
        content.setAttribute('aria-busy', 'false');
        content.dataset.loaded = 'true';
      }
    }
  };

  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  recovered.addEventListener('change', () => void load());
  autoRefresh.addEventListener('change', () => {
    if (timer !== undefined) clearInterval(timer);
    timer = autoRefresh.checked ? setInterval(() => void load(), REFRESH_MS) : undefined;
  });
  const fileName = (s: Shown, ext: string) => `${s.context.campaign}-v${s.context.version}-${s.context.bucket}${s.context.defence === 'ldprecover' ? '-recovered' : ''}.${ext}`;
  csv.addEventListener('click', () => {
    if (shown !== undefined) download(fileName(shown, 'csv'), 'text/csv', toCsv(shown.rows, shown.context));
  });
  json.addEventListener('click', () => {
    if (shown === undefined) return;
    const body = { ...shown.context, ...(options.reference === undefined || !shown.rows.some((r) => r.reference !== undefined) ? {} : { reference: options.reference.label }), rows: shown.rows };
    download(fileName(shown, 'json'), 'application/json', `${JSON.stringify(body, null, 2)}\n`);
  });
  print.addEventListener('click', () => window.print());
  const destroy = () => {
    destroyed = true;
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    inFlight?.abort();
    for (const c of cleanups.splice(0)) c();
  };
  signOut?.addEventListener('click', () => {
    destroy();
    options.onSignOut?.();
  });

  const ready = api
    .listCampaigns()
    // The list has ids and versions; each campaign's title comes from its (public) latest document.
    .then((list) => Promise.all(list.map((c) => (c.title !== undefined ? c : api.campaign(c.id, c.versions[0]!).then((d) => ({ ...c, title: d.title }), () => c)))))
    .then(async (list) => {
      if (destroyed) return;
      campaigns = list;
      campaignSelect.replaceChildren(...list.map((c) => h('option', { value: c.id, selected: c.id === options.campaign }, c.title === undefined ? c.id : `${c.title} (${c.id})`)));
      fillVersions();
      if (list.length === 0) {
        content.replaceChildren(h('p', {}, 'This token may not read any campaign yet.'));
        content.dataset.loaded = 'true';
      } else await load();
    })
    .catch((error: unknown) => {
      content.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not list campaigns: ${(error as Error).message}`));
      content.dataset.loaded = 'true';
    });

  return {
    refresh: () => ready.then(() => (destroyed || campaigns.length === 0 ? undefined : load())),
    destroy,
  };
}

/** The defence every release says it applied, 'none' when any says none, undefined when any says nothing. */
function appliedDefence(releases: readonly EstimateRelease[]): Defence | undefined {
  const applied = releases.map(defenceOf);
  if (applied.length > 0 && applied.every((d) => d === 'ldprecover')) return 'ldprecover';
  return applied.some((d) => d === undefined) ? undefined : 'none';
}

function printHeader(campaign: Campaign, bucket: Bucket, estimand: Estimand, from: string, to: string, defence: string | undefined): string {
  const range = from || to ? ` from ${from || 'the first day'} to ${to || 'today'}` : '';
  return `${campaign.title} — campaign ${campaign.id} v${campaign.version}, ${bucket} cells${range}, intervals for the ${estimand}.${defence === undefined ? '' : ` ${defence}`} Printed ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
}

/** Nothing to show yet, and why; the host may say where reports come from. */
function emptyNote(state: Exclude<EmptyState, undefined>, ranged: boolean, hint: DashboardOptions['emptyHint']): HTMLElement {
  const none = ranged ? 'No reports in this date range.' : 'No reports yet.';
  const why = state === 'no-reports' ? none : 'Too few reports for any estimate yet: each question needs its minimum batch of reports on a day before that day is shown.';
  return h('section', { class: 'card', 'data-testid': 'dashboard-empty', 'aria-labelledby': 'empty-title' }, h('h2', { id: 'empty-title' }, state === 'no-reports' ? 'Nothing to show yet' : 'Not enough reports yet'), h('p', {}, why), hint?.(state));
}

function download(name: string, type: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
