/** Prometheus metrics, one registry per app (so tests can build many apps). Never labelled with ids or payloads. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CollectorMetrics {
  registry: Registry;
  accepted: Counter<'campaign'>;
  duplicates: Counter<'campaign'>;
  rejected: Counter<'reason'>;
  /** Issue 17: single reports of an accepted batch refused for their token, by code. */
  refusedReports: Counter<'reason'>;
  ingestSeconds: Histogram;
  groupCommitBatches: Histogram;
  groupCommitReports: Histogram;
  /** Issue 17 §2: (question, day) cells flagged suspicious in the latest day reads, by campaign (integrity.ts recordIntegrity). */
  suspiciousCells: Gauge<'campaign'>;
}

export function createMetrics(defaults = true): CollectorMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'pp_collector_' });
  return {
    registry,
    accepted: new Counter({ name: 'pp_reports_accepted_total', help: 'Reports stored and added to aggregates.', labelNames: ['campaign'], registers: [registry] }),
    duplicates: new Counter({ name: 'pp_reports_duplicate_total', help: 'Reports acknowledged again without counting (retries).', labelNames: ['campaign'], registers: [registry] }),
    rejected: new Counter({ name: 'pp_batches_rejected_total', help: 'Ingest requests refused, by error code.', labelNames: ['reason'], registers: [registry] }),
    refusedReports: new Counter({ name: 'pp_reports_refused_total', help: 'Reports refused one by one inside an accepted batch (Privacy Pass token checks), by code.', labelNames: ['reason'], registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'pp_ingest_duration_seconds',
      help: 'Time from request parsed to transaction committed.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    groupCommitBatches: new Histogram({
      name: 'pp_group_commit_batches',
      help: 'Batches written together in one transaction (group commit).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    groupCommitReports: new Histogram({
      name: 'pp_group_commit_reports',
      help: 'Reports written together in one transaction (group commit).',
      buckets: [1, 10, 100, 200, 500, 1000, 2000, 5000, 10000, 50000],
      registers: [registry],
    }),
    suspiciousCells: new Gauge({
      name: 'pp_integrity_suspicious_cells',
      help: 'Question-day estimate cells whose set-bit counts do not fit honest reports (possible poisoning), as of the latest bucket=day estimates read covering each day, by campaign (this instance).',
      labelNames: ['campaign'],
      registers: [registry],
    }),
  };
}
