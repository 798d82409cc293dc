/**
 * Starts the collector process: load configuration, build the app, listen, and shut down
 * gracefully on SIGTERM/SIGINT (stop accepting, let in-flight batches commit, close the database).
 */
import { buildApp, type CollectorApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { Maintenance } from './maintenance.ts';

export interface ServerOptions {
  /** The clock for ingest windows, expiry and maintenance (tests). */
  now?: () => Date;
  /** How often maintenance runs (default hourly; tests use milliseconds). */
  maintenanceIntervalMs?: number;
  /** Install SIGTERM/SIGINT handlers (default true; tests that start several servers turn it off). */
  handleSignals?: boolean;
}

export type CollectorServer = CollectorApp & { maintenance: Maintenance };

export async function startServer(config: CollectorConfig, options: ServerOptions = {}): Promise<CollectorServer> {
  const app = await buildApp(config, options.now === undefined ? {} : { now: options.now });
  await app.listen({ port: config.port, host: config.host });

  // Retention (maintenance.ts): report ids past the window, raw payloads past theirs, and aggregate
  // day cells past each campaign's retention setting.
  const maintenance = new Maintenance({
    repository: app.collector.repository,
    reportWindowDays: config.reportWindowDays,
    rawRetentionDays: config.rawRetentionDays,
    now: app.collector.now,
    log: app.log,
    ...(options.maintenanceIntervalMs === undefined ? {} : { intervalMs: options.maintenanceIntervalMs }),
  });
  maintenance.start();
  const server = Object.assign(app, { maintenance });
  if (options.handleSignals === false) return server;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    maintenance.stop();
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out after 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: { message: (error as Error).message } }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}
