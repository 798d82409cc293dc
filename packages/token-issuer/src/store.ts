/**
 * What the issuer keeps: its keys (private halves included — protect the file like any signing key)
 * and, per account, which keys it has signed a request under (the allowance). Two implementations
 * of one interface, tested by one contract (test/store.test.ts): in memory (tests, a single
 * short-lived process) and SQLite (the reference service; better-sqlite3, WAL, synchronous=FULL).
 *
 * The claim records (account, key id, digest of the request, time) are exactly what an issuer
 * learns; they are dropped with the key, when it expires.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TokenContext } from '@practical-privacy/core';
import type { SigningKey } from './signing-key.ts';

export interface StoredKey extends SigningKey {
  context: TokenContext;
  /** ISO instant: the issuer signs with the key until then. */
  issueUntil: string;
  /** ISO instant: the key leaves the published list then (and its claims are dropped). */
  expires: string;
}

/** `granted`: a new claim; `repeat`: the same account sent the same request before (answer it again); `exceeded`: the allowance is used. */
export type ClaimOutcome = 'granted' | 'repeat' | 'exceeded';

export interface IssuerStore {
  listKeys(): Promise<StoredKey[]>;
  /** Adds a key unless its context already has one; returns the key the context has afterwards. */
  addKey(key: StoredKey): Promise<StoredKey>;
  /** Replaces the key of a context (emergency rotation after a compromise). */
  replaceKey(key: StoredKey): Promise<void>;
  /** Drops keys whose `expires` is at or before `now`, with their claims. */
  dropExpired(now: string): Promise<number>;
  /** Claims one token of `limit` per (account, key) for each item, in order, in one atomic step (one commit). */
  claimMany(accountId: string, claims: ReadonlyArray<{ keyId: string; requestDigest: string }>, limit: number, at: string): Promise<ClaimOutcome[]>;
  /** The claim records (the unlinkability test joins them with the collector's; ops). */
  listClaims(): Promise<Array<{ accountId: string; keyId: string; at: string }>>;
  close(): Promise<void>;
}

const contextKey = (c: TokenContext) => `${c.campaignId}\u0000${c.questionId}\u0000${c.periodStart}`;

export class MemoryIssuerStore implements IssuerStore {
  private readonly keys = new Map<string, StoredKey>();
  private readonly claims = new Map<string, Array<{ digest: string; at: string }>>();

  async listKeys(): Promise<StoredKey[]> {
    return [...this.keys.values()];
  }
  async addKey(key: StoredKey): Promise<StoredKey> {
    const existing = this.keys.get(contextKey(key.context));
    if (existing !== undefined) return existing;
    this.keys.set(contextKey(key.context), key);
    return key;
  }
  async replaceKey(key: StoredKey): Promise<void> {
    const old = this.keys.get(contextKey(key.context));
    if (old !== undefined) for (const k of this.claims.keys()) if (k.endsWith(`\u0000${old.keyId}`)) this.claims.delete(k);
    this.keys.set(contextKey(key.context), key);
  }
  async dropExpired(now: string): Promise<number> {
    let dropped = 0;
    for (const [context, key] of this.keys) {
      if (Date.parse(key.expires) > Date.parse(now)) continue;
      this.keys.delete(context);
      for (const k of this.claims.keys()) if (k.endsWith(`\u0000${key.keyId}`)) this.claims.delete(k);
      dropped++;
    }
    return dropped;
  }
  async claimMany(accountId: string, claims: ReadonlyArray<{ keyId: string; requestDigest: string }>, limit: number, at: string): Promise<ClaimOutcome[]> {
    return claims.map(({ keyId, requestDigest }) => this.claimOne(accountId, keyId, requestDigest, limit, at));
  }
  private claimOne(accountId: string, keyId: string, requestDigest: string, limit: number, at: string): ClaimOutcome {
    const k = `${accountId}\u0000${keyId}`;
    const list = this.claims.get(k) ?? [];
    if (list.some((c) => c.digest === requestDigest)) return 'repeat';
    if (list.length >= limit) return 'exceeded';
    list.push({ digest: requestDigest, at });
    this.claims.set(k, list);
    return 'granted';
  }
  async listClaims(): Promise<Array<{ accountId: string; keyId: string; at: string }>> {
    return [...this.claims.entries()].flatMap(([k, list]) => {
      const [accountId, keyId] = k.split('\u0000') as [string, string];
      return list.map((c) => ({ accountId, keyId, at: c.at }));
    });
  }
  async close(): Promise<void> {}
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS issuer_keys (
    key_id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    public_key BLOB NOT NULL,
    private_key BLOB NOT NULL,
    issue_until TEXT NOT NULL,
    expires TEXT NOT NULL,
    UNIQUE (campaign_id, question_id, period_start)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS claims (
    account_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (account_id, key_id, request_digest)
  ) STRICT, WITHOUT ROWID;`;

interface KeyRow {
  key_id: string;
  campaign_id: string;
  question_id: string;
  period_start: string;
  public_key: Uint8Array;
  private_key: Uint8Array;
  issue_until: string;
  expires: string;
}

const keyOfRow = (r: KeyRow): StoredKey => ({
  keyId: r.key_id,
  context: { campaignId: r.campaign_id, questionId: r.question_id, periodStart: r.period_start },
  publicKey: new Uint8Array(r.public_key),
  privateKeyPkcs8: new Uint8Array(r.private_key),
  issueUntil: r.issue_until,
  expires: r.expires,
});

export class SqliteIssuerStore implements IssuerStore {
  readonly db: Database.Database;

  /** `path`: a file (created with its directory; keep it private) or `:memory:`. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  async listKeys(): Promise<StoredKey[]> {
    return (this.db.prepare('SELECT * FROM issuer_keys ORDER BY campaign_id, question_id, period_start').all() as KeyRow[]).map(keyOfRow);
  }

  async addKey(key: StoredKey): Promise<StoredKey> {
    const run = this.db.transaction((): StoredKey => {
      this.db
        .prepare('INSERT INTO issuer_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, question_id, period_start) DO NOTHING')
        .run(key.keyId, key.context.campaignId, key.context.questionId, key.context.periodStart, key.publicKey, key.privateKeyPkcs8, key.issueUntil, key.expires);
      const row = this.db.prepare('SELECT * FROM issuer_keys WHERE campaign_id = ? AND question_id = ? AND period_start = ?').get(key.context.campaignId, key.context.questionId, key.context.periodStart) as KeyRow;
      return keyOfRow(row);
    });
    return run.immediate();
  }

  async replaceKey(key: StoredKey): Promise<void> {
    const run = this.db.transaction(() => {
      const old = this.db.prepare('SELECT key_id FROM issuer_keys WHERE campaign_id = ? AND question_id = ? AND period_start = ?').get(key.context.campaignId, key.context.questionId, key.context.periodStart) as { key_id: string } | undefined;
      if (old !== undefined) {
        this.db.prepare('DELETE FROM claims WHERE key_id = ?').run(old.key_id);
        this.db.prepare('DELETE FROM issuer_keys WHERE key_id = ?').run(old.key_id);
      }
      this.db.prepare('INSERT INTO issuer_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(key.keyId, key.context.campaignId, key.context.questionId, key.context.periodStart, key.publicKey, key.privateKeyPkcs8, key.issueUntil, key.expires);
    });
    run.immediate();
  }

  async dropExpired(now: string): Promise<number> {
    const run = this.db.transaction(() => {
      const expired = this.db.prepare('SELECT key_id, expires FROM issuer_keys').all() as Array<{ key_id: string; expires: string }>;
      let dropped = 0;
      for (const row of expired) {
        if (Date.parse(row.expires) > Date.parse(now)) continue;
        this.db.prepare('DELETE FROM claims WHERE key_id = ?').run(row.key_id);
        this.db.prepare('DELETE FROM issuer_keys WHERE key_id = ?').run(row.key_id);
        dropped++;
      }
      return dropped;
    });
    return run.immediate();
  }

  async claimMany(accountId: string, claims: ReadonlyArray<{ keyId: string; requestDigest: string }>, limit: number, at: string): Promise<ClaimOutcome[]> {
    const repeat = this.db.prepare('SELECT 1 FROM claims WHERE account_id = ? AND key_id = ? AND request_digest = ?');
    const count = this.db.prepare('SELECT count(*) AS n FROM claims WHERE account_id = ? AND key_id = ?');
    const insert = this.db.prepare('INSERT INTO claims VALUES (?, ?, ?, ?)');
    // BEGIN IMMEDIATE: each count and its insert are one step, also across processes sharing the file.
    const run = this.db.transaction((): ClaimOutcome[] =>
      claims.map(({ keyId, requestDigest }): ClaimOutcome => {
        if (repeat.get(accountId, keyId, requestDigest) !== undefined) return 'repeat';
        if ((count.get(accountId, keyId) as { n: number }).n >= limit) return 'exceeded';
        insert.run(accountId, keyId, requestDigest, at);
        return 'granted';
      }),
    );
    return run.immediate();
  }

  async listClaims(): Promise<Array<{ accountId: string; keyId: string; at: string }>> {
    return (this.db.prepare('SELECT account_id, key_id, at FROM claims ORDER BY at').all() as Array<{ account_id: string; key_id: string; at: string }>).map((r) => ({ accountId: r.account_id, keyId: r.key_id, at: r.at }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
