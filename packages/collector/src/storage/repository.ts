/**
 * The one storage interface the collector uses. Two implementations (SQLite, PostgreSQL) pass the
 * same test suite (test/repository.contract.ts).
 *
 * What is stored: published campaign versions; the ids of accepted reports (for idempotent retries,
 * kept for the acceptance window only); optionally the encoded reports; and aggregate cells —
 * (campaign, version, question, day, index) → integer sum, where `index` indexes the question's
 * mechanism sum vector (index 0 = report count). Cells and report ids change in ONE transaction,
 * so an estimate never scans raw reports and a retried batch is never counted twice.
 */

export interface StoredCampaign {
  id: string;
  version: number;
  /** The validated campaign document exactly as published. */
  document: unknown;
  /** Publishable key a client must present to ingest (not a secret; it stops casual cross-posting). */
  ingestKey: string | undefined;
  publishedAt: string;
}

/** One validated, decoded report reduced to what storage needs. */
export interface ReportContribution {
  /** 128-bit random id as 32 lowercase hex digits. */
  id: string;
  questionId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Sparse contribution to the question's sum vector: [index, delta] pairs, delta an integer. */
  sums: Array<[number, number]>;
  /** The encoded report as JSON text, present only when raw reports are kept. */
  raw?: string;
  /**
   * Issue 17: the report's verified Privacy Pass token, spent in the same transaction as the report
   * is stored. A report whose id is new but whose token is already spent is not stored ('spent').
   */
  token?: TokenSpend;
}

export interface TokenSpend {
  /** The token's nonce, 64 hex digits (the spend table's key). */
  nonce: string;
  /** Last day of the token's period window: the spend row is purged with report ids of days before the window (purge's idsBeforeDay). */
  periodEnd: string;
}

/** What became of one report: stored, an id already stored (a retry), or a new id with an already spent token. */
export type ReportOutcome = 'accepted' | 'duplicate' | 'spent';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /**
   * One per report of the batch, in the batch's order, present when a report of the batch carries a
   * token (`duplicates` then counts 'duplicate' and 'spent').
   */
  outcomes?: ReportOutcome[];
}

export interface SumsQuery {
  campaignId: string;
  version: number;
  questionId: string;
  /** Inclusive day bounds, YYYY-MM-DD. */
  fromDay?: string;
  toDay?: string;
}

export interface SumCell {
  day: string;
  index: number;
  sum: number;
}

export interface CampaignToPublish {
  id: string;
  version: number;
  document: unknown;
  ingestKey?: string | undefined;
}

export type PublishOutcome = 'created' | 'unchanged';

/** A different document (or ingest key) for a campaign version that is already published. */
export class RepositoryConflictError extends Error {
  readonly code = 'CAMPAIGN_IMMUTABLE';
  constructor(
    readonly campaignId: string,
    readonly version: number,
    /** The lowest version number not yet published for this campaign. */
    readonly nextVersion: number,
  ) {
    super(`campaign ${campaignId} version ${version} is already published with different content; published versions are immutable (devices may hold reports randomized under them), so publish the change as version ${nextVersion}`);
    this.name = 'RepositoryConflictError';
  }
}

export interface Repository {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to run concurrently from several instances. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Publishes a campaign version, insert-only and atomic: the first publication of (id, version)
   * wins, re-publishing an identical document and ingest key is `unchanged`, and anything else
   * for an existing version is a RepositoryConflictError — whether or not the version has reports
   * yet (devices may hold queued reports randomized under it). The database refuses UPDATE and
   * DELETE on campaigns (migration step 2), so two instances publishing at once cannot race.
   */
  publishCampaign(campaign: CampaignToPublish): Promise<PublishOutcome>;
  /** A given version, or the latest version when `version` is undefined. */
  getCampaign(id: string, version?: number): Promise<StoredCampaign | undefined>;
  listCampaignVersions(id: string): Promise<number[]>;
  /**
   * Stores a batch in one transaction: report ids new to the database are inserted and their sums
   * added to the cells; ids already present are counted as duplicates and change nothing.
   * Resolves only after the commit.
   */
  ingest(campaignId: string, version: number, reports: ReportContribution[]): Promise<IngestResult>;
  /** Cells of one question, merged over nothing: one row per (day, index). */
  readSums(query: SumsQuery): Promise<SumCell[]>;
  /** Number of stored report ids for a campaign version (tests and ops). */
  countReports(campaignId: string, version: number): Promise<number>;
  /** Ids of stored reports (tests only; small databases). */
  listReportIds(campaignId: string, version: number): Promise<string[]>;
  /**
   * Deletes report ids of days before `idsBeforeDay`, raw payloads of days before `rawBeforeDay`,
   * and token spends whose period ended before `idsBeforeDay` (`spends`: issue 17).
   */
  purge(options: { idsBeforeDay: string; rawBeforeDay: string }): Promise<{ ids: number; raw: number; spends?: number }>;
  /** Number of recorded token spends (tests and ops). */
  countTokenSpends(): Promise<number>;
}

/** Merges contributions into cell deltas keyed (question, day, index), sorted so that concurrent writers lock in one order. */
export function cellDeltas(reports: readonly ReportContribution[]): Array<{ questionId: string; day: string; index: number; delta: number }> {
  const map = new Map<string, { questionId: string; day: string; index: number; delta: number }>();
  for (const report of reports) {
    for (const [index, delta] of report.sums) {
      if (delta === 0) continue;
      const key = `${report.questionId}\u0000${report.day}\u0000${index}`;
      const cell = map.get(key);
      if (cell === undefined) map.set(key, { questionId: report.questionId, day: report.day, index, delta });
      else cell.delta += delta;
    }
  }
  return [...map.values()].sort((a, b) => (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : a.index - b.index));
}

/** Stable JSON (sorted keys) so that re-publishing the same document compares equal; also the stored text of a document. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
