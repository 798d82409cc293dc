/**
 * Estimates from stored cells: per UTC day, the sum vectors of the question (sums are mergeable by
 * construction); then the question's own mechanism estimator — the same parameters the devices
 * randomized with — on each released cell.
 *
 * Minimum batch: a day with fewer reports than the question's `minBatch` is withheld, and it is
 * withheld from every week and total as well. Were it added into larger cells, releases over
 * overlapping ranges (total of d1..d2 minus total of d1..d2−1; `from`/`to` are free) would recover
 * its sums exactly, since every released figure is a function of the summed vector and n.
 *
 * Consistency: exclusive answers get Norm-Sub, multiselect items and RAPPOR candidates are
 * clipped to [0, 1]; the unbiased value (the centre of the interval) is released next to it.
 *
 * Estimand (estimand.ts, core's estimand.ts): every interval is for the population share by
 * default — the respondents' variance plus f(1−f)/n, f̂ clipped — or, with `estimand:
 * 'respondents'` (`?estimand=respondents`), for the share among the patients who answered. The
 * release says which, with the assumptions. Means have one (empirical, population) SE.
 *
 * Week and total standard errors: Σₜ (nₜ/n)·SEₜ over the cell's days, SEₜ of the same estimand, a
 * bound that holds however the days are correlated (bucket-error.ts) — a patient may be in every
 * day of a week, re-sending one memoized report, and the collector has no device identifier to
 * measure that.
 *
 * Shuffle amplification (FMT21) is stated for a `day` cell only: its bound needs n reports from n
 * different devices, which a week or total cannot promise (a patient checking in daily is in it
 * many times). See AMPLIFICATION_ASSUMPTION for what even a day cell relies on.
 */
import { HttpError } from './errors.ts';
import {
  DEFAULT_ESTIMAND,
  addDays,
  buildCandidateMap,
  isoWeekStart,
  consistentEstimate,
  decodeRappor,
  shuffleAmplifiedEpsilon,
  shuffleMaxLocalEpsilon,
  Z_95,
  mechanismMeta,
  type FrequencyEstimate,
  type MeanEstimate,
  type Rappor,
  type RapporBitEstimate,
  type Estimand,
  type RapporCandidateMap,
} from '@practical-privacy/core';
import { ANY_CORRELATION_NOTE, anyCorrelationBound, dayWeights, rapporBitBound, samplingSize } from './bucket-error.ts';
import { estimandNote, estimandStatement } from './estimand.ts';
import type { CampaignModel, QuestionModel } from './campaigns/model.ts';
import type { Repository } from './storage/repository.ts';
import { withIntegrity, type Defence } from './integrity.ts';

export type { Bucket, CellAmplification, CellRelease, EstimateRelease, Withheld } from './release.ts';
import type { Bucket, CellAmplification, CellRelease, CellUncertainty, EstimateRelease, ReleasedValue, UndetectedValue, Withheld } from './release.ts';

/** δ for the shuffle bound: smaller than 1/n for any realistic clinic-sized n. */
export const AMPLIFICATION_DELTA = 1e-6;

/** What a day cell's shuffle-amplified ε relies on (README "Shuffle amplification" has the detail). */
export const AMPLIFICATION_ASSUMPTION =
  'Each of the n reports of this day comes from a different device (at most one report of this question per device per UTC day), ' +
  'and the day is read as one batch. The collector cannot check this (it stores no device identifier); the SDK enforces it on each device (one report per question per period, ALREADY_REPORTED), which an opt-out and opt-in or a second browser resets. ' +
  'Per day only: a patient who reported on several days is covered by the sum of those days’ ε; the local ε per report holds regardless.';

/** Monday of the ISO week holding `day`: core's rule, the one the SDK's budget weeks use. */
export const weekStart = isoWeekStart;

export interface DayCell {
  day: string;
  sums: Float64Array;
}

/** The question's stored sums per day in [from, to], as stored (nothing withheld yet). */
export async function readDaySums(repository: Repository, campaign: CampaignModel, question: QuestionModel, range: { from?: string | undefined; to?: string | undefined }): Promise<Map<string, Float64Array>> {
  const cells = await repository.readSums({ campaignId: campaign.id, version: campaign.version, questionId: question.id, fromDay: range.from, toDay: range.to });
  const days = new Map<string, Float64Array>();
  for (const cell of cells) {
    let sums = days.get(cell.day);
    if (sums === undefined) days.set(cell.day, (sums = new Float64Array(question.mechanism.sumsLength)));
    if (cell.index >= 0 && cell.index < sums.length) sums[cell.index]! += cell.sum;
  }
  return days;
}

/**
 * The question's stored sums per day in [from, to], oldest first, split by the minimum batch:
 * `released` days have at least `minBatch` reports; `withheld` days have fewer and must not enter
 * any released figure.
 */
export async function readDays(
  repository: Repository,
  campaign: CampaignModel,
  question: QuestionModel,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<{ released: DayCell[]; withheld: DayCell[] }> {
  const days = await readDaySums(repository, campaign, question, range);
  // Privacy levels (issue 14 §2): a (day, level) part below the minimum batch is left out of the
  // day, and so of every week and total built from released days — a rarely chosen level never
  // shows as its own small group. What was dropped is not reported (its count would be the group).
  if (question.levelled !== undefined) for (const sums of days.values()) question.levelled.withholdSmallLevels(sums, question.minBatch);
  const all = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, sums]) => ({ day, sums }));
  return { released: all.filter((d) => (d.sums[0] ?? 0) >= question.minBatch), withheld: all.filter((d) => (d.sums[0] ?? 0) < question.minBatch) };
}

/**
 * Sums of [from, to] over the releasable days only, and what was left out — for any export of
 * summed counts (e.g. RAPPOR counts.csv), which must not reintroduce a withheld day either.
 */
export async function releasableSums(
  repository: Repository,
  campaign: CampaignModel,
  question: QuestionModel,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<{ sums: Float64Array; withheld: Withheld | undefined }> {
  const { released, withheld } = await readDays(repository, campaign, question, range);
  return { sums: addUp(question, released.map((d) => d.sums)), withheld: withheldNote(question, withheld) };
}

function addUp(question: QuestionModel, days: readonly Float64Array[]): Float64Array {
  const sums = new Float64Array(question.mechanism.sumsLength);
  for (const d of days) for (let i = 0; i < sums.length; i++) sums[i]! += d[i]!;
  return sums;
}

function withheldNote(question: QuestionModel, days: readonly DayCell[]): Withheld | undefined {
  if (days.length === 0) return undefined;
  const reports = days.reduce((s, d) => s + (d.sums[0] ?? 0), 0);
  return {
    days: days.length,
    reports,
    reason: `${days.length} ${days.length === 1 ? 'day has' : 'days have'} fewer than the minimum batch of ${question.minBatch} reports (${reports} reports in all); a withheld day is left out of every week and total too, so that no difference of released figures can recover it`,
  };
}

export interface EstimateOptions {
  bucket: Bucket;
  from?: string | undefined;
  to?: string | undefined;
  estimand?: Estimand | undefined;
  /** Issue 17 §2: 'ldprecover' recomputes unary-encoding shares with the poisoning recovery (integrity.ts). */
  defence?: Defence | undefined;
  /** Days already read and split (merge-versions.ts); default readDays of `campaign`'s version. */
  days?: { released: DayCell[]; withheld: DayCell[] } | undefined;
}

export async function estimateQuestion(repository: Repository, campaign: CampaignModel, question: QuestionModel, options: EstimateOptions): Promise<EstimateRelease> {
  const estimand = options.estimand ?? DEFAULT_ESTIMAND;
  const { released, withheld } = options.days ?? (await readDays(repository, campaign, question, options));
  let cells: CellRelease[];
  if (options.bucket === 'day') {
    const all = [...released, ...withheld].sort((a, b) => (a.day < b.day ? -1 : 1));
    cells = all.map((d) => releaseCell(question, { period: d.day, periodEnd: d.day, scope: 'day' }, [d.sums], undefined, estimand));
  } else if (options.bucket === 'week') {
    const weeks = new Map<string, { released: DayCell[]; withheld: DayCell[] }>();
    const weekOf = (monday: string) => weeks.get(monday) ?? weeks.set(monday, { released: [], withheld: [] }).get(monday)!;
    for (const d of released) weekOf(weekStart(d.day)).released.push(d);
    for (const d of withheld) weekOf(weekStart(d.day)).withheld.push(d);
    cells = [...weeks.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([monday, days]) => {
        // Label with the days the cell really covers: a `from` or `to` inside the week cuts it.
        const sunday = addDays(monday, 6);
        const period = options.from !== undefined && options.from > monday ? options.from : monday;
        const periodEnd = options.to !== undefined && options.to < sunday ? options.to : sunday;
        return releaseCell(question, { period, periodEnd, scope: 'week' }, days.released.map((d) => d.sums), withheldNote(question, days.withheld), estimand);
      });
  } else {
    const days = [...released, ...withheld].map((d) => d.day).sort();
    const period = options.from ?? days[0] ?? '';
    const periodEnd = options.to ?? days.at(-1) ?? period;
    cells = [releaseCell(question, { period, periodEnd, scope: 'total' }, released.map((d) => d.sums), withheldNote(question, withheld), estimand)];
  }
  // Issue 17 §2 (integrity.ts): the integrity signal of every released cell, from released days only; the defence if asked.
  // A release merged across versions (options.days, merge-versions.ts) gets no signal: its days
  // mix versions' parts (a version's withheld part can enter with the others'), while the
  // histograms are kept per version — a per-version histogram would describe a part the merged
  // release keeps below minBatch. Each version's own release has its signal.
  const defence = options.defence ?? 'none';
  if (options.days !== undefined) {
    if (defence !== 'none') throw new HttpError(400, 'REQUEST_INVALID', 'defence: not with versions=merge (the set-bit histograms are kept per version: read each version with version=N)', 'defence');
    const merged = { status: 'not-applicable' as const, reason: 'not computed for a release merged across versions (the set-bit histograms are kept per version): read each version with version=N for its signal', score: null };
    cells = cells.map((cell) => (cell.suppressed ? cell : { ...cell, integrity: merged }));
  } else cells = await withIntegrity(repository, campaign, question, options, released, cells, defence, estimand);
  return {
    campaign: campaign.id,
    version: campaign.version,
    question: question.id,
    type: question.type,
    mechanism: question.mechanism.name,
    epsilon: question.epsilon,
    implementedEpsilon: question.mechanism.implementedEpsilon,
    minBatch: question.minBatch,
    bucket: options.bucket,
    from: options.from ?? null,
    to: options.to ?? null,
    estimand: estimandStatement(mechanismMeta(question.mechanism.name).estimate, estimand),
    defence,
    cells,
  };
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** A share as the notes print it: two significant digits, in percent ("8.8%", "0.41%", "12%"). */
export function formatShare(share: number): string {
  return `${Number((share * 100).toPrecision(2))}%`;
}

/** What a release says of a RAPPOR candidate the decoding did not detect (release.ts, UndetectedValue). */
export function undetectedNote(detectionLimit: number): string {
  return detectionLimit >= 1 ? 'not detectable at this n (at any share)' : `not detectable at this n (below ≈ ${formatShare(detectionLimit)})`;
}

function undetectedValue(value: string, detectionLimit: number): UndetectedValue {
  return { value, detectable: false, detectionLimit, note: undetectedNote(detectionLimit), unbiased: null, standardError: null, ci95: null, consistent: null, estimate: null };
}

/** Candidate maps hash every candidate in every cohort: cache them per mechanism instance. */
const candidateMaps = new WeakMap<object, RapporCandidateMap>();

function candidateMap(question: QuestionModel): RapporCandidateMap {
  let map = candidateMaps.get(question.mechanism);
  if (map === undefined) {
    map = buildCandidateMap(question.mechanism as Rappor, question.labels);
    candidateMaps.set(question.mechanism, map);
  }
  return map;
}

/**
 * The shuffle bound for a released cell. Only a day cell can meet the bound's premise (n reports
 * from n devices, each ε₀-LDP); for week and total the n reports may come from far fewer devices,
 * and the number of devices is unknown, so no figure is stated.
 */
export function cellAmplification(epsilon0: number, n: number, scope: Bucket): CellAmplification {
  const delta = AMPLIFICATION_DELTA;
  if (scope !== 'day') {
    return {
      applicable: false,
      scope,
      code: 'SEVERAL_REPORTS_PER_DEVICE',
      reason: `not stated for a ${scope} bucket: a patient who reported on several days is in it several times, so its ${n} reports are not ${n} different devices as the shuffle bound requires; see the day cells`,
      epsilon0,
      n,
      delta,
    };
  }
  const bound = shuffleAmplifiedEpsilon({ epsilon0, n, delta });
  if (bound.applicable) return { applicable: true, scope, epsilon: bound.epsilon, delta, epsilon0, n, assumption: AMPLIFICATION_ASSUMPTION };
  const tooSmall = shuffleMaxLocalEpsilon(n, delta) <= 0;
  return {
    applicable: false,
    scope,
    code: tooSmall ? 'N_TOO_SMALL' : 'EPSILON0_TOO_LARGE',
    reason: tooSmall
      ? `${n} reports are too few: the bound needs more than 16·ln(2/δ) = ${(16 * Math.log(2 / delta)).toFixed(1)} at δ = ${delta}`
      : `ε per report (${epsilon0}) is too large for ${n} reports: the bound needs ε₀ ≤ ln(n/(16·ln(2/δ))) = ${shuffleMaxLocalEpsilon(n, delta).toFixed(3)}`,
    epsilon0,
    n,
    delta,
  };
}

/** What a day cell's standard errors rest on (the week/total note is bucket-error.ts's). */
export const DAY_ERROR_NOTE =
  'The mechanism’s standard error, for the release’s estimand, of this day’s reports, each from a different device (at most one report of this question per device per period, enforced by the SDK).';

function uncertaintyOf(scope: Bucket, days: number): CellUncertainty {
  return scope === 'day' ? { basis: 'day', days, note: DAY_ERROR_NOTE } : { basis: 'any-correlation-bound', days, note: ANY_CORRELATION_NOTE };
}

/**
 * One cell from the sum vectors of its released days (a day cell: one). The value is estimated
 * from the summed sums; the standard errors are for `estimand`, and with several days they are the
 * any-correlation bound (bucket-error.ts) over the days' SEs of that estimand; `ci95` is the value
 * ± 1.96 times the SE.
 */
export function releaseCell(
  question: QuestionModel,
  cover: { period: string; periodEnd: string; scope: Bucket },
  days: readonly Float64Array[],
  withheld?: Withheld,
  estimand: Estimand = DEFAULT_ESTIMAND,
): CellRelease {
  const sums = addUp(question, days);
  const n = sums[0] ?? 0;
  const head = { period: cover.period, periodEnd: cover.periodEnd, n, ...(withheld === undefined ? {} : { withheld }) };
  if (n < question.minBatch) {
    const reason =
      cover.scope === 'day' || withheld === undefined
        ? `fewer than the minimum batch of ${question.minBatch} reports (has ${n})`
        : `no day in this ${cover.scope} has the minimum batch of ${question.minBatch} reports on its own (${withheld.reports} reports on ${withheld.days} ${withheld.days === 1 ? 'day' : 'days'} withheld)`;
    return { ...head, suppressed: true, reason };
  }
  const mechanism = question.mechanism;
  const amplification = cellAmplification(mechanism.implementedEpsilon, n, cover.scope);
  const uncertainty = uncertaintyOf(cover.scope, days.length);
  // With one day the bound is that day's SE: skip the second estimate, keep day cells as they were.
  const several = days.length > 1;
  const weights = dayWeights(days);
  // What the estimate is, from the registry (core's mechanisms/registry.ts), not from its shape.
  const kind = mechanismMeta(mechanism.name).estimate;
  if (kind === 'rappor') {
    const pooled = mechanism.estimate(sums) as RapporBitEstimate;
    const bits = several ? rapporBitBound(pooled, days.map((d) => mechanism.estimate(d) as RapporBitEstimate)) : pooled;
    // The population's sampling term: x̂(1−x̂)/n_s, n_s = n for a day, (Σₜ wₜ/√nₜ)^−2 for the bound.
    const decoded = decodeRappor(bits, candidateMap(question), { estimand, samplingSize: samplingSize(days) });
    const values = decoded.candidates.map((c): ReleasedValue => {
      if (!c.detected) return undetectedValue(c.candidate, c.detectionLimit);
      // A share lies in [0, 1]: the least-squares fit can leave it (NNLS keeps it ≥ 0 only).
      const consistent = clip01(c.proportion);
      return { value: c.candidate, unbiased: c.proportion, standardError: c.standardError, ci95: [clip01(c.ci95[0]), clip01(c.ci95[1])], consistent, estimate: consistent, detectable: true, detectionLimit: c.detectionLimit };
    });
    return {
      ...head,
      suppressed: false,
      values,
      decoding: {
        zThreshold: decoded.zThreshold,
        detected: decoded.detected.map((c) => c.candidate),
        detectionPower: decoded.detectionPower,
        dispersion: decoded.dispersion,
        unexplainedMass: decoded.unexplainedMass,
        backgroundShare: decoded.backgroundShare,
      },
      uncertainty,
      amplification,
    };
  }
  if (kind === 'frequency' || kind === 'prevalence') {
    const raw = mechanism.estimate(sums, estimand) as FrequencyEstimate;
    const perDay = several ? days.map((d) => mechanism.estimate(d, estimand) as FrequencyEstimate) : [raw];
    const standardErrors = several ? anyCorrelationBound(perDay.map((e) => e.standardErrors), weights) : raw.standardErrors;
    const bounded: FrequencyEstimate = { n, values: raw.values, standardErrors, ci95: raw.values.map((x, i) => [x - Z_95 * standardErrors[i]!, x + Z_95 * standardErrors[i]!]) };
    // Exclusive answers (a string question under LOLOHA too: a candidate or "other") sum to one
    // (Norm-Sub); multiselect prevalences are only clipped to [0, 1].
    const consistent = consistentEstimate(several ? bounded : raw, { sumToOne: kind === 'frequency' });
    const values = raw.values.map((unbiased, i) => ({
      value: question.labels[i] ?? String(i),
      unbiased,
      standardError: standardErrors[i]!,
      ci95: consistent.ci95[i]!,
      consistent: consistent.values[i]!,
      estimate: consistent.values[i]!,
    }));
    return { ...head, suppressed: false, values, uncertainty, amplification };
  }
  if (kind === 'mean') {
    const raw = mechanism.estimate(sums) as MeanEstimate;
    const perDay = several ? days.map((d) => mechanism.estimate(d) as MeanEstimate) : [raw];
    const standardError = several ? anyCorrelationBound(perDay.map((e) => [e.standardError]), weights)[0]! : raw.standardError;
    return { ...head, suppressed: false, mean: { estimate: raw.mean, standardError, ci95: [raw.mean - Z_95 * standardError, raw.mean + Z_95 * standardError] }, uncertainty, amplification };
  }
  const unreachable: never = kind;
  throw new Error(`no release for estimate kind ${String(unreachable)}`);
}

/**
 * CSV of a release: one row per (period, value). RFC 4180 quoting. `estimate` is the consistent
 * (post-processed) value and `unbiased` the centre of the interval, as in the JSON release.
 * `amplified_epsilon` is filled for day cells only (see cellAmplification); otherwise
 * `amplification_note` says why not. `standard_error_basis` is `day` or `any-correlation-bound`
 * (CellUncertainty: week/total SEs bound the SE for any correlation between days). `estimand` is
 * `population` or `respondents` and `estimand_note` what that interval covers and assumes.
 * `version` is the release's version, or for a release merged across versions (merge-versions.ts)
 * the merged versions joined by `+` (`1+2+3`).
 * `detectable` and `detection_limit` are filled for RAPPOR candidates only; an undetected one has
 * empty estimate, SE and interval cells (not zeros) and its "not detectable at this n (below ≈ x%)"
 * in `reason`.
 */
export function releaseToCsv(release: EstimateRelease): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [
    'campaign,version,question,period,value,n,estimate,unbiased,standard_error,ci95_low,ci95_high,suppressed,reason,epsilon,mechanism,amplified_epsilon,amplified_delta,period_end,withheld_days,withheld_reports,amplification_note,standard_error_basis,estimand,estimand_note,detectable,detection_limit,integrity_status,integrity_score',
  ];
  const estimandColumns = [release.estimand.name, quote(estimandNote(release.estimand))];
  for (const cell of release.cells) {
    const common = [quote(release.campaign), release.versions === undefined ? String(release.version) : release.versions.join('+'), quote(release.question), cell.period];
    const a = cell.amplification;
    const tail = [
      String(release.epsilon),
      release.mechanism,
      a?.applicable === true ? String(a.epsilon) : '',
      a?.applicable === true ? String(a.delta) : '',
      cell.periodEnd,
      String(cell.withheld?.days ?? 0),
      String(cell.withheld?.reports ?? 0),
      quote(a === undefined ? '' : a.applicable ? a.assumption : a.reason),
      cell.uncertainty?.basis ?? '',
      ...estimandColumns,
    ];
    // Issue 17 §2: the cell's integrity signal, after the RAPPOR detection columns.
    const integrity = [cell.integrity?.status ?? '', cell.integrity?.score === null || cell.integrity === undefined ? '' : String(cell.integrity.score)];
    if (cell.suppressed) lines.push([...common, '', String(cell.n), '', '', '', '', '', 'true', quote(cell.reason ?? ''), ...tail, '', '', ...integrity].join(','));
    for (const v of cell.values ?? []) {
      const detection = v.detectable === undefined ? ['', ''] : [String(v.detectable), String(v.detectionLimit)];
      if (v.detectable === false) {
        // No estimate, no interval: empty cells, not zeros; the reason says what is known.
        lines.push([...common, quote(v.value), String(cell.n), '', '', '', '', '', 'false', quote(v.note), ...tail, ...detection, ...integrity].join(','));
        continue;
      }
      lines.push([...common, quote(v.value), String(cell.n), String(v.consistent), String(v.unbiased), String(v.standardError), String(v.ci95[0]), String(v.ci95[1]), 'false', '', ...tail, ...detection, ...integrity].join(','));
    }
    if (cell.mean !== undefined) {
      lines.push([...common, 'mean', String(cell.n), String(cell.mean.estimate), String(cell.mean.estimate), String(cell.mean.standardError), String(cell.mean.ci95[0]), String(cell.mean.ci95[1]), 'false', '', ...tail, '', '', ...integrity].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
