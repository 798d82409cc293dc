/**
 * Estimates from stored cells: merge the sum vectors of the requested days by addition (sums are
 * mergeable by construction), then apply the question's own mechanism estimator — the same
 * parameters the devices randomized with. Cells with fewer reports than the question's minimum
 * batch are withheld, with the reason. Exclusive answers are made consistent by Norm-Sub.
 */
import {
  buildCandidateMap,
  consistentEstimate,
  decodeRappor,
  shuffleAmplifiedEpsilon,
  Z_95,
  type FrequencyEstimate,
  type Rappor,
  type RapporBitEstimate,
  type RapporCandidateMap,
} from '@practical-privacy/core';
import type { CampaignModel, QuestionModel } from './campaigns/model.ts';
import type { Repository } from './storage/repository.ts';

export type { Bucket, CellRelease, EstimateRelease, ValueEstimate } from './release.ts';
import type { Bucket, CellRelease, EstimateRelease } from './release.ts';

/** δ for the shuffle bound: smaller than 1/n for any realistic clinic-sized n. */
export const AMPLIFICATION_DELTA = 1e-6;

function weekStart(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const offset = (date.getUTCDay() + 6) % 7; // ISO weeks start on Monday
  return new Date(date.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
}

export async function estimateQuestion(
  repository: Repository,
  campaign: CampaignModel,
  question: QuestionModel,
  options: { bucket: Bucket; from?: string | undefined; to?: string | undefined },
): Promise<EstimateRelease> {
  const cells = await repository.readSums({ campaignId: campaign.id, version: campaign.version, questionId: question.id, fromDay: options.from, toDay: options.to });
  const groups = new Map<string, Float64Array>();
  for (const cell of cells) {
    const key = options.bucket === 'day' ? cell.day : options.bucket === 'week' ? weekStart(cell.day) : (options.from ?? cells[0]!.day);
    let sums = groups.get(key);
    if (sums === undefined) groups.set(key, (sums = new Float64Array(question.mechanism.sumsLength)));
    if (cell.index >= 0 && cell.index < sums.length) sums[cell.index]! += cell.sum;
  }
  if (options.bucket === 'total' && groups.size === 0) groups.set(options.from ?? '', new Float64Array(question.mechanism.sumsLength));
  const released = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([period, sums]) => releaseCell(question, period, sums));
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
    cells: released,
  };
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
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

export function releaseCell(question: QuestionModel, period: string, sums: Float64Array): CellRelease {
  const n = sums[0] ?? 0;
  if (n < question.minBatch) {
    return { period, n, suppressed: true, reason: `fewer than the minimum batch of ${question.minBatch} reports (has ${n})` };
  }
  const amplification = shuffleAmplifiedEpsilon({ epsilon0: question.mechanism.implementedEpsilon, n, delta: AMPLIFICATION_DELTA });
  if (question.type === 'string') {
    const decoded = decodeRappor(question.mechanism.estimate(sums) as RapporBitEstimate, candidateMap(question));
    const values = decoded.candidates.map((c) => ({ value: c.candidate, estimate: Math.max(0, c.proportion), unbiased: c.proportion, standardError: c.standardError, ci95: [clip01(c.ci95[0]), clip01(c.ci95[1])] as [number, number] }));
    return {
      period,
      n,
      suppressed: false,
      values,
      decoding: { zThreshold: decoded.zThreshold, detected: decoded.detected.map((c) => c.candidate), unexplainedMass: decoded.unexplainedMass, backgroundShare: decoded.backgroundShare },
      amplification,
    };
  }
  const raw = question.mechanism.estimate(sums) as Partial<FrequencyEstimate> & { mean?: number; standardError?: number };
  if (Array.isArray(raw.values) && Array.isArray(raw.standardErrors) && Array.isArray(raw.ci95)) {
    // Exclusive answers sum to one (Norm-Sub); multiselect prevalences are only clipped to [0, 1].
    const consistent = consistentEstimate(raw as FrequencyEstimate, { sumToOne: question.type === 'boolean' || question.type === 'categorical' });
    const values = raw.values.map((unbiased, i) => ({
      value: question.labels[i] ?? String(i),
      estimate: consistent.values[i]!,
      unbiased,
      standardError: raw.standardErrors![i]!,
      ci95: consistent.ci95[i]!,
    }));
    return { period, n, suppressed: false, values, amplification };
  }
  if (typeof raw.mean === 'number' && typeof raw.standardError === 'number') {
    return { period, n, suppressed: false, mean: { estimate: raw.mean, standardError: raw.standardError, ci95: [raw.mean - Z_95 * raw.standardError, raw.mean + Z_95 * raw.standardError] }, amplification };
  }
  return { period, n, suppressed: true, reason: `no estimator for mechanism ${question.mechanism.name}` };
}

/** CSV of a release: one row per (period, value). RFC 4180 quoting. */
export function releaseToCsv(release: EstimateRelease): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['campaign,version,question,period,value,n,estimate,unbiased,standard_error,ci95_low,ci95_high,suppressed,reason,epsilon,mechanism,amplified_epsilon,amplified_delta'];
  for (const cell of release.cells) {
    const common = [quote(release.campaign), String(release.version), quote(release.question), cell.period];
    const amplified = cell.amplification?.applicable === true ? cell.amplification : undefined;
    const tail = [String(release.epsilon), release.mechanism, String(amplified?.epsilon ?? ''), String(amplified?.delta ?? '')];
    if (cell.suppressed) lines.push([...common, '', String(cell.n), '', '', '', '', '', 'true', quote(cell.reason ?? ''), ...tail].join(','));
    for (const v of cell.values ?? []) {
      lines.push([...common, quote(v.value), String(cell.n), String(v.estimate), String(v.unbiased), String(v.standardError), String(v.ci95[0]), String(v.ci95[1]), 'false', '', ...tail].join(','));
    }
    if (cell.mean !== undefined) {
      lines.push([...common, 'mean', String(cell.n), String(cell.mean.estimate), String(cell.mean.estimate), String(cell.mean.standardError), String(cell.mean.ci95[0]), String(cell.mean.ci95[1]), 'false', '', ...tail].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
