/**
 * Starts the collector process: build the app, listen, log the effective configuration (secrets
 * redacted), purge old report ids hourly, and shut down gracefully on SIGTERM, SIGINT and SIGHUP.
 *
 * Shutdown: /readyz answers 503 from the first signal on; after PP_DRAIN_DELAY_MS (a second signal
 * cuts it short) the listener closes, in-flight requests finish — a batch that began is committed
 * and acknowledged — the database closes, and the process exits 0 (1 if the drain outlasts
 * PP_SHUTDOWN_TIMEOUT_MS). SIGHUP drains too rather than reloading: configuration is read once,
 * at start, and a supervisor restarts the process to change it.
 */
import { buildApp, type CollectorApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { utcDay } from './ingest.ts';

const DAY_MS = 86_400_000;
const PURGE_INTERVAL_MS = 3_600_000;
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface StartOptions {
  /** Logged once at start as `effective configuration` (already redacted: see describeConfig). */
  effectiveConfig?: object;
}

export async function startServer(config: CollectorConfig, options: StartOptions = {}): Promise<CollectorApp> {
  const app = await buildApp(config);
  if (options.effectiveConfig !== undefined) app.log.info(options.effectiveConfig, 'effective configuration');
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // e.g. EADDRINUSE: close the store (and its timers and pools) so that the process can exit.
    await app.close();
    throw error;
  }

  // Retention: report ids are needed only while a retry could still be accepted (the window);
  // raw payloads (when kept) only for their retention period. Aggregates are kept.
  const purge = async () => {
    const now = Date.now();
    try {
      const result = await app.collector.repository.purge({
        idsBeforeDay: utcDay(new Date(now - (config.reportWindowDays + 2) * DAY_MS)),
        rawBeforeDay: utcDay(new Date(now - config.rawRetentionDays * DAY_MS)),
      });
      if (result.ids > 0 || result.raw > 0) app.log.info(result, 'retention purge');
    } catch (error) {
      app.log.warn({ err: { message: (error as Error).message } }, 'retention purge failed');
    }
  };
  const timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  timer.unref();
  void purge();

  let endDelay: (() => void) | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    clearInterval(timer);
    // Not ready from now on: a load balancer polling /readyz takes the instance out of rotation
    // while it still answers everything else.
    app.collector.state.closing = true;
    if (config.drainDelayMs > 0) {
      app.log.info({ signal, drainDelayMs: config.drainDelayMs }, 'shutting down: /readyz answers 503; closing the listener after the drain delay (send the signal again to close now)');
      await new Promise<void>((resolve) => {
        endDelay = resolve;
        setTimeout(resolve, config.drainDelayMs).unref();
      });
    }
    closing = true;
    app.log.info({ signal }, 'shutting down: listener closed, draining in-flight requests');
    const force = setTimeout(() => {
      app.log.error(`shutdown timed out after ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close();
      app.log.info('shut down cleanly');
      process.exit(0);
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'error while closing');
      process.exit(1);
    }
  };
  let started = false;
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => {
      if (!started) {
        started = true;
        void shutdown(signal);
      } else if (!closing) endDelay?.();
      // Further signals while draining change nothing: the drain is already under way.
    });
  }
  return app;
}
