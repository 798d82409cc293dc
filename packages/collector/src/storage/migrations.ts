/**
 * Schema migrations, one ladder per dialect (idb's `if (oldVersion < n)` style: a list applied in
 * order, the applied version recorded in `pp_schema_version`). Append; never edit a shipped step.
 *
 * Step 2 makes `campaigns` insert-only in the database itself: a published version is immutable,
 * because devices may already hold reports randomized under its parameters and the collector
 * debiases every report with the parameters stored for the version the report names. Triggers
 * refuse UPDATE and DELETE (and, in SQLite, INSERT OR REPLACE; in PostgreSQL, TRUNCATE), so no
 * code path, instance or operator shell can swap the content of a version under its reports.
 *
 * Step 3 adds what changes after publication, kept out of the immutable `campaigns` rows:
 * - `ingest_keys`: the keys a campaign accepts (several at once while a key is rotated, each with
 *   a label, optional expiry and revocation). The keys published in `campaigns.ingest_key` are
 *   copied in, labelled `published-v<first version>`. A campaign that has ever had a key keeps
 *   requiring one, so revoking the last key closes ingest instead of opening it.
 * - `api_tokens`: admin and read bearer tokens, stored as SHA-256 of the token (never the token),
 *   with a label, optional expiry, revocation and (read tokens) an optional campaign scope.
 * - `campaign_state`: closed (ingest refused) and the aggregate retention in days.
 * - `audit_log`: append-only (UPDATE and DELETE refused by triggers) record of admin actions and
 *   reads, with the token label, never the token.
 */

import { TOKEN_SPENDS_POSTGRES, TOKEN_SPENDS_SQLITE } from '../privacy-pass/spends-schema.ts';
import { SET_BIT_COUNTS_POSTGRES, SET_BIT_COUNTS_SQLITE } from './set-bit-schema.ts';

export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE campaigns (
     id TEXT NOT NULL,
     version INTEGER NOT NULL,
     document TEXT NOT NULL,
     ingest_key TEXT,
     published_at TEXT NOT NULL,
     PRIMARY KEY (id, version)
   ) STRICT;
   CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day TEXT NOT NULL,
     raw TEXT
   ) STRICT;
   CREATE INDEX reports_campaign ON reports (campaign_id, version);
   CREATE INDEX reports_day ON reports (day);
   CREATE TABLE cells (
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day TEXT NOT NULL,
     idx INTEGER NOT NULL,
     sum INTEGER NOT NULL,
     PRIMARY KEY (campaign_id, version, question_id, day, idx)
   ) STRICT, WITHOUT ROWID;`,
  // A BEFORE INSERT trigger rather than relying on the primary key: INSERT OR REPLACE would
  // otherwise delete the old row without firing the DELETE trigger (recursive_triggers is off).
  `CREATE TRIGGER campaigns_insert_only_update BEFORE UPDATE ON campaigns
   BEGIN SELECT RAISE(ABORT, 'CAMPAIGN_IMMUTABLE: published campaign versions cannot be changed; publish a new version'); END;
   CREATE TRIGGER campaigns_insert_only_delete BEFORE DELETE ON campaigns
   BEGIN SELECT RAISE(ABORT, 'CAMPAIGN_IMMUTABLE: published campaign versions cannot be deleted'); END;
   CREATE TRIGGER campaigns_insert_only_replace BEFORE INSERT ON campaigns
   WHEN EXISTS (SELECT 1 FROM campaigns WHERE id = NEW.id AND version = NEW.version)
   BEGIN SELECT RAISE(ABORT, 'CAMPAIGN_IMMUTABLE: this campaign version is already published; publish a new version'); END;`,
  `CREATE TABLE ingest_keys (
     campaign_id TEXT NOT NULL,
     label TEXT NOT NULL,
     key TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT,
     PRIMARY KEY (campaign_id, label),
     UNIQUE (campaign_id, key)
   ) STRICT;
   INSERT INTO ingest_keys (campaign_id, label, key, created_at)
     SELECT id, 'published-v' || min(version), ingest_key, min(published_at) FROM campaigns WHERE ingest_key IS NOT NULL GROUP BY id, ingest_key;
   CREATE TABLE api_tokens (
     label TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('admin', 'read')),
     token_sha256 TEXT NOT NULL UNIQUE,
     campaigns TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT
   ) STRICT;
   CREATE TABLE campaign_state (
     campaign_id TEXT PRIMARY KEY,
     closed_at TEXT,
     retention_days INTEGER
   ) STRICT;
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     campaign_id TEXT,
     question_id TEXT,
     detail TEXT
   ) STRICT;
   CREATE INDEX audit_log_campaign ON audit_log (campaign_id, id);
   CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
   BEGIN SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: audit rows cannot be changed'); END;
   CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
   BEGIN SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: audit rows cannot be deleted'); END;`,
  // Issue 17: spent Privacy Pass tokens, by nonce. Kept apart from report rows on purpose — no report
  // id, no payload — and purged once the token's period has left the report window.
  TOKEN_SPENDS_SQLITE,
  // Step 5 (issue 17 §2): set-bit histograms per (question, day, level) cell, for the integrity signal.
  SET_BIT_COUNTS_SQLITE,
];

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE campaigns (
     id TEXT NOT NULL,
     version INTEGER NOT NULL,
     document JSONB NOT NULL,
     document_text TEXT NOT NULL,
     ingest_key TEXT,
     published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     PRIMARY KEY (id, version)
   );
   CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day DATE NOT NULL,
     raw TEXT
   );
   CREATE INDEX reports_campaign ON reports (campaign_id, version);
   CREATE INDEX reports_day ON reports (day);
   CREATE TABLE cells (
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day DATE NOT NULL,
     idx INTEGER NOT NULL,
     sum BIGINT NOT NULL,
     PRIMARY KEY (campaign_id, version, question_id, day, idx)
   );`,
  // INSERT … ON CONFLICT DO UPDATE is an UPDATE too, so it is refused as well.
  `CREATE FUNCTION pp_campaigns_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'CAMPAIGN_IMMUTABLE: published campaign versions are insert-only (% refused); publish a new version', TG_OP
       USING ERRCODE = 'restrict_violation';
   END $$;
   CREATE TRIGGER campaigns_insert_only BEFORE UPDATE OR DELETE ON campaigns
     FOR EACH ROW EXECUTE FUNCTION pp_campaigns_insert_only();
   CREATE TRIGGER campaigns_no_truncate BEFORE TRUNCATE ON campaigns
     FOR EACH STATEMENT EXECUTE FUNCTION pp_campaigns_insert_only();`,
  `CREATE TABLE ingest_keys (
     campaign_id TEXT NOT NULL,
     label TEXT NOT NULL,
     key TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     expires_at TIMESTAMPTZ,
     revoked_at TIMESTAMPTZ,
     PRIMARY KEY (campaign_id, label),
     UNIQUE (campaign_id, key)
   );
   INSERT INTO ingest_keys (campaign_id, label, key, created_at)
     SELECT id, 'published-v' || min(version), ingest_key, min(published_at) FROM campaigns WHERE ingest_key IS NOT NULL GROUP BY id, ingest_key;
   CREATE TABLE api_tokens (
     label TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('admin', 'read')),
     token_sha256 TEXT NOT NULL UNIQUE,
     campaigns TEXT,
     created_at TIMESTAMPTZ NOT NULL,
     expires_at TIMESTAMPTZ,
     revoked_at TIMESTAMPTZ
   );
   CREATE TABLE campaign_state (
     campaign_id TEXT PRIMARY KEY,
     closed_at TIMESTAMPTZ,
     retention_days INTEGER
   );
   CREATE TABLE audit_log (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at TIMESTAMPTZ NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     campaign_id TEXT,
     question_id TEXT,
     detail TEXT
   );
   CREATE INDEX audit_log_campaign ON audit_log (campaign_id, id);
   CREATE FUNCTION pp_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'AUDIT_APPEND_ONLY: audit rows cannot be changed or deleted (% refused)', TG_OP
       USING ERRCODE = 'restrict_violation';
   END $$;
   CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION pp_audit_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION pp_audit_append_only();`,
  // Issue 17: as in SQLite.
  TOKEN_SPENDS_POSTGRES,
  // Step 5 (issue 17 §2): as in SQLite.
  SET_BIT_COUNTS_POSTGRES,
];
