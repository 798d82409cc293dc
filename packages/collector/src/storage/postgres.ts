/**
 * PostgreSQL storage (`pg`): several collector instances behind a load balancer share one database.
 *
 * Concurrency: report ids are inserted with ON CONFLICT DO NOTHING ... RETURNING, so when two
 * instances race on the same id the unique index makes the second wait for the first to commit and
 * then see a conflict: exactly one of them adds the report to the cells. Ids and cells are written
 * in sorted order so concurrent batches lock rows in one order; a deadlock or serialization failure
 * that slips through is retried. COMMIT returns after the WAL is flushed (synchronous_commit on,
 * PostgreSQL's default), and only then does the collector acknowledge.
 */
import { addDays } from '@practical-privacy/core';
import pg from 'pg';
import { GroupCommit, partsInIdOrder, type IngestRequest } from './group-commit.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { PolicyCache } from './policy-cache.ts';
import {
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type CampaignSummary,
  canonicalJson,
  type CampaignToPublish,
  cellDeltas,
  setBitDeltas,
  type IngestKeyRecord,
  type IngestPolicy,
  RepositoryConflictError,
  RepositoryDuplicateError,
  type RetentionDeletion,
  type StoredToken,
  type TokenToCreate,
  type IngestResult,
  type PublishOutcome,
  type ReportContribution,
  type ReportOutcome,
  type Repository,
  type StoredCampaign,
  type SetBitCell,
  type SumCell,
  type SumsQuery,
} from './repository.ts';

// DATE and BIGINT come back as strings (no time-zone shifts, no precision loss above 2^53).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1082) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const RETRYABLE = new Set(['40001', '40P01']);
const MIGRATION_LOCK_KEY = 0x70706d69; // "ppmi"

export interface PostgresOptions {
  connectionString: string;
  /** Per-instance cache of closed state and ingest keys (policy-cache.ts); tests inject one. */
  policyCache?: PolicyCache;
  /** Schema to use (created if missing); tests use one per run. */
  schema?: string;
  poolSize?: number;
}

/** Splits a `?schema=name` parameter off a connection URL. */
export function parsePostgresUrl(url: string): PostgresOptions {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return schema === undefined ? { connectionString: parsed.toString() } : { connectionString: parsed.toString(), schema };
}

export class PostgresRepository implements Repository {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private readonly policyCache: PolicyCache;

  constructor(options: PostgresOptions) {
    this.policyCache = options.policyCache ?? new PolicyCache();
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`schema: must match [a-z_][a-z0-9_]*, got ${options.schema}`);
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      types,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`).catch((error: { code?: string }) => {
        if (error.code !== '23505' && error.code !== '42P06') throw error; // concurrent creation
      });
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query('CREATE TABLE IF NOT EXISTS pp_schema_version (version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM pp_schema_version');
      const current = rows[0]?.version ?? 0;
      for (let step = current; step < POSTGRES_MIGRATIONS.length; step++) await client.query(POSTGRES_MIGRATIONS[step]!);
      if (rows.length === 0) await client.query('INSERT INTO pp_schema_version (version) VALUES ($1)', [POSTGRES_MIGRATIONS.length]);
      else await client.query('UPDATE pp_schema_version SET version = $1', [POSTGRES_MIGRATIONS.length]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    // Batches queued for the next group commit are stored (or refused) before the pool goes.
    await this.groupCommit.drain();
    await this.pool.end();
  }

  /** Drops the schema (tests). */
  async dropSchema(): Promise<void> {
    if (this.schema !== undefined) await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < 5 && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }

  async publishCampaign(campaign: CampaignToPublish): Promise<PublishOutcome> {
    // The cached policy is dropped after the change commits (policy-cache.ts).
    return this.policyCache.afterChange(campaign.id, async () => {
      const text = canonicalJson(campaign.document);
      const key = campaign.ingestKey ?? null;
      // Insert-only: the primary key decides which publication of (id, version) wins. When another
      // instance's insert of the same version is still uncommitted, ON CONFLICT waits for it to
      // commit (then this one does nothing) or roll back (then this one inserts). The following
      // SELECT runs with a fresh READ COMMITTED snapshot, so it sees the winner's row. The row can
      // never change afterwards: triggers refuse UPDATE, DELETE and TRUNCATE (migration step 2).
      return this.transaction(async (client) => {
        const inserted = await client.query(
          'INSERT INTO campaigns (id, version, document, document_text, ingest_key) VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (id, version) DO NOTHING RETURNING published_at',
          [campaign.id, campaign.version, text, text, key],
        );
        let outcome: PublishOutcome;
        if (inserted.rowCount === 1) {
          // A key the campaign already has (in any state, revoked included) is not added again.
          if (key !== null) {
            await client.query(
              'INSERT INTO ingest_keys (campaign_id, label, key, created_at) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM ingest_keys WHERE campaign_id = $1 AND key = $3) ON CONFLICT DO NOTHING',
              [campaign.id, `published-v${campaign.version}`, key, (inserted.rows[0] as { published_at: Date }).published_at],
            );
          }
          outcome = 'created';
        } else {
          const { rows } = await client.query<{ document_text: string; ingest_key: string | null }>('SELECT document_text, ingest_key FROM campaigns WHERE id = $1 AND version = $2', [campaign.id, campaign.version]);
          const existing = rows[0];
          if (existing === undefined) throw new Error(`campaign ${campaign.id} version ${campaign.version}: insert conflicted but the row is missing`);
          if (existing.document_text !== text || existing.ingest_key !== key) {
            const latest = await client.query<{ latest: number }>('SELECT max(version) AS latest FROM campaigns WHERE id = $1', [campaign.id]);
            throw new RepositoryConflictError(campaign.id, campaign.version, (latest.rows[0]?.latest ?? campaign.version) + 1);
          }
          outcome = 'unchanged';
        }
        if (campaign.audit !== undefined) await insertAudit(client, campaign.audit, { version: campaign.version, outcome });
        return outcome;
      });
    });
  }

  async getCampaign(id: string, version?: number): Promise<StoredCampaign | undefined> {
    const { rows } =
      version === undefined
        ? await this.pool.query<{ id: string; version: number; document_text: string; ingest_key: string | null; published_at: Date }>(
            'SELECT id, version, document_text, ingest_key, published_at FROM campaigns WHERE id = $1 ORDER BY version DESC LIMIT 1',
            [id],
          )
        : await this.pool.query<{ id: string; version: number; document_text: string; ingest_key: string | null; published_at: Date }>(
            'SELECT id, version, document_text, ingest_key, published_at FROM campaigns WHERE id = $1 AND version = $2',
            [id, version],
          );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { id: row.id, version: row.version, document: JSON.parse(row.document_text) as unknown, ingestKey: row.ingest_key ?? undefined, publishedAt: row.published_at.toISOString() };
  }

  async listCampaignVersions(id: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ version: number }>('SELECT version FROM campaigns WHERE id = $1 ORDER BY version', [id]);
    return rows.map((r) => r.version);
  }

  async listPublishedCampaigns(): Promise<StoredCampaign[]> {
    const { rows } = await this.pool.query<{ id: string; version: number; document_text: string; ingest_key: string | null; published_at: Date }>(
      'SELECT id, version, document_text, ingest_key, published_at FROM campaigns ORDER BY id, version',
    );
    return rows.map((row) => ({ id: row.id, version: row.version, document: JSON.parse(row.document_text) as unknown, ingestKey: row.ingest_key ?? undefined, publishedAt: row.published_at.toISOString() }));
  }

  /**
   * Group commit (group-commit.ts): one group in flight per instance; the batches that arrive while
   * it is written form the next one. Local batches then never wait on each other's locks of the
   * same hot cell rows, and share one COMMIT.
   */
  async ingest(campaignId: string, version: number, reports: ReportContribution[]): Promise<IngestResult> {
    return this.groupCommit.submit({ campaignId, version, reports });
  }

  private readonly groupCommit = new GroupCommit((group) => this.storeGroup(group));

  observeGroupCommits(observer: (group: { batches: number; reports: number }) => void): void {
    this.groupCommit.observer = observer;
  }

  /** One transaction for all of `group` (retried whole on a deadlock); results in the order of `group`. */
  private async storeGroup(group: readonly IngestRequest[]): Promise<IngestResult[]> {
    const ordered = partsInIdOrder(group);
    return this.transaction(async (client) => {
      const accepted = group.map(() => 0);
      const outcomes = new Map<ReportContribution, ReportOutcome>();
      for (const { campaignId, version, entries } of ordered) {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO reports (id, campaign_id, version, question_id, day, raw)
           SELECT r.id, $1, $2, r.question_id, r.day::date, r.raw
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS r(id, question_id, day, raw, ord)
            ORDER BY r.ord
           ON CONFLICT (id) DO NOTHING
           RETURNING id`,
          [campaignId, version, entries.map((e) => e.report.id), entries.map((e) => e.report.questionId), entries.map((e) => e.report.day), entries.map((e) => e.report.raw ?? null)],
        );
        const insertedIds = new Set(rows.map((r) => r.id));
        // An id named twice (in one batch or two) is inserted once: count it once, for its first copy.
        const status: ReportOutcome[] = entries.map(({ report }) => (insertedIds.delete(report.id) ? 'accepted' : 'duplicate'));
        // Issue 17: new reports spend their tokens in this same transaction (nonces in sorted order,
        // the lock order every instance follows). A nonce another transaction committed first, or
        // that an earlier report of this group spent, conflicts: that report is taken back out.
        const withToken = entries.filter(({ report }, k) => status[k] === 'accepted' && report.token !== undefined).map(({ report }) => report.token!);
        const spentNow = new Set<string>();
        if (withToken.length > 0) {
          const sorted = [...withToken].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
          const spends = await client.query<{ nonce: string }>(
            `INSERT INTO token_spends (nonce, period_end)
             SELECT s.nonce, s.period_end::date FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS s(nonce, period_end, ord) ORDER BY s.ord
             ON CONFLICT (nonce) DO NOTHING RETURNING nonce`,
            [sorted.map((t) => t.nonce), sorted.map((t) => t.periodEnd)],
          );
          for (const row of spends.rows) spentNow.add(row.nonce);
        }
        const unstored: string[] = [];
        const fresh: ReportContribution[] = [];
        entries.forEach(({ report, batch }, k) => {
          if (status[k] === 'accepted' && report.token !== undefined && !spentNow.delete(report.token.nonce)) {
            status[k] = 'spent';
            unstored.push(report.id);
          }
          if (!outcomes.has(report)) outcomes.set(report, status[k]!);
          if (status[k] !== 'accepted') return;
          fresh.push(report);
          accepted[batch]! += 1;
        });
        if (unstored.length > 0) await client.query('DELETE FROM reports WHERE id = ANY($1::text[])', [unstored]);
        const cells = cellDeltas(fresh);
        if (cells.length > 0) {
          await client.query(
            `INSERT INTO cells (campaign_id, version, question_id, day, idx, sum)
             SELECT $1, $2, c.question_id, c.day::date, c.idx, c.delta
               FROM unnest($3::text[], $4::text[], $5::int[], $6::bigint[]) WITH ORDINALITY AS c(question_id, day, idx, delta, ord)
              ORDER BY c.ord
             ON CONFLICT (campaign_id, version, question_id, day, idx) DO UPDATE SET sum = cells.sum + excluded.sum`,
            [campaignId, version, cells.map((c) => c.questionId), cells.map((c) => c.day), cells.map((c) => c.index), cells.map((c) => c.delta)],
          );
        }
        // Issue 17 §2: the set-bit histograms, in this same transaction (sorted: one lock order).
        const histogram = setBitDeltas(fresh);
        if (histogram.length > 0) {
          await client.query(
            `INSERT INTO set_bit_counts (campaign_id, version, question_id, day, level, bits, n)
             SELECT $1, $2, h.question_id, h.day::date, h.level, h.bits, h.delta
               FROM unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[]) WITH ORDINALITY AS h(question_id, day, level, bits, delta, ord)
              ORDER BY h.ord
             ON CONFLICT (campaign_id, version, question_id, day, level, bits) DO UPDATE SET n = set_bit_counts.n + excluded.n`,
            [campaignId, version, histogram.map((h) => h.questionId), histogram.map((h) => h.day), histogram.map((h) => h.level), histogram.map((h) => h.bits), histogram.map((h) => h.delta)],
          );
        }
      }
      // Per-report outcomes only for batches with tokens (issue 17): the only callers that answer per report.
      return group.map((batch, i) => {
        const counts = { accepted: accepted[i]!, duplicates: batch.reports.length - accepted[i]! };
        return batch.reports.some((r) => r.token !== undefined) ? { ...counts, outcomes: batch.reports.map((r) => outcomes.get(r) ?? 'duplicate') } : counts;
      });
    });
  }

  async readSums(query: SumsQuery): Promise<SumCell[]> {
    const { rows } = await this.pool.query<{ day: string; idx: number; sum: string }>(
      `SELECT day, idx, sum FROM cells
        WHERE campaign_id = $1 AND version = $2 AND question_id = $3 AND day >= $4::date AND day <= $5::date
        ORDER BY day, idx`,
      [query.campaignId, query.version, query.questionId, query.fromDay ?? '0001-01-01', query.toDay ?? '9999-12-31'],
    );
    return rows.map((r) => ({ day: r.day, index: r.idx, sum: Number(r.sum) }));
  }

  async readSetBitCounts(query: SumsQuery): Promise<SetBitCell[]> {
    const { rows } = await this.pool.query<{ day: string; level: number; bits: number; n: string }>(
      `SELECT day, level, bits, n FROM set_bit_counts
        WHERE campaign_id = $1 AND version = $2 AND question_id = $3 AND day >= $4::date AND day <= $5::date
        ORDER BY day, level, bits`,
      [query.campaignId, query.version, query.questionId, query.fromDay ?? '0001-01-01', query.toDay ?? '9999-12-31'],
    );
    return rows.map((r) => ({ day: r.day, level: r.level, bits: r.bits, n: Number(r.n) }));
  }

  async countReports(campaignId: string, version: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM reports WHERE campaign_id = $1 AND version = $2', [campaignId, version]);
    return Number(rows[0]?.n ?? 0);
  }

  async storedReportIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM reports WHERE id = ANY($1::text[])', [[...new Set(ids)]]);
    return new Set(rows.map((r) => r.id));
  }

  async listReportIds(campaignId: string, version: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM reports WHERE campaign_id = $1 AND version = $2 ORDER BY id', [campaignId, version]);
    return rows.map((r) => r.id);
  }

  async purge(options: { idsBeforeDay: string; rawBeforeDay: string }): Promise<{ ids: number; raw: number; spends: number }> {
    return this.transaction(async (client) => {
      const raw = await client.query('UPDATE reports SET raw = NULL WHERE raw IS NOT NULL AND day < $1::date', [options.rawBeforeDay]);
      const ids = await client.query('DELETE FROM reports WHERE day < $1::date', [options.idsBeforeDay]);
      const spends = await client.query('DELETE FROM token_spends WHERE period_end < $1::date', [options.idsBeforeDay]);
      return { ids: ids.rowCount ?? 0, raw: raw.rowCount ?? 0, spends: spends.rowCount ?? 0 };
    });
  }

  async createToken(token: TokenToCreate, audit: AuditRecord): Promise<void> {
    await this.transaction(async (client) => {
      const inserted = await client.query(
        'INSERT INTO api_tokens (label, role, token_sha256, campaigns, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [token.label, token.role, token.tokenSha256, token.campaigns === null ? null : JSON.stringify(token.campaigns), token.createdAt, token.expiresAt],
      );
      if (inserted.rowCount !== 1) throw new RepositoryDuplicateError(`token label ${token.label}`);
      await insertAudit(client, audit);
    });
  }

  async findToken(tokenSha256: string): Promise<StoredToken | undefined> {
    const { rows } = await this.pool.query<TokenRow>('SELECT label, role, campaigns, created_at, expires_at, revoked_at FROM api_tokens WHERE token_sha256 = $1', [tokenSha256]);
    return rows[0] === undefined ? undefined : tokenOf(rows[0]);
  }

  async listTokens(): Promise<StoredToken[]> {
    const { rows } = await this.pool.query<TokenRow>('SELECT label, role, campaigns, created_at, expires_at, revoked_at FROM api_tokens ORDER BY created_at, label');
    return rows.map(tokenOf);
  }

  async revokeToken(label: string, audit: AuditRecord): Promise<StoredToken | undefined> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<TokenRow>('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE label = $2 RETURNING label, role, campaigns, created_at, expires_at, revoked_at', [audit.at, label]);
      if (rows[0] === undefined) return undefined;
      await insertAudit(client, audit);
      return tokenOf(rows[0]);
    });
  }

  async addIngestKey(key: IngestKeyRecord, audit: AuditRecord): Promise<void> {
    // The cached policy is dropped after the change commits (policy-cache.ts).
    return this.policyCache.afterChange(key.campaignId, async () => {
      await this.transaction(async (client) => {
        const inserted = await client.query('INSERT INTO ingest_keys (campaign_id, label, key, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [key.campaignId, key.label, key.key, key.createdAt, key.expiresAt]);
        if (inserted.rowCount !== 1) {
          const { rows } = await client.query<{ label: string }>('SELECT label FROM ingest_keys WHERE campaign_id = $1 AND (label = $2 OR key = $3)', [key.campaignId, key.label, key.key]);
          const taken = rows.find((r) => r.label === key.label);
          throw new RepositoryDuplicateError(taken !== undefined ? `ingest key label ${key.label}` : `this key (label ${rows[0]?.label ?? '?'})`);
        }
        await insertAudit(client, audit);
      });
    });
  }

  async listIngestKeys(campaignId: string): Promise<IngestKeyRecord[]> {
    const { rows } = await this.pool.query<KeyRow>('SELECT campaign_id, label, key, created_at, expires_at, revoked_at FROM ingest_keys WHERE campaign_id = $1 ORDER BY created_at, label', [campaignId]);
    return rows.map(keyOf);
  }

  async revokeIngestKey(campaignId: string, label: string, audit: AuditRecord): Promise<IngestKeyRecord | undefined> {
    // The cached policy is dropped after the change commits (policy-cache.ts).
    return this.policyCache.afterChange(campaignId, async () => {
      return this.transaction(async (client) => {
        const { rows } = await client.query<KeyRow>(
          'UPDATE ingest_keys SET revoked_at = coalesce(revoked_at, $1) WHERE campaign_id = $2 AND label = $3 RETURNING campaign_id, label, key, created_at, expires_at, revoked_at',
          [audit.at, campaignId, label],
        );
        if (rows[0] === undefined) return undefined;
        await insertAudit(client, audit);
        return keyOf(rows[0]);
      });
    });
  }

  async ingestPolicy(campaignId: string, now: string): Promise<IngestPolicy> {
    return this.policyCache.get(campaignId, now, async () => {
      // One round trip: the state row (if any) and every key of the campaign.
      const { rows } = await this.pool.query<{ closed_at: Date | null; key: string | null; expires_at: Date | null; revoked_at: Date | null }>(
        `SELECT s.closed_at, k.key, k.expires_at, k.revoked_at
           FROM (SELECT $1::text AS campaign_id) AS c
           LEFT JOIN campaign_state s ON s.campaign_id = c.campaign_id
           LEFT JOIN ingest_keys k ON k.campaign_id = c.campaign_id`,
        [campaignId],
      );
      return { closedAt: iso(rows[0]?.closed_at ?? null), keys: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at) })) };
    });
  }

  async listCampaigns(): Promise<CampaignSummary[]> {
    const { rows } = await this.pool.query<{ id: string; versions: number[]; closed_at: Date | null; retention_days: number | null }>(
      `SELECT c.id, array_agg(c.version ORDER BY c.version) AS versions, s.closed_at, s.retention_days
         FROM campaigns c LEFT JOIN campaign_state s ON s.campaign_id = c.id
        GROUP BY c.id, s.closed_at, s.retention_days ORDER BY c.id`,
    );
    return rows.map((r) => ({ id: r.id, versions: r.versions, closedAt: r.closed_at === null ? null : r.closed_at.toISOString(), retentionDays: r.retention_days }));
  }

  async closeCampaign(campaignId: string, audit: AuditRecord): Promise<{ closedAt: string; alreadyClosed: boolean }> {
    // The cached policy is dropped after the change commits (policy-cache.ts).
    return this.policyCache.afterChange(campaignId, async () => {
      return this.transaction(async (client) => {
        await client.query('INSERT INTO campaign_state (campaign_id) VALUES ($1) ON CONFLICT DO NOTHING', [campaignId]);
        const { rows } = await client.query<{ closed_at: Date | null }>('SELECT closed_at FROM campaign_state WHERE campaign_id = $1 FOR UPDATE', [campaignId]);
        const before = rows[0]?.closed_at ?? null;
        if (before === null) await client.query('UPDATE campaign_state SET closed_at = $2 WHERE campaign_id = $1', [campaignId, audit.at]);
        await insertAudit(client, audit, { alreadyClosed: before !== null });
        return { closedAt: before === null ? new Date(audit.at).toISOString() : before.toISOString(), alreadyClosed: before !== null };
      });
    });
  }

  async setRetention(campaignId: string, days: number | null, audit: AuditRecord): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('INSERT INTO campaign_state (campaign_id, retention_days) VALUES ($1, $2) ON CONFLICT (campaign_id) DO UPDATE SET retention_days = excluded.retention_days', [campaignId, days]);
      await insertAudit(client, audit, { days });
    });
  }

  async purgeCampaign(campaignId: string, audit: AuditRecord): Promise<{ reports: number; cells: number }> {
    // Batches of this campaign that were validated before it closed and are waiting for this instance's next group commit land first.
    await this.groupCommit.drain();
    return this.transaction(async (client) => {
      const reports = await client.query('DELETE FROM reports WHERE campaign_id = $1', [campaignId]);
      const cells = await client.query('DELETE FROM cells WHERE campaign_id = $1', [campaignId]);
      await client.query('DELETE FROM set_bit_counts WHERE campaign_id = $1', [campaignId]);
      const counts = { reports: reports.rowCount ?? 0, cells: cells.rowCount ?? 0 };
      await insertAudit(client, audit, counts);
      return counts;
    });
  }

  async applyRetention(options: { today: string; minDays: number; at: string }): Promise<RetentionDeletion[]> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ campaign_id: string; retention_days: number }>('SELECT campaign_id, retention_days FROM campaign_state WHERE retention_days IS NOT NULL ORDER BY campaign_id FOR UPDATE');
      const deleted: RetentionDeletion[] = [];
      for (const { campaign_id: campaignId, retention_days: days } of rows) {
        const effective = Math.max(days, options.minDays);
        const beforeDay = addDays(options.today, -effective);
        const cells = (await client.query('DELETE FROM cells WHERE campaign_id = $1 AND day < $2::date', [campaignId, beforeDay])).rowCount ?? 0;
        await client.query('DELETE FROM set_bit_counts WHERE campaign_id = $1 AND day < $2::date', [campaignId, beforeDay]);
        const reports = (await client.query('DELETE FROM reports WHERE campaign_id = $1 AND day < $2::date', [campaignId, beforeDay])).rowCount ?? 0;
        if (cells === 0 && reports === 0) continue;
        await insertAudit(client, { at: options.at, actor: 'retention', action: 'retention.delete', campaignId, detail: { retentionDays: days, effectiveDays: effective, beforeDay, cells, reports } });
        deleted.push({ campaignId, beforeDay, cells, reports });
      }
      return deleted;
    });
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await insertAudit(this.pool, record);
  }

  async readAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<{ id: string; at: Date; actor: string; action: AuditEntry['action']; campaign_id: string | null; question_id: string | null; detail: string | null }>(
      `SELECT id, at, actor, action, campaign_id, question_id, detail FROM audit_log
        WHERE ($1::bigint IS NULL OR id < $1::bigint) AND ($2::text IS NULL OR campaign_id = $2::text) AND ($3::text IS NULL OR action = $3::text)
        ORDER BY id DESC LIMIT $4`,
      [query.before ?? null, query.campaignId ?? null, query.action ?? null, query.limit],
    );
    return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, campaignId: r.campaign_id, questionId: r.question_id, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
  }

  async countTokenSpends(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM token_spends');
    return Number(rows[0]?.n ?? 0);
  }
}

async function insertAudit(client: pg.PoolClient | pg.Pool, record: AuditRecord, extra: Record<string, unknown> = {}): Promise<void> {
  const detail = { ...record.detail, ...extra };
  await client.query('INSERT INTO audit_log (at, actor, action, campaign_id, question_id, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
    record.at,
    record.actor,
    record.action,
    record.campaignId ?? null,
    record.questionId ?? null,
    Object.keys(detail).length === 0 ? null : JSON.stringify(detail),
  ]);
}

interface TokenRow {
  label: string;
  role: StoredToken['role'];
  campaigns: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function tokenOf(row: TokenRow): StoredToken {
  return { label: row.label, role: row.role, campaigns: row.campaigns === null ? null : (JSON.parse(row.campaigns) as string[]), createdAt: row.created_at.toISOString(), expiresAt: iso(row.expires_at), revokedAt: iso(row.revoked_at) };
}

interface KeyRow {
  campaign_id: string;
  label: string;
  key: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function keyOf(row: KeyRow): IngestKeyRecord {
  return { campaignId: row.campaign_id, label: row.label, key: row.key, createdAt: row.created_at.toISOString(), expiresAt: iso(row.expires_at), revokedAt: iso(row.revoked_at) };
}
