/**
 * Prometheus metrics, one registry per app (so tests can build many apps). README "Metrics" lists
 * every series. No label ever carries a value a client chose: routes are Fastify's route patterns
 * (http-metrics.ts), reasons are the collector's own error codes, and `campaign` is the id of a
 * published campaign (an operator's choice: a batch for an unknown campaign is refused before any
 * campaign-labelled counter moves), so a scanner cannot grow the number of series.
 * `pp_integrity_suspicious_cells` (issue 17 §2) is labelled by published campaign only too.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { packageVersion } from './version.ts';

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
  /** Every answered request, by route pattern, method and status (http-metrics.ts). */
  httpSeconds: Histogram<'method' | 'route' | 'status_code'>;
  /** Issue 17 §2: (question, day) cells flagged suspicious in the latest day reads, by campaign (integrity.ts recordIntegrity). */
  suspiciousCells: Gauge<'campaign'>;
}

export function createMetrics(defaults = true): CollectorMetrics {
  const registry = new Registry();
  // prom-client's standard names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, …),
  // unprefixed: the stock Node.js dashboards query exactly these.
  if (defaults) collectDefaultMetrics({ register: registry });
  // The usual build-info convention: a constant 1 whose labels say what is running.
  new Gauge({ name: 'pp_collector_build_info', help: 'Always 1; the labels are the collector version (package.json) and the Node.js version.', labelNames: ['version', 'node'], registers: [registry] }).set(
    { version: packageVersion(), node: process.version },
    1,
  );
  return {
    registry,
    accepted: new Counter({ name: 'pp_reports_accepted_total', help: 'Reports stored and added to aggregates.', labelNames: ['campaign'], registers: [registry] }),
    duplicates: new Counter({ name: 'pp_reports_duplicate_total', help: 'Reports acknowledged again without counting (retries).', labelNames: ['campaign'], registers: [registry] }),
    rejected: new Counter({ name: 'pp_batches_rejected_total', help: 'Ingest requests (POST /v1/reports) refused as a whole, by error code.', labelNames: ['reason'], registers: [registry] }),
    refusedReports: new Counter({ name: 'pp_reports_refused_total', help: 'Reports refused one by one inside an accepted batch (Privacy Pass token checks), by code.', labelNames: ['reason'], registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'pp_ingest_duration_seconds',
      help: 'Time from request parsed to transaction committed (accepted batches).',
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
    httpSeconds: new Histogram({
      // The name and labels of the common Fastify/Express exporters (fastify-metrics, express-prom-bundle).
      name: 'http_request_duration_seconds',
      help: 'Requests answered, by route pattern (never the raw URL; unmatched paths are route="__unknown__"), method and status code: _count is the request count.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
