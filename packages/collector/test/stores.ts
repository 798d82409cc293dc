/**
 * Both stores for API-level tests: `describe.each(STORES)` runs a suite on SQLite and, when
 * PostgreSQL is available (postgres-env.ts), on PostgreSQL in a schema of its own, dropped after.
 */
import type { CollectorApp } from '../src/app.ts';
import type { BuildOptions } from '../src/app.ts';
import type { CollectorConfig } from '../src/config.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import type { Repository } from '../src/storage/repository.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { makeApp } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

export interface Store {
  name: string;
  open: (label: string) => Repository;
}

export const STORES: Store[] = [
  { name: 'SQLite', open: () => new SqliteRepository(':memory:') },
  ...(HAVE_POSTGRES ? [{ name: 'PostgreSQL', open: (label: string) => new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema(label) }) }] : []),
];

/** An app on `store`; `close()` also drops a PostgreSQL test schema. */
export async function storeApp(store: Store, label: string, overrides: Partial<CollectorConfig> = {}, options: BuildOptions = {}): Promise<CollectorApp & { dispose: () => Promise<void> }> {
  const repository = store.open(label);
  const app = await makeApp(overrides, { ...options, repository });
  return Object.assign(app, {
    dispose: async () => {
      if (repository instanceof PostgresRepository) await repository.dropSchema();
      await app.close();
    },
  });
}

/** Every row of every table, as JSON text per table (what a stolen database or a backup holds). */
export async function dumpAll(repository: Repository): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (repository instanceof SqliteRepository) {
    const tables = repository.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
    for (const { name } of tables) out[name] = JSON.stringify(repository.db.prepare(`SELECT * FROM "${name}"`).all());
  } else if (repository instanceof PostgresRepository) {
    const { rows } = await repository.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
    for (const { table_name: name } of rows) out[name] = JSON.stringify((await repository.pool.query(`SELECT * FROM "${name}"`)).rows);
  }
  return out;
}
