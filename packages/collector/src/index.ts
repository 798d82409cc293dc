export { buildApp, type BuildOptions, type CollectorApp } from './app.ts';
export { ConfigError, loadConfig, testConfig, type CollectorConfig } from './config.ts';
export { openRepository } from './storage/open.ts';
export { SqliteRepository } from './storage/sqlite.ts';
export { PostgresRepository, parsePostgresUrl, type PostgresOptions } from './storage/postgres.ts';
export type { Repository, ReportContribution, IngestResult, StoredCampaign, SumCell, SumsQuery } from './storage/repository.ts';
export { HttpError } from './errors.ts';
export type { Bucket, CellRelease, EstimateRelease, ValueEstimate } from './release.ts';
