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
import pg from 'pg';
import { GroupCommit, partsInIdOrder, type IngestRequest } from './group-commit.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import {
  canonicalJson,
  type CampaignToPublish,
  cellDeltas,
  RepositoryConflictError,
  type IngestResult,
  type PublishOutcome,
  type ReportContribution,
  type ReportOutcome,
  type Repository,
  type StoredCampaign,
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

  constructor(options: PostgresOptions) {
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
    const text = canonicalJson(campaign.document);
    const key = campaign.ingestKey ?? null;
    // Insert-only: the primary key decides which publication of (id, version) wins. When another
    // instance's insert of the same version is still uncommitted, ON CONFLICT waits for it to
    // commit (then this one does nothing) or roll back (then this one inserts). The following
    // SELECT runs with a fresh READ COMMITTED snapshot, so it sees the winner's row. The row can
    // never change afterwards: triggers refuse UPDATE, DELETE and TRUNCATE (migration step 2).
    const inserted = await this.pool.query(
      'INSERT INTO campaigns (id, version, document, document_text, ingest_key) VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (id, version) DO NOTHING',
      [campaign.id, campaign.version, text, text, key],
    );
    if (inserted.rowCount === 1) return 'created';
    const { rows } = await this.pool.query<{ document_text: string; ingest_key: string | null }>('SELECT document_text, ingest_key FROM campaigns WHERE id = $1 AND version = $2', [campaign.id, campaign.version]);
    const existing = rows[0];
    if (existing === undefined) throw new Error(`campaign ${campaign.id} version ${campaign.version}: insert conflicted but the row is missing`);
    if (existing.document_text === text && existing.ingest_key === key) return 'unchanged';
    const latest = await this.pool.query<{ latest: number }>('SELECT max(version) AS latest FROM campaigns WHERE id = $1', [campaign.id]);
    throw new RepositoryConflictError(campaign.id, campaign.version, (latest.rows[0]?.latest ?? campaign.version) + 1);
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

  /**
   * Group commit (group-commit.ts): one group in flight per instance; the batches that arrive while
   * it is written form the next one. Local batches then never wait on each other's locks of the
   * same hot cell rows, and share one COMMIT.
   */
  async ingest(campaignId: string, version: number, reports: ReportContribution[]): Promise<IngestResult> {
    return this.groupCommit.submit({ campaignId, version, reports });
  }

  private readonly groupCommit = new GroupCommit((group) => this.storeGroup(group));

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

  async countReports(campaignId: string, version: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM reports WHERE campaign_id = $1 AND version = $2', [campaignId, version]);
    return Number(rows[0]?.n ?? 0);
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

  async countTokenSpends(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM token_spends');
    return Number(rows[0]?.n ?? 0);
  }
}
