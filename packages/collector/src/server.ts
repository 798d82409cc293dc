/**
 * Starts the collector process: build the app, listen, log the effective configuration (secrets
 * redacted), run maintenance (maintenance.ts: report ids past the window, raw payloads past theirs,
 * aggregate day cells past each campaign's retention), and shut down gracefully on SIGTERM, SIGINT
 * and SIGHUP.
 *
 * Shutdown: /readyz answers 503 from the first signal on; after PP_DRAIN_DELAY_MS (a second signal
 * cuts it short) the listener closes, in-flight requests finish — a batch that began is committed
 * and acknowledged — the database closes, and the process exits 0 (1 if the drain outlasts
 * PP_SHUTDOWN_TIMEOUT_MS). SIGHUP drains too rather than reloading: configuration is read once,
 * at start, and a supervisor restarts the process to change it.
 */
import { buildApp, type CollectorApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { Maintenance } from './maintenance.ts';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface ServerOptions {
  /** Logged once at start as `effective configuration` (already redacted: see describeConfig). */
  effectiveConfig?: object;
  /** The clock for ingest windows, expiry and maintenance (tests). */
  now?: () => Date;
  /** How often maintenance runs (default hourly; tests use milliseconds). */
  maintenanceIntervalMs?: number;
  /** Install the signal handlers (default true; tests that start several servers turn it off). */
  handleSignals?: boolean;
}

export type CollectorServer = CollectorApp & { maintenance: Maintenance };

export async function startServer(config: CollectorConfig, options: ServerOptions = {}): Promise<CollectorServer> {
  const app = await buildApp(config, options.now === undefined ? {} : { now: options.now });
  if (options.effectiveConfig !== undefined) app.log.info(options.effectiveConfig, 'effective configuration');
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // e.g. EADDRINUSE: close the store (and its timers and pools) so that the process can exit.
    await app.close();
    throw error;
  }

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

  let endDelay: (() => void) | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    maintenance.stop();
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
  return server;
}
