/**
 * The SDK's IndexedDB database, typed with idb's DBSchema so every store, key and value is checked.
 * What is stored, and why none of it is a raw answer:
 * - `meta`: consent flag, the device secret (a NON-EXTRACTABLE WebCrypto HMAC key: script can use it,
 *   never read its bytes), RAPPOR cohorts (drawn uniformly, independent of any answer);
 * - `ledger`: ε spent per window and reports counted per two-level question (numbers only, the same
 *   whatever the answers: worker/charges.ts);
 * - `outbox`: randomized wire reports waiting to be sent (deleted once acknowledged).
 * Nothing is stored per answer: permanent responses are derived from the secret when needed
 * (worker/levels.ts). Version 1 had a `memo` store keyed by HMAC(secret, answer) — an answer oracle
 * to code that can use the key — and version 2 deletes it.
 * Migrations are an `if (oldVersion < n)` ladder (idb's convention).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { PrivacyError } from '@practical-privacy/core';
import type { BatchReport } from '@practical-privacy/core';
import { DEFAULT_DB_NAME } from './db-name.ts';

export { DEFAULT_DB_NAME };
export const DB_VERSION = 2;

export interface MetaValues {
  consent: boolean;
  secret: CryptoKey;
}

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

export async function openSdkDatabase(name: string = DEFAULT_DB_NAME): Promise<SdkDatabase> {
  if (typeof indexedDB === 'undefined') throw new PrivacyError('STORAGE_UNAVAILABLE', 'runtime', 'IndexedDB is not available: the SDK needs it for the budget ledger and the outbox');
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
  });
}
