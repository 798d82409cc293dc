/**
 * The cross-tab opt-out signal. Every tab has its own facade and worker over the same IndexedDB
 * database; an opt-out in one erases the database for all, so the worker that erased it posts
 * OPTED_OUT on a BroadcastChannel named after the database (same origin only: HTML §9.5.3 "Broadcasting
 * to other browsing contexts"). Other facades then drop their page-hide bodies, other workers their
 * outbox mirror and upload timer. Where BroadcastChannel is missing (Safari before 15.4) nothing is
 * signalled: see the README ("Delivery").
 *
 * Called only from createClient and init: nothing is touched at import time (SSR).
 */
import { DEFAULT_DB_NAME } from './store/db-name.ts';

export const OPTED_OUT = 'opted-out';

export function optOutChannel(dbName = DEFAULT_DB_NAME): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(`practical-privacy/opt-out/${dbName}`) : undefined;
}
