/** Exports: CSV of estimates; for RAPPOR (string) questions, Google's analysis files params.csv, counts.csv and map.csv. */
import { buildCandidateMap, isPrivacyError, rapporCountsCsv, rapporMapCsv, rapporParamsCsv, type Estimand, type Rappor } from '@practical-privacy/core';
import type { CampaignCache, QuestionModel } from './campaigns/model.ts';
import { CampaignCache as Cache } from './campaigns/model.ts';
import { HttpError } from './errors.ts';
import { estimateQuestion, releasableSums, releaseToCsv, type Bucket } from './estimates.ts';
import { estimateMergedQuestion, mergeSet, readMergedDays } from './merge-versions.ts';
import type { Repository } from './storage/repository.ts';
import type { Defence } from './integrity.ts';

export const EXPORT_FORMATS = ['csv', 'rappor-params', 'rappor-counts', 'rappor-map'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  campaignId: string;
  version?: number | undefined;
  questionId: string;
  format: ExportFormat;
  from?: string | undefined;
  to?: string | undefined;
  bucket?: Bucket;
  /** csv: what the intervals are for (default population). */
  estimand?: Estimand | undefined;
  /** `versions=merge`: every version that has the question, summed (merge-versions.ts); not with `version`. */
  mergeVersions?: boolean | undefined;
  /** csv: issue 17 §2, 'ldprecover' to export the recovered values. */
  defence?: Defence | undefined;
}

export async function exportQuestion(repository: Repository, request: ExportRequest, campaigns: CampaignCache = new Cache()): Promise<string> {
  if (request.mergeVersions === true) return exportMerged(repository, request, campaigns);
  const stored = await repository.getCampaign(request.campaignId, request.version);
  if (stored === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${request.campaignId} is not published`);
  let model;
  try {
    model = campaigns.get(stored.id, stored.version, stored.publishedAt, stored.document);
  } catch (error) {
    if (isPrivacyError(error)) throw new HttpError(500, 'CAMPAIGN_INVALID', error.message);
    throw error;
  }
  const question = model.questions.get(request.questionId);
  if (question === undefined) throw new HttpError(404, 'QUESTION_UNKNOWN', `question ${request.questionId} is not in campaign ${model.id} version ${model.version}`);
  if (request.format === 'csv') return releaseToCsv(await estimateQuestion(repository, model, question, { bucket: request.bucket ?? 'total', from: request.from, to: request.to, estimand: request.estimand, defence: request.defence }));
  return rapporFile(question, request.format, async () => (await releasableSums(repository, model, question, { from: request.from, to: request.to })).sums);
}

/** The same files merged across versions: the CSV of the merged release, RAPPOR counts of the merged released days. */
async function exportMerged(repository: Repository, request: ExportRequest, campaigns: CampaignCache): Promise<string> {
  const set = await mergeSet(repository, campaigns, request.campaignId, request.questionId);
  const range = { from: request.from, to: request.to };
  if (request.format === 'csv') return releaseToCsv(await estimateMergedQuestion(set, repository, { bucket: request.bucket ?? 'total', ...range, estimand: request.estimand, defence: request.defence }));
  const { question } = set.reference;
  return rapporFile(question, request.format, async () => {
    const sums = new Float64Array(question.mechanism.sumsLength);
    for (const day of (await readMergedDays(repository, set, range)).released) for (let i = 0; i < sums.length; i++) sums[i]! += day.sums[i]!;
    return sums;
  });
}

async function rapporFile(question: QuestionModel, format: Exclude<ExportFormat, 'csv'>, releasedSums: () => Promise<Float64Array>): Promise<string> {
  if (question.mechanism.name !== 'rappor') throw new HttpError(400, 'NOT_SUPPORTED', `${format} export needs a RAPPOR (string) question; question ${question.id} uses ${question.mechanism.name}`);
  const rappor = question.mechanism as Rappor;
  switch (format) {
    case 'rappor-params':
      // The implemented probabilities (integer thresholds), i.e. exactly what the devices used.
      return rapporParamsCsv({ k: rappor.k, h: rappor.h, m: rappor.m, p: rappor.implemented.p, q: rappor.implemented.q, f: rappor.implemented.f });
    case 'rappor-map':
      return rapporMapCsv(buildCandidateMap(rappor, question.labels));
    case 'rappor-counts':
      // The same releasable days as the estimates: a day below the minimum batch is left out, or
      // the difference of two exports over overlapping ranges would recover its bit counts.
      return rapporCountsCsv(rappor.k, rappor.m, await releasedSums());
  }
}
