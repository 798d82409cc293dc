/**
 * What every `pp-collector` command shares: where it writes, the environment it reads its
 * configuration from (process.env in the bin; a plain object in tests, which run commands in
 * process), typed CLI errors and their exit codes, and opening the configured store.
 */
import type { Command } from 'commander';
import { loadConfig, type ConfigLayer } from '../config.ts';
import { openRepository } from '../storage/open.ts';
import type { Repository } from '../storage/repository.ts';

export interface CliIo {
  env: ConfigLayer;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes: 0 success, 1 a command failed (typed error), 2 usage error, 78 configuration error (sysexits EX_CONFIG; the systemd unit does not restart on it). */
export const EXIT = { ok: 0, failed: 1, usage: 2, config: 78 } as const;

/** A command's refusal: `code` is printed first (`CODE: message`), like the HTTP API's error codes. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** `--database-url` (and `--config`) on every command that opens the store; flags win over the environment. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option('--database-url <url>', 'database to use (env PP_DATABASE_URL, then DATABASE_URL; default sqlite:./data/collector.db)')
    .option('--config <file>', 'JSON file of settings (env PP_CONFIG_FILE)');
}

/** Database flags of a command as a configuration layer. */
export function databaseFlags(options: { databaseUrl?: string; config?: string }): ConfigLayer {
  return { PP_DATABASE_URL: options.databaseUrl, PP_CONFIG_FILE: options.config };
}

/** The configured database URL (validated with the rest of the configuration). */
export function databaseUrlOf(io: CliIo, flags: ConfigLayer): string {
  return loadConfig(io.env, flags).databaseUrl;
}

/** Opens the configured store, migrates it (`migrate: false` to leave it as it is), runs `work`, closes. */
export async function withRepository<T>(io: CliIo, flags: ConfigLayer, work: (repository: Repository) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const repository = openRepository(databaseUrlOf(io, flags));
  try {
    if (options.migrate ?? true) await repository.migrate();
    return await work(repository);
  } finally {
    await repository.close();
  }
}

