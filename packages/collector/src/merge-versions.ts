/**
 * Estimates merged across campaign versions (issue 16 §4, `versions=merge`): a question whose
 * mechanism and parameters did not change when the campaign got a new version (a question added,
 * a key rotated, a prompt reworded) has day cells of the same meaning in every version, and their
 * sums add up (core's aggregation is a sum).
 *
 * Which versions: every published version of the campaign that has the question — always all of
 * them, never a subset chosen by the reader. Two merges over different sets (versions 1–2 and
 * 1–3) would differ by exactly one version's part of a day, which may be a part withheld from
 * that version's own release.
 *
 * When: only if the question's definition digest (`questionDefinition`) is identical in every one
 * of those versions; otherwise 409 VERSIONS_DIFFER naming the first (oldest) version that differs
 * from the newest one, and the field. `minBatch` and `levels` are part of the definition: levels
 * lay out the sums vector (a block per level), and one minimum batch must hold for a merged day
 * and for the per-version releases it is compared with.
 *
 * Minimum batch (estimates.ts withholds a day below `minBatch` from every release): a merged day
 * must not reveal by difference a part that a per-version release withheld. Per day, the parts a
 * version releases on their own (R, the version's day after its own small-level withholding, if
 * that day reaches minBatch) are known to a reader of the unmerged releases; what the merged day
 * adds beyond R is the sum W of the withheld parts of every version. So W is treated as one more
 * part and released only if it passes the same rule on its own (at least `minBatch` reports, and,
 * for levelled questions, each level block at least `minBatch`); otherwise it is left out and the
 * merged day is R alone. Merged day = R + (W if W passes). A day withheld in every version but
 * with `minBatch` reports merged is therefore released — it is then W itself, a group of at least
 * `minBatch` reports, as any released day is. Weeks and totals add released merged days only, as
 * for one version. test/merge-versions.test.ts plays the differencing reader.
 */
import { createHash } from 'node:crypto';
import { isPrivacyError } from '@practical-privacy/core';
import type { CampaignCache, CampaignModel, QuestionModel } from './campaigns/model.ts';
import { HttpError } from './errors.ts';
import { estimateQuestion, readDaySums, type DayCell, type EstimateOptions } from './estimates.ts';
import type { EstimateRelease } from './release.ts';
import type { Repository } from './storage/repository.ts';

/** The query value that asks for a merge (`?versions=merge`, CLI `--versions merge`). */
export const MERGE_VERSIONS = 'merge';

/** Question fields that only change what a patient or a dashboard reads, never what a report means to the estimator. */
const DISPLAY_FIELDS = new Set(['prompt', 'label', 'tier']);

/** JSON with object keys sorted at every depth: one text per value, whatever the document's key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Answer options keep their code (what the sums index means), not their label (display text). */
function withoutOptionLabels(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOptionLabels);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 2 && typeof record.code === 'string' && typeof record.label === 'string') return { code: record.code };
    return Object.fromEntries(keys.map((k) => [k, withoutOptionLabels(record[k])]));
  }
  return value;
}

/**
 * What the estimator of a question depends on, field by field: the validated question (defaults
 * applied) without its display text, plus the mechanism the collector built from it (the `auto`
 * choice resolved, its implemented ε and sums layout) — so an unchanged document that resolves
 * differently still differs.
 */
export function questionDefinition(question: QuestionModel): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(question.question as Record<string, unknown>)) {
    if (!DISPLAY_FIELDS.has(key) && key !== 'id' && value !== undefined) fields[key] = canonicalJson(withoutOptionLabels(value));
  }
  fields['resolved mechanism'] = canonicalJson({ name: question.mechanism.name, implementedEpsilon: question.mechanism.implementedEpsilon, sumsLength: question.mechanism.sumsLength });
  return fields;
}

/** SHA-256 of the canonical definition: equal digests, mergeable versions. */
export function questionDigest(question: QuestionModel): string {
  return createHash('sha256').update(canonicalJson(questionDefinition(question))).digest('hex');
}

interface Member {
  campaign: CampaignModel;
  question: QuestionModel;
}

export interface MergeSet {
  /** The newest version with the question: its model labels the release. */
  reference: Member;
  /** Every version with the question, oldest first (the reference last). */
  members: Member[];
}

/** The versions to merge, or 404 (no version has the question) / 409 VERSIONS_DIFFER. */
export async function mergeSet(repository: Repository, campaigns: CampaignCache, campaignId: string, questionId: string): Promise<MergeSet> {
  const members: Member[] = [];
  for (const version of await repository.listCampaignVersions(campaignId)) {
    const stored = await repository.getCampaign(campaignId, version);
    if (stored === undefined) continue;
    let campaign: CampaignModel;
    try {
      campaign = campaigns.get(stored.id, stored.version, stored.publishedAt, stored.document);
    } catch (error) {
      if (isPrivacyError(error)) throw new HttpError(500, 'CAMPAIGN_INVALID', error.message);
      throw error;
    }
    const question = campaign.questions.get(questionId);
    if (question !== undefined) members.push({ campaign, question });
  }
  const reference = members.at(-1);
  if (reference === undefined) {
    if (members.length === 0 && (await repository.getCampaign(campaignId)) === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${campaignId} is not published`);
    throw new HttpError(404, 'QUESTION_UNKNOWN', `question ${questionId} is in no version of campaign ${campaignId}`, 'question');
  }
  const expected = questionDefinition(reference.question);
  const digest = questionDigest(reference.question);
  for (const member of members) {
    if (questionDigest(member.question) === digest) continue;
    const actual = questionDefinition(member.question);
    const fields = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter((key) => expected[key] !== actual[key]);
    throw new HttpError(
      409,
      'VERSIONS_DIFFER',
      `question ${questionId} of campaign ${campaignId} differs in version ${member.campaign.version} from version ${reference.campaign.version} (${fields.join(', ')}): its estimates cannot be merged across versions; read each version on its own with version=N`,
      'versions',
    );
  }
  return { reference, members };
}

/**
 * The merged days of [from, to], split like estimates.ts's readDays: released days (R + W when W
 * passes the minimum batch, see the file comment) and withheld days (every part withheld and W
 * too small), the latter with the counts their versions' own releases show.
 */
export async function readMergedDays(repository: Repository, set: MergeSet, range: { from?: string | undefined; to?: string | undefined }): Promise<{ released: DayCell[]; withheld: DayCell[] }> {
  const { question } = set.reference;
  const minBatch = question.minBatch;
  const length = question.mechanism.sumsLength;
  const days = new Map<string, { releasedParts: Float64Array; withheldParts: Float64Array; shown: Float64Array }>();
  const dayOf = (day: string) => {
    let d = days.get(day);
    if (d === undefined) days.set(day, (d = { releasedParts: new Float64Array(length), withheldParts: new Float64Array(length), shown: new Float64Array(length) }));
    return d;
  };
  for (const member of set.members) {
    for (const [day, raw] of await readDaySums(repository, member.campaign, member.question, range)) {
      // The version's own release of this day: small levels dropped, then the day's minimum batch.
      const own = Float64Array.from(raw);
      question.levelled?.withholdSmallLevels(own, minBatch);
      const d = dayOf(day);
      const releasedOnItsOwn = (own[0] ?? 0) >= minBatch;
      for (let i = 0; i < length; i++) {
        const released = releasedOnItsOwn ? own[i]! : 0;
        d.releasedParts[i]! += released;
        d.withheldParts[i]! += raw[i]! - released;
        d.shown[i]! += own[i]!;
      }
    }
  }
  const released: DayCell[] = [];
  const withheld: DayCell[] = [];
  for (const [day, d] of [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // W, the withheld parts together, must pass the rule on its own to be added.
    const rest = d.withheldParts;
    question.levelled?.withholdSmallLevels(rest, minBatch);
    if ((rest[0] ?? 0) < minBatch) rest.fill(0);
    const sums = d.releasedParts;
    for (let i = 0; i < length; i++) sums[i]! += rest[i]!;
    if ((sums[0] ?? 0) >= minBatch) released.push({ day, sums });
    // Otherwise nothing of the day may be released: R is empty (a part released on its own has minBatch reports) and W too small.
    else withheld.push({ day, sums: d.shown });
  }
  return { released, withheld };
}

/** The release of `question` merged over every version that has it (`versions` lists them). */
export async function estimateMergedQuestion(set: MergeSet, repository: Repository, options: Omit<EstimateOptions, 'days'>): Promise<EstimateRelease> {
  const days = await readMergedDays(repository, set, options);
  const release = await estimateQuestion(repository, set.reference.campaign, set.reference.question, { ...options, days });
  return { ...release, versions: set.members.map((m) => m.campaign.version) };
}
