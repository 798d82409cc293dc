/** Opens the repository a database URL names: `sqlite:<path>` / `sqlite::memory:` or `postgres://…`. */
import { parsePostgresUrl, PostgresRepository } from './postgres.ts';
import type { Repository } from './repository.ts';
import { SqliteRepository } from './sqlite.ts';

export function openRepository(databaseUrl: string): Repository {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error('PP_DATABASE_URL: sqlite: needs a path, e.g. sqlite:./data/collector.db');
    return new SqliteRepository(path);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new PostgresRepository(parsePostgresUrl(databaseUrl));
  throw new Error(`PP_DATABASE_URL: unsupported scheme in ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
}
