/**
 * Issue 17 §2 in the collector: the set-bit histograms kept per (question, day, level) cell at
 * ingest, the integrity signal on every released estimate cell, and the LDPRecover defence
 * (`?defence=ldprecover`). The tests and the recovery are core's (integrity/); this module binds
 * them to the stored aggregates and to the release's rules:
 *
 * - Only released data: a week or total cell tests the histograms of its RELEASED days only, and
 *   of a levelled question only the (day, level) parts that were released (estimates.ts withholds
 *   the others) — so a withheld day cannot leak through a histogram either.
 * - Mechanisms without an honest set-bit law (GRR, binary RR, Hadamard, OLH, LOLOHA, numeric,
 *   padding-and-sampling) get `status: 'not-applicable'` with the reason (core's notApplicableReason).
 * - Recovery applies to single-level unary-encoding questions (OUE, SUE, L-UE): that is where core's
 *   recovery has both the fake share and the targets to work from. Elsewhere a cell says it was not
 *   applied and why; its values are the plain release.
 */
import {
  DEFAULT_INTEGRITY_ALPHA,
  Z_95,
  notApplicableReason,
  plausibility,
  recoverFrequencies,
  setBitCount,
  setBitModel,
  type Estimand,
  type FrequencyEstimate,
  type HistogramPart,
  type IntegritySignal,
  type SetBitModel,
  createQuestionMechanism,
} from '@practical-privacy/core';
import type { CampaignModel, QuestionModel } from './campaigns/model.ts';
import type { CollectorMetrics } from './metrics.ts';
import type { CellRelease, EstimateRelease, ValueEstimate } from './release.ts';
import type { Repository } from './storage/repository.ts';

export const DEFENCES = ['none', 'ldprecover'] as const;
export type Defence = (typeof DEFENCES)[number];

/** Per question (mechanism instance): the honest law of each level index, or undefined for none. */
const models = new WeakMap<object, Array<SetBitModel | undefined>>();

function levelModels(question: QuestionModel): Array<SetBitModel | undefined> {
  let cached = models.get(question.mechanism);
  if (cached === undefined) {
    if (question.levelled === undefined) cached = [setBitModel(question.mechanism as never)];
    else {
      const base = question.levelled.base;
      cached = setBitModel(base as never) === undefined ? question.levelled.levels.map(() => undefined) : question.levelled.levels.map((level) => setBitModel(createQuestionMechanism(question.question, { level }) as never));
    }
    models.set(question.mechanism, cached);
  }
  return cached;
}

/** What ingest stores for one decoded report: its level index and set-bit count, or undefined (no law). */
export function setBitsOf(question: QuestionModel, decoded: unknown, level: number | undefined): { level: number; bits: number } | undefined {
  const j = question.levelled === undefined ? 0 : question.levelled.levels.indexOf(level ?? question.levelled.levels[0]!);
  if (j < 0 || levelModels(question)[j] === undefined) return undefined;
  const mechanism = question.levelled?.base ?? question.mechanism;
  return { level: j, bits: setBitCount(mechanism as never, decoded) };
}

type Histograms = Map<string, Map<number, Float64Array>>;

async function readHistograms(repository: Repository, campaign: CampaignModel, question: QuestionModel, range: { from?: string | undefined; to?: string | undefined }): Promise<Histograms> {
  const days: Histograms = new Map();
  const laws = levelModels(question);
  if (laws.every((m) => m === undefined)) return days;
  for (const row of await repository.readSetBitCounts({ campaignId: campaign.id, version: campaign.version, questionId: question.id, fromDay: range.from, toDay: range.to })) {
    const law = laws[row.level];
    if (law === undefined || row.bits < 0 || row.bits > law.bits) continue;
    let levels = days.get(row.day);
    if (levels === undefined) days.set(row.day, (levels = new Map()));
    let h = levels.get(row.level);
    if (h === undefined) levels.set(row.level, (h = new Float64Array(law.bits + 1)));
    h[row.bits]! += row.n;
  }
  return days;
}

/** Summed histograms per level over `days` (released, withheld levels already zeroed in their sums). */
function cellParts(question: QuestionModel, days: ReadonlyArray<{ day: string; sums: Float64Array }>, histograms: Histograms): HistogramPart[] {
  const laws = levelModels(question);
  const size = question.levelled?.base.sumsLength ?? 0;
  const parts = laws.map((model) => (model === undefined ? undefined : { model, histogram: new Float64Array(model.bits + 1) }));
  for (const d of days) {
    const levels = histograms.get(d.day);
    if (levels === undefined) continue;
    for (const [j, h] of levels) {
      // A (day, level) part below the minimum batch was zeroed by readDays: leave its histogram out too.
      if (question.levelled !== undefined && (d.sums[1 + j * size] ?? 0) === 0) continue;
      const part = parts[j];
      if (part !== undefined) for (let b = 0; b < h.length; b++) part.histogram[b]! += h[b]!;
    }
  }
  return parts.flatMap((p) => (p === undefined ? [] : [p]));
}

function signalOf(question: QuestionModel, parts: HistogramPart[]): IntegritySignal {
  if (levelModels(question).every((m) => m === undefined)) return { status: 'not-applicable', reason: notApplicableReason(question.mechanism.name), score: null };
  let stored = 0;
  for (const part of parts) for (let b = 0; b < part.histogram.length; b++) stored += part.histogram[b]!;
  if (stored === 0) return { status: 'not-applicable', reason: 'no set-bit counts are stored for these reports (ingested before the collector kept them, migration step 5)', score: null };
  return plausibility(parts, { alpha: DEFAULT_INTEGRITY_ALPHA });
}

function daysOf(cell: CellRelease, released: ReadonlyArray<{ day: string; sums: Float64Array }>) {
  return released.filter((d) => d.day >= cell.period && d.day <= cell.periodEnd);
}

/**
 * Adds `integrity` to every released cell of `cells` (from the released days they cover) and, with
 * `defence: 'ldprecover'`, replaces their values by the recovered ones (core's recoverFrequencies).
 */
export async function withIntegrity(
  repository: Repository,
  campaign: CampaignModel,
  question: QuestionModel,
  range: { from?: string | undefined; to?: string | undefined },
  released: ReadonlyArray<{ day: string; sums: Float64Array }>,
  cells: CellRelease[],
  defence: Defence,
  estimand: Estimand | undefined,
): Promise<CellRelease[]> {
  const histograms = await readHistograms(repository, campaign, question, range);
  return cells.map((cell) => {
    if (cell.suppressed) return cell;
    const days = daysOf(cell, released);
    const parts = cellParts(question, days, histograms);
    const integrity = signalOf(question, parts);
    const out: CellRelease = { ...cell, integrity };
    if (defence === 'ldprecover') return recovered(question, out, days, parts, estimand);
    return out;
  });
}

function recovered(question: QuestionModel, cell: CellRelease, days: ReadonlyArray<{ sums: Float64Array }>, parts: HistogramPart[], estimand: Estimand | undefined): CellRelease {
  const model = parts[0]?.model;
  if (question.levelled !== undefined || model?.unary === undefined || cell.values === undefined) {
    const why = question.levelled !== undefined ? 'not applied: recovery is implemented for questions without privacy levels' : 'not applied: recovery needs a unary-encoding question (OUE, SUE, L-UE), whose set-bit histogram gives the fake share and the targets';
    return { ...cell, recovery: { applied: false, fakeShare: null, targets: [], note: why } };
  }
  const sums = new Float64Array(question.mechanism.sumsLength);
  for (const d of days) for (let i = 0; i < sums.length; i++) sums[i]! += d.sums[i]!;
  const raw = question.mechanism.estimate(sums, estimand) as FrequencyEstimate;
  const { k, p, q } = model.unary;
  const result = recoverFrequencies({ k, p, q, honest: model.components[0]!, histogram: parts[0]!.histogram, values: raw.values, sumToOne: true });
  const values = (cell.values as ValueEstimate[]).map((v, i): ValueEstimate => {
    const standardError = v.standardError * result.errorScale;
    const unbiased = result.unbiased[i]!;
    const clip = (x: number) => Math.min(1, Math.max(0, x));
    return { ...v, unbiased, standardError, ci95: [clip(unbiased - Z_95 * standardError), clip(unbiased + Z_95 * standardError)], consistent: result.values[i]!, estimate: result.values[i]! };
  });
  const note =
    result.fakeShare === 0
      ? 'applied: no set-bit count in excess of honest reports, so nothing was removed (the values are the plain Norm-Sub release); an attacker whose counts look honest is not removed'
      : `applied: ≈ ${(result.fakeShare * 100).toFixed(1)}% of reports taken as fake (maximal-gain pattern on ${result.targets.length} target value${result.targets.length === 1 ? '' : 's'}), removed as in LDPRecover (Sun et al., ICDE 2024); standard errors scaled by 1/(1 − that share), not counting its own uncertainty`;
  return { ...cell, values, recovery: { applied: true, fakeShare: result.fakeShare, targets: result.targets.map((i) => question.labels[i] ?? String(i)), note } };
}

/** Per metrics registry: campaign → question → day → flagged, from the latest day-bucket read covering that day. */
const flaggedDays = new WeakMap<CollectorMetrics, Map<string, Map<string, Map<string, boolean>>>>();

/**
 * Updates pp_integrity_suspicious_cells{campaign}: the number of (question, day) cells of the
 * campaign flagged suspicious, as of the latest `bucket=day` read that covered each day (the
 * dashboard reads day cells; week and total reads do not change the gauge). Per process: each
 * instance reports what it has served.
 */
export function recordIntegrity(metrics: CollectorMetrics, release: EstimateRelease): void {
  if (release.bucket !== 'day') return;
  let byCampaign = flaggedDays.get(metrics);
  if (byCampaign === undefined) flaggedDays.set(metrics, (byCampaign = new Map()));
  let byQuestion = byCampaign.get(release.campaign);
  if (byQuestion === undefined) byCampaign.set(release.campaign, (byQuestion = new Map()));
  let days = byQuestion.get(release.question);
  if (days === undefined) byQuestion.set(release.question, (days = new Map()));
  for (const cell of release.cells) days.set(cell.period, cell.integrity?.status === 'suspicious');
  let total = 0;
  for (const perDay of byQuestion.values()) for (const flagged of perDay.values()) if (flagged) total++;
  metrics.suspiciousCells.set({ campaign: release.campaign }, total);
}
