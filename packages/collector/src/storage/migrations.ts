/**
 * Schema migrations, one ladder per dialect (idb's `if (oldVersion < n)` style: a list applied in
 * order, the applied version recorded in `pp_schema_version`). Append; never edit a shipped step.
 */

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
];
