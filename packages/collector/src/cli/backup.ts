/**
 * `pp-collector backup <file>`: a consistent online backup of a SQLite store while the collector
 * keeps running (SQLite's backup API, SqliteRepository.backup). It writes `<file>.partial` and
 * renames it when complete, so `<file>` is never a half-written copy, and refuses an existing
 * `<file>`. PostgreSQL is backed up with its own tools (pg_dump / pg_restore; README
 * "Backup and restore").
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { Command } from 'commander';
import { redactDatabaseUrl } from '../config.ts';
import { SqliteRepository } from '../storage/sqlite.ts';
import { CliError, databaseFlags, databaseUrlOf, withDatabaseOptions, type CliIo } from './io.ts';

export function backupCommand(io: CliIo): Command {
  return withDatabaseOptions(
    new Command('backup').description('write a consistent online backup of the SQLite database to a new file (PostgreSQL: use pg_dump)').argument('<file>', 'backup file to create (must not exist)'),
  ).action(async (file: string, options: { databaseUrl?: string; config?: string }) => {
    const url = databaseUrlOf(io, databaseFlags(options));
    if (!url.startsWith('sqlite:')) {
      throw new CliError(
        'BACKUP_NOT_SUPPORTED',
        `pp-collector backup copies SQLite stores; for PostgreSQL (${redactDatabaseUrl(url)}) use pg_dump, e.g. pg_dump --format=custom --file=${file} "$PP_DATABASE_URL" (restore with pg_restore; README "Backup and restore")`,
      );
    }
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === ':memory:') throw new CliError('BACKUP_NOT_SUPPORTED', 'sqlite::memory: lives only inside its process; there is nothing to back up');
    // Opening a missing path would create an empty database: refuse instead.
    if (!existsSync(path)) throw new CliError('DATABASE_MISSING', `${path}: no such database file`);
    if (existsSync(file)) throw new CliError('BACKUP_EXISTS', `${file} already exists; choose a new file name`);
    const partial = `${file}.partial`;
    rmSync(partial, { force: true });
    const repository = new SqliteRepository(path);
    try {
      const { totalPages } = await repository.backup(partial);
      renameSync(partial, file);
      io.stdout(`backed up ${path} to ${file} (${totalPages} pages)\n`);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    } finally {
      await repository.close();
    }
  });
}
