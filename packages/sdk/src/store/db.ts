/**
 * The SDK's IndexedDB database, typed with idb's DBSchema so every store, key and value is checked.
 * What is stored, and why none of it is a raw answer:
 * - `meta`: consent flag, the device secret (a NON-EXTRACTABLE WebCrypto HMAC key: script can use it,
 *   never read its bytes), RAPPOR cohorts (drawn uniformly, independent of any answer), the cached
 *   copy of a fetched campaign (server data, store/campaign-cache.ts);
 * - `ledger`: ε spent per window and reports counted per two-level question (numbers only, the same
 *   whatever the answers: worker/charges.ts);
 * - `outbox`: randomized wire reports waiting to be sent (deleted once acknowledged).
 * Nothing is stored per answer: permanent responses are derived from the secret when needed
 * (worker/levels.ts). Version 1 had a `memo` store keyed by HMAC(secret, answer) — an answer oracle
 * to code that can use the key — and version 2 deletes it.
 * Migrations are an `if (oldVersion < n)` ladder (idb's convention).
 *
 * The database exists only until the patient opts out: opt-out deletes it (store/connection.ts),
 * and the refusal is kept outside it (store/refusal.ts). So every connection closes itself when
 * another context asks to delete or upgrade the database (`versionchange`), instead of blocking it.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { PrivacyError } from '@practical-privacy/core';
import type { BatchReport } from '@practical-privacy/core';
import { DEFAULT_DB_NAME } from './db-name.ts';

export { DEFAULT_DB_NAME };
export const DB_VERSION = 2;

export interface LedgerRow {
  key: string;
  campaignId: string;
  /** `*` for campaign-wide rows. */
  questionId: string;
  /** `report`-less windows: `day:YYYY-MM-DD`, `week:YYYY-MM-DD` (Monday), `lifetime`. */
  window: string;
  spent: number;
  /** `levels:<parameterKey>` rows only: reports counted for the two-level charge rule (worker/charges.ts). */
  reports?: number;
}

export interface OutboxRow {
  id: string;
  campaignId: string;
  campaignVersion: number;
  report: BatchReport;
  /** The ε charged for it (the ledger row of this debit was written in the same transaction). */
  epsilon: number;
  queuedAt: number;
}

export interface SdkSchema extends DBSchema {
  meta: { key: string; value: unknown };
  ledger: { key: string; value: LedgerRow };
  outbox: { key: string; value: OutboxRow; indexes: { byQueuedAt: number } };
}

export type SdkDatabase = IDBPDatabase<SdkSchema>;
export const STORE_NAMES = ['meta', 'ledger', 'outbox'] as const;

export interface OpenOptions {
  /** Called once the connection was closed: by a `versionchange` (another context deletes or upgrades the database) or by the browser (`close`: site data cleared, disk failure). */
  onClose?: () => void;
}

/**
 * Opens (and creates, if missing) the SDK database. The connection closes itself on
 * `versionchange` (idb's `blocking`): a deletion by an opt-out in another tab or worker is then not
 * blocked by it (IndexedDB 3.0, "delete a database": other connections get `versionchange` first,
 * the deletion waits until they are closed).
 */
export async function openSdkDatabase(name: string = DEFAULT_DB_NAME, { onClose }: OpenOptions = {}): Promise<SdkDatabase> {
  requireIndexedDb();
  return openDB<SdkSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('meta');
        db.createObjectStore('ledger', { keyPath: 'key' });
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('byQueuedAt', 'queuedAt');
      }
      // v1's memo rows were keyed by HMAC(secret, answer): an answer oracle. Gone with the store.
      if (oldVersion === 1) (db as unknown as IDBPDatabase).deleteObjectStore('memo');
    },
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close();
      onClose?.();
    },
    terminated() {
      onClose?.();
    },
  });
}

/**
 * `indexedDB.deleteDatabase(name)`; resolves once the database is gone. The browser first sends
 * `versionchange` to every other open connection and deletes once they are closed; the SDK's own
 * close at once (above), so this normally resolves at once. A connection that does not close on
 * `versionchange` (a tab still running an SDK from before opt-out deleted the database, or app code
 * that opened it itself) holds it back for as long as it stays open; IndexedDB cannot withdraw the
 * request, and an open of the database meanwhile waits behind it. store/connection.ts bounds the wait.
 */
export async function deleteSdkDatabase(name: string): Promise<void> {
  requireIndexedDb();
  await deleteDB(name);
}

function requireIndexedDb(): void {
  if (typeof indexedDB === 'undefined') throw new PrivacyError('STORAGE_UNAVAILABLE', 'runtime', 'IndexedDB is not available: the SDK needs it for the budget ledger and the outbox');
}
