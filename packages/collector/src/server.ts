/**
 * Starts the collector process: load configuration, build the app, listen, and shut down
 * gracefully on SIGTERM/SIGINT (stop accepting, let in-flight batches commit, close the database).
 */
import { buildApp, type CollectorApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { utcDay } from './ingest.ts';

const DAY_MS = 86_400_000;
const PURGE_INTERVAL_MS = 3_600_000;

export async function startServer(config: CollectorConfig): Promise<CollectorApp> {
  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });

  // Retention: report ids are needed only while a retry could still be accepted (the window);
  // raw payloads (when kept) only for their retention period. Aggregates are kept.
  const purge = async () => {
    const now = Date.now();
    try {
      const result = await app.collector.repository.purge({
        idsBeforeDay: utcDay(new Date(now - (config.reportWindowDays + 2) * DAY_MS)),
        rawBeforeDay: utcDay(new Date(now - config.rawRetentionDays * DAY_MS)),
      });
      if (result.ids > 0 || result.raw > 0 || (result.spends ?? 0) > 0) app.log.info(result, 'retention purge');
    } catch (error) {
      app.log.warn({ err: { message: (error as Error).message } }, 'retention purge failed');
    }
  };
  const timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  timer.unref();
  void purge();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
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
  return app;
}
