/**
 * The one storage interface the collector uses. Two implementations (SQLite, PostgreSQL) pass the
 * same test suite (test/repository.contract.ts).
 *
 * What is stored: published campaign versions; the ids of accepted reports (for idempotent retries,
 * kept for the acceptance window only); optionally the encoded reports; and aggregate cells —
 * (campaign, version, question, day, index) → integer sum, where `index` indexes the question's
 * mechanism sum vector (index 0 = report count). Cells and report ids change in ONE transaction,
 * so an estimate never scans raw reports and a retried batch is never counted twice. Beside the
 * immutable versions: each campaign's ingest keys and state (closed, aggregate retention), API
 * tokens (SHA-256 only) and an append-only audit log (migration step 3).
 */

export interface StoredCampaign {
  id: string;
  version: number;
  /** The validated campaign document exactly as published. */
  document: unknown;
  /** The ingest key this version was published with (kept for the immutability check); the keys ingest accepts are `ingestPolicy`'s. */
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
  /**
   * Sparse contribution to the question's sum vector: [index, delta] pairs, delta an integer —
   * only the cells the report changes (core's sparseContribution, 12 bytes a cell).
   */
  sums: Iterable<readonly [number, number]>;
  /** The encoded report as JSON text, present only when raw reports are kept. */
  raw?: string;
  /**
   * Issue 17: the report's verified Privacy Pass token, spent in the same transaction as the report
   * is stored. A report whose id is new but whose token is already spent is not stored ('spent').
   */
  token?: TokenSpend;
  /**
   * Issue 17 §2: the report's set-bit count and privacy-level index, for mechanisms with an honest
   * set-bit law (unary encodings, RAPPOR); added to `set_bit_counts` with the sums.
   */
  setBits?: { level: number; bits: number };
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

/** One row of a question's set-bit histograms: `n` reports of `day` at level index `level` had `bits` set bits. */
export interface SetBitCell {
  day: string;
  level: number;
  bits: number;
  n: number;
}

export interface CampaignToPublish {
  id: string;
  version: number;
  document: unknown;
  /** Also added to the campaign's ingest keys (label `published-v<version>`) unless the campaign already has this key. */
  ingestKey?: string | undefined;
  /** Written in the publication's transaction, with `{ version, outcome }` added to its detail. */
  audit?: AuditRecord | undefined;
}

export type TokenRole = 'admin' | 'read';

/** A bearer token as stored: its SHA-256 only, never the token. Times are ISO 8601 UTC. */
export interface StoredToken {
  label: string;
  role: TokenRole;
  /** Campaign ids a read token may read; null = every campaign. */
  campaigns: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface TokenToCreate extends StoredToken {
  /** SHA-256 of the token, 64 lowercase hex digits. */
  tokenSha256: string;
}

export interface IngestKeyRecord {
  campaignId: string;
  label: string;
  /** Publishable (it ships inside the app), so it is stored as is and shown to admins. */
  key: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What ingest needs to know about a campaign beyond its immutable versions. */
export interface IngestPolicy {
  /** Set once the campaign is closed: ingest is refused. */
  closedAt: string | null;
  /** True once the campaign has ever had an ingest key: revoking every key does not open it. */
  keyRequired: boolean;
  /** Keys neither revoked nor expired at the time asked. */
  activeKeys: string[];
}

export interface CampaignSummary {
  id: string;
  versions: number[];
  closedAt: string | null;
  retentionDays: number | null;
}

export const AUDIT_ACTIONS = [
  'campaign.publish',
  'campaign.close',
  'campaign.purge',
  'campaign.retention',
  'retention.delete',
  'ingest-key.add',
  'ingest-key.revoke',
  'token.create',
  'token.revoke',
  'read.estimates',
  'read.export',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit row to write: who (a token label or an internal actor such as `retention`), what, when. Never a token. */
export interface AuditRecord {
  at: string;
  actor: string;
  action: AuditAction;
  campaignId?: string | undefined;
  questionId?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: AuditAction;
  campaignId: string | null;
  questionId: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  /** Entries with a smaller id than this (the previous page's `next`); newest first. */
  before?: number | undefined;
  limit: number;
  campaignId?: string | undefined;
  action?: AuditAction | undefined;
}

/** What one retention pass deleted for one campaign (also written to the audit log). */
export interface RetentionDeletion {
  campaignId: string;
  /** Cells and report ids of days before this one were deleted. */
  beforeDay: string;
  cells: number;
  reports: number;
}

/** A label (token or ingest key) or key value that is already taken. */
export class RepositoryDuplicateError extends Error {
  readonly code = 'LABEL_TAKEN';
  constructor(readonly what: string) {
    super(`${what} already exists; labels are never reused, so audit rows name one token or key`);
    this.name = 'RepositoryDuplicateError';
  }
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
  /** Every published version of every campaign, ordered by id then version (`pp-collector campaign list`). */
  listPublishedCampaigns(): Promise<StoredCampaign[]>;
  /**
   * Stores a batch in one transaction: report ids new to the database are inserted and their sums
   * added to the cells; ids already present are counted as duplicates and change nothing.
   * Resolves only after the commit.
   */
  ingest(campaignId: string, version: number, reports: ReportContribution[]): Promise<IngestResult>;
  /** Calls `observer` after each group commit (group-commit.ts) with its batch and report counts. */
  observeGroupCommits(observer: (group: { batches: number; reports: number }) => void): void;
  /** Cells of one question, merged over nothing: one row per (day, index). */
  readSums(query: SumsQuery): Promise<SumCell[]>;
  /** Issue 17 §2: the question's set-bit histogram rows, one per (day, level, bits). */
  readSetBitCounts(query: SumsQuery): Promise<SetBitCell[]>;
  /** Number of stored report ids for a campaign version (tests and ops). */
  countReports(campaignId: string, version: number): Promise<number>;
  /** Ids of stored reports (tests only; small databases). */
  listReportIds(campaignId: string, version: number): Promise<string[]>;
  /** Issue 17: which of `ids` are stored (any campaign) — a retried, already accepted report is a duplicate, whatever its token now is. */
  storedReportIds(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Deletes report ids of days before `idsBeforeDay`, raw payloads of days before `rawBeforeDay`,
   * and token spends whose period ended before `idsBeforeDay` (`spends`: issue 17).
   */
  purge(options: { idsBeforeDay: string; rawBeforeDay: string }): Promise<{ ids: number; raw: number; spends?: number }>;
  /** Number of recorded token spends (tests and ops). */
  countTokenSpends(): Promise<number>;

  /** Stores a token (RepositoryDuplicateError when its label or hash exists), with its audit row, in one transaction. */
  createToken(token: TokenToCreate, audit: AuditRecord): Promise<void>;
  /** The token whose SHA-256 this is, revoked and expired ones included (the caller decides). */
  findToken(tokenSha256: string): Promise<StoredToken | undefined>;
  listTokens(): Promise<StoredToken[]>;
  /** Sets `revokedAt` (kept if already revoked) and writes the audit row; undefined when no such label. */
  revokeToken(label: string, audit: AuditRecord): Promise<StoredToken | undefined>;

  addIngestKey(key: IngestKeyRecord, audit: AuditRecord): Promise<void>;
  listIngestKeys(campaignId: string): Promise<IngestKeyRecord[]>;
  revokeIngestKey(campaignId: string, label: string, audit: AuditRecord): Promise<IngestKeyRecord | undefined>;
  /** Closed state and keys valid at `now` (ISO), read on every ingest. */
  ingestPolicy(campaignId: string, now: string): Promise<IngestPolicy>;

  /** Every published campaign, its versions and state, by id. */
  listCampaigns(): Promise<CampaignSummary[]>;
  /** Closes the campaign (the first close's time is kept) and writes the audit row. */
  closeCampaign(campaignId: string, audit: AuditRecord): Promise<{ closedAt: string; alreadyClosed: boolean }>;
  /** Sets (or, with null, removes) the aggregate retention in days, with its audit row. */
  setRetention(campaignId: string, days: number | null, audit: AuditRecord): Promise<void>;
  /**
   * Deletes every report id, raw report and cell of the campaign (all versions) with its audit row,
   * in one transaction, after this instance's queued batches are stored. Campaign documents stay:
   * they are insert-only, and hold no patient data.
   */
  purgeCampaign(campaignId: string, audit: AuditRecord): Promise<{ reports: number; cells: number }>;
  /**
   * For each campaign with a retention of N days: deletes its cells and report ids of days before
   * `today` − max(N, `minDays`), writing one `retention.delete` audit row (actor `retention`) per
   * campaign that lost rows.
   */
  applyRetention(options: { today: string; minDays: number; at: string }): Promise<RetentionDeletion[]>;

  /** Appends one audit row (reads; actions use their own method's transaction). */
  appendAudit(record: AuditRecord): Promise<void>;
  readAudit(query: AuditQuery): Promise<AuditEntry[]>;
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

/** Merges the reports' set-bit counts into histogram deltas keyed (question, day, level, bits), sorted like cellDeltas. */
export function setBitDeltas(reports: readonly ReportContribution[]): Array<{ questionId: string; day: string; level: number; bits: number; delta: number }> {
  const map = new Map<string, { questionId: string; day: string; level: number; bits: number; delta: number }>();
  for (const report of reports) {
    if (report.setBits === undefined) continue;
    const { level, bits } = report.setBits;
    const key = `${report.questionId}\u0000${report.day}\u0000${level}\u0000${bits}`;
    const cell = map.get(key);
    if (cell === undefined) map.set(key, { questionId: report.questionId, day: report.day, level, bits, delta: 1 });
    else cell.delta += 1;
  }
  return [...map.values()].sort((a, b) => (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : a.level - b.level || a.bits - b.bits));
}

/** Stable JSON (sorted keys) so that re-publishing the same document compares equal; also the stored text of a document. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
