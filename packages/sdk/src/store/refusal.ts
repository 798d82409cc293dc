/**
 * The patient's refusal, kept where the deletion of the SDK database (store/connection.ts) does not
 * take it: a database of its own, `<dbName>/refusal`, with one store and at most one row,
 * `refused → true`. Nothing else is ever written there — no device secret, no ledger, no time, no
 * campaign, nothing that depends on an answer — so keeping it after an opt-out keeps only the fact
 * of the refusal. Opting in again deletes the row (the empty database stays).
 *
 * Why IndexedDB and not localStorage: the worker decides consent, and workers have no localStorage
 * (HTML "Web storage": `localStorage` is exposed on Window only); the SDK uses no other storage.
 * Every call opens, reads or writes, and closes, so this database is never held open.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

interface RefusalSchema extends DBSchema {
  refusal: { key: 'refused'; value: true };
}

export function refusalDbName(dbName: string): string {
  return `${dbName}/refusal`;
}

async function withRefusalDb<T>(dbName: string, work: (db: IDBPDatabase<RefusalSchema>) => Promise<T>): Promise<T> {
  const db = await openDB<RefusalSchema>(refusalDbName(dbName), 1, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('refusal');
    },
  });
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

export function isRefused(dbName: string): Promise<boolean> {
  return withRefusalDb(dbName, async (db) => (await db.get('refusal', 'refused')) === true);
}

/** Written with `strict` durability: flushed to disk before the SDK database is deleted. */
export function recordRefusal(dbName: string): Promise<void> {
  return withRefusalDb(dbName, async (db) => {
    const tx = db.transaction('refusal', 'readwrite', { durability: 'strict' });
    await Promise.all([tx.store.put(true, 'refused'), tx.done]);
  });
}

export function clearRefusal(dbName: string): Promise<void> {
  return withRefusalDb(dbName, (db) => db.delete('refusal', 'refused'));
}
