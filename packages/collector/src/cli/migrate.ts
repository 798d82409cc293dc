/** `pp-collector migrate`: apply pending migrations and exit (serve does it too; several instances may run it at once). */
import { Command } from 'commander';
import { databaseFlags, withDatabaseOptions, withRepository, type CliIo } from './io.ts';

export function migrateCommand(io: CliIo): Command {
  return withDatabaseOptions(new Command('migrate').description('apply database migrations and exit')).action(async (options: { databaseUrl?: string; config?: string }) => {
    const kind = await withRepository(io, databaseFlags(options), async (repository) => repository.kind);
    io.stdout(`migrated ${kind} database\n`);
  });
}
