/**
 * Ingestion: validate a whole batch against its campaign version, reduce each report to its sum
 * contribution, then hand the batch to the repository's single transaction. Nothing is stored
 * unless every report is valid (a malformed batch changes nothing), and the caller acknowledges
 * only after `ingest` resolves, i.e. after COMMIT.
 */
import { encodedOf, isPrivacyError, RandomSampler, sparseContribution } from '@practical-privacy/core';
import { parseBatch, type AnyMechanism, type CampaignCache } from './campaigns/model.ts';
import { HttpError } from './errors.ts';
import { tokensEqual } from './auth.ts';
import type { IngestResult, ReportContribution, Repository } from './storage/repository.ts';
import { checkBatchTokens, contributionsToStore, reportAnswers, type ReportAnswer } from './privacy-pass/batch-tokens.ts';
import { TokenKeyRing } from './privacy-pass/key-ring.ts';
import { setBitsOf } from './integrity.ts';

export interface IngestOptions {
  reportWindowDays: number;
  maxBatchReports: number;
  keepRawReports: boolean;
  /** Current time, injectable for tests. */
  now?: () => Date;
  /** Coins for shuffling a batch before it is stored; default the platform CSPRNG (tests seed it). */
  random?: RandomSampler;
  /** Issue 17: the published token keys, for campaigns with `tokens` (none: their reports are refused TOKEN_KEY_UNKNOWN). */
  tokenKeys?: TokenKeyRing;
}

/** Issue 17: for campaigns with `tokens`, the per-report answer and the count of refused reports. */
export interface TokenIngestAnswer {
  refused: number;
  reports: ReportAnswer[];
}

let defaultSampler: RandomSampler | undefined;

/**
 * Fisher–Yates with uniform integers from the CSPRNG, in place. A batch is one device's reports,
 * in the order the device made them; storing them shuffled keeps that order (which question was
 * answered first, which report was queued last) out of the database's row order. Both stores now
 * also write a group in report-id order (storage/group-commit.ts), which hides it as long as the
 * device drew its ids at random; the shuffle keeps the promise without relying on the ids or on
 * how a store orders its writes.
 */
function shuffle<T>(items: T[], random: RandomSampler): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.uniformInt(i + 1);
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}

/**
 * Every device switches to the next UTC day at the same instant (00:00 UTC, local evening or
 * morning depending on the time zone); a device whose clock runs a little ahead of ours crosses
 * it first and stamps tomorrow's day while our clock still reads today. Such a day is accepted
 * during the last hour before 00:00 UTC; later days are refused.
 */
const FUTURE_GRACE_MS = 3_600_000;
const DAY_MS = 86_400_000;


export async function ingestBatch(
  body: unknown,
  ingestKey: string | undefined,
  repository: Repository,
  campaigns: CampaignCache,
  options: IngestOptions,
): Promise<IngestResult & { campaign: string; tokens?: TokenIngestAnswer }> {
  const now = (options.now ?? (() => new Date()))().getTime();
  let batch;
  try {
    // Core checks the schema and the day window against one clock, so it is given our clock plus
    // the grace: days up to utcDay(now + 1 h) pass. The window's oldest day stays counted from our
    // own UTC day: when the grace reaches into tomorrow, the window is one day longer from there.
    const graced = new Date(now + FUTURE_GRACE_MS);
    const crossesMidnight = Math.floor(graced.getTime() / DAY_MS) !== Math.floor(now / DAY_MS);
    batch = parseBatch(body, { now: graced, maxAgeDays: options.reportWindowDays + (crossesMidnight ? 1 : 0) });
  } catch (error) {
    if (isPrivacyError(error)) throw new HttpError(400, error.code, error.message, error.path);
    throw error;
  }
  if (batch.reports.length > options.maxBatchReports) {
    throw new HttpError(413, 'BATCH_TOO_LARGE', `reports: at most ${options.maxBatchReports} reports per batch, got ${batch.reports.length}`, 'reports');
  }
  // The campaign is read (and parsed, through the cache) outside the write transaction on
  // purpose, and that is safe: campaign versions are insert-only in the database (a different
  // document for a published version is refused, UPDATE and DELETE are blocked by triggers), so
  // the parameters read here are the ones the version has forever, and the reports committed
  // below are debiased with exactly those. A version that is not yet visible here is a 404.
  const stored = await repository.getCampaign(batch.campaignId, batch.campaignVersion);
  if (stored === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${batch.campaignId} version ${batch.campaignVersion} is not published`, 'campaignId');
  // Keys and the closed state live outside the immutable version rows (a key rotates, a campaign
  // closes, and neither makes a new version). Every active key is compared, in constant time each.
  const policy = await repository.ingestPolicy(batch.campaignId, new Date(now).toISOString());
  if (policy.keyRequired) {
    let matched = false;
    for (const key of policy.activeKeys) matched = (ingestKey !== undefined && tokensEqual(ingestKey, key)) || matched;
    if (!matched) throw new HttpError(401, 'INGEST_KEY_INVALID', 'this campaign needs a valid ingest key (header x-pp-ingest-key or query ?key=); revoked and expired keys are refused');
  }
  if (policy.closedAt !== null) {
    throw new HttpError(410, 'CAMPAIGN_CLOSED', `campaign ${batch.campaignId} was closed at ${policy.closedAt} and accepts no more reports; do not retry`, 'campaignId');
  }
  const model = campaigns.get(stored.id, stored.version, stored.publishedAt, stored.document);

  const contributions: ReportContribution[] = batch.reports.map((report, i) => {
    const path = `reports.${i}`;
    const question = model.questions.get(report.questionId);
    if (question === undefined) throw new HttpError(400, 'QUESTION_UNKNOWN', `${path}.questionId: ${report.questionId} is not in campaign ${model.id} version ${model.version}`, `${path}.questionId`);
    let decoded: unknown;
    try {
      decoded = question.mechanism.decodeReport(encodedOf(report));
    } catch (error) {
      if (isPrivacyError(error, 'PAYLOAD_INVALID')) throw new HttpError(400, 'PAYLOAD_INVALID', `${path}.${error.path ?? 'payload'}: ${error.message}`, `${path}.${error.path ?? 'payload'}`);
      // Decoders refuse bad payloads with PAYLOAD_INVALID; anything else is a decoder bug, so a 500 (nothing acknowledged, the
      // fuzz test fails on it), logged with the stack frames but not the message, which may quote the payload.
      const bug = new Error(`${question.mechanism.name} decoder failed with ${error instanceof Error ? error.name : typeof error}`);
      bug.stack = [bug.message, ...String((error as Error | undefined)?.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))].join('\n');
      throw bug;
    }
    // Only the cells this report changes (core's sparseContribution, from the mechanism's one
    // aggregation primitive): a RAPPOR report of k = 4096 bits touches ≤ 4,098 cells, not the
    // m·(k + 1) + 1 of its question. Integers are checked there (a mechanism bug is a 500).
    const level = report.ext?.level;
    let aggregation: AnyMechanism;
    if (question.levelled !== undefined) {
      // Privacy levels (issue 14 §2): the total, and the report's cells in its level's block.
      try {
        aggregation = question.levelled.atLevel(level) as unknown as AnyMechanism;
      } catch (error) {
        if (isPrivacyError(error, 'PAYLOAD_INVALID')) throw new HttpError(400, 'PAYLOAD_INVALID', `${path}.ext.level: ${error.message}`, `${path}.ext.level`);
        throw error;
      }
    } else {
      // A question without levels has one: its epsilon. Any other level would be debiased wrongly.
      if (level !== undefined && level !== question.epsilon) throw new HttpError(400, 'PAYLOAD_INVALID', `${path}.ext.level: question ${question.id} has no privacy levels (only ε₁ = ${question.epsilon}), got ${level}`, `${path}.ext.level`);
      aggregation = question.mechanism;
    }
    const contribution: ReportContribution = { id: report.id, questionId: report.questionId, day: report.day, sums: sparseContribution(aggregation, decoded) };
    // Issue 17 §2: the report's set-bit count for its cell's histogram (integrity.ts), stored with the sums.
    const setBits = setBitsOf(question, decoded, level);
    if (setBits !== undefined) contribution.setBits = setBits;
    if (options.keepRawReports) contribution.raw = JSON.stringify(report.cohort === undefined ? { payload: report.payload } : { payload: report.payload, cohort: report.cohort });
    return contribution;
  });

  // Issue 17 (privacy-pass/): a campaign with `tokens` checks each report's token after the whole
  // batch passed validation; refused reports are left out, the others stored with their spends.
  if (model.document.tokens !== undefined) {
    const checks = await checkBatchTokens(batch.reports, model, options.tokenKeys ?? TokenKeyRing.empty(), new Date(now));
    const stored = contributionsToStore(contributions, checks);
    shuffle(stored, options.random ?? (defaultSampler ??= new RandomSampler()));
    const result = stored.length === 0 ? { accepted: 0, duplicates: 0, outcomes: [] } : await repository.ingest(model.id, model.version, stored);
    const refusedIds = contributions.filter((_, i) => !checks[i]!.ok).map((c) => c.id);
    const alreadyStored = refusedIds.length === 0 ? new Set<string>() : await repository.storedReportIds(refusedIds);
    const reports = reportAnswers(contributions, checks, stored, result.outcomes ?? [], alreadyStored);
    const refused = reports.filter((r) => r.status === 'refused').length;
    return { accepted: result.accepted, duplicates: reports.length - result.accepted - refused, campaign: model.id, tokens: { refused, reports } };
  }

  shuffle(contributions, options.random ?? (defaultSampler ??= new RandomSampler()));
  const result = await repository.ingest(model.id, model.version, contributions);
  return { ...result, campaign: model.id };
}
