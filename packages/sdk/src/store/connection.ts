/**
 * The worker's connection to the SDK database, and the database's life. It exists until the patient
 * opts out; opt-out DELETES it (`indexedDB.deleteDatabase`), not just its rows, and the refusal is
 * kept outside it (store/refusal.ts) so that it survives the deletion.
 *
 * Opt-out, in this order:
 * 1. one transaction clears every store and sets `consent` false. It is created before any other
 *    await, so a report committing in another tab is ordered before it (and erased with the rest)
 *    or after it (and refused: store/ledger.ts reads consent inside the report's transaction);
 * 2. the refusal is recorded (strict durability);
 * 3. this connection closes (the caller then signals the other tabs, which close theirs);
 * 4. the database is deleted, waiting at most `timeoutMs` for other connections to close (`blocked`
 *    otherwise: see deleteSdkDatabase). The rows are already gone either way.
 *
 * Start-up opens the database only while no refusal is recorded; otherwise it requests the deletion
 * again (an earlier one may have been blocked, or the page closed first) and opens nothing. A
 * database whose `consent` is false is a refusal too (a page closed between steps 1 and 2, or an
 * SDK from before opt-out deleted the database): start-up records it and deletes the database.
 *
 * Once the connection is lost (this worker's opt-out, another tab's — on its signal or on
 * `versionchange` — or the browser closing it) it is not re-opened, which would re-create the
 * database, until it is needed and no refusal is recorded: that is, until the patient opts in again
 * in some tab. Opting in removes the refusal first, so a tab starting meanwhile does not delete the
 * new database. Nor is it re-opened while this worker's own deletion is still blocked: an open
 * would wait behind it (IndexedDB runs the requests for one database in order), so an opt-in here
 * fails at once with STORAGE_UNAVAILABLE; in another tab it waits until the deletion has run.
 */
import { PrivacyError } from '@practical-privacy/core';
import { deleteSdkDatabase, openSdkDatabase, STORE_NAMES, type SdkDatabase } from './db.ts';
import { clearRefusal, isRefused, recordRefusal } from './refusal.ts';

/**
 * `deleted`: the database is gone. `blocked`: another connection was still open after `timeoutMs`
 * (see deleteSdkDatabase); the deletion stays requested and runs when that connection closes.
 */
export type Deletion = 'deleted' | 'blocked';

/** How long opt-out waits for other connections to close. */
export const DEFAULT_ERASE_TIMEOUT_MS = 5_000;

export class SdkConnection {
  #db: SdkDatabase | undefined;
  #opening: Promise<SdkDatabase> | undefined;
  /** This worker's deletion while it has not completed (it may be blocked). */
  #deleting: Promise<void> | undefined;

  /** `onChange` runs whenever the connection is opened or lost (the worker restarts its transport on it). */
  constructor(
    readonly name: string,
    readonly timeoutMs: number,
    private readonly onChange: () => void,
  ) {
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'eraseTimeoutMs: must be a finite number > 0', { path: 'eraseTimeoutMs' });
    }
  }

  /** The open connection, if there is one. */
  get current(): SdkDatabase | undefined {
    return this.#db;
  }

  /** The open connection; CONSENT_REQUIRED when there is none (the patient opted out, here or in another tab). */
  get db(): SdkDatabase {
    // The database was deleted. The message is the one store/ledger.ts and secret.ts refuse with.
    if (this.#db === undefined) throw new PrivacyError('CONSENT_REQUIRED', 'runtime', 'the patient has opted out: nothing is computed, stored or sent');
    return this.#db;
  }

  /** Start-up: opens the database, or — when the refusal is recorded — deletes it again (waiting at most `timeoutMs`). */
  async start(): Promise<void> {
    if (!(await isRefused(this.name))) {
      const db = await this.#open();
      if ((await db.get('meta', 'consent')) !== false) return;
      await recordRefusal(this.name);
      this.release();
    }
    await this.delete();
  }

  /** The connection, re-opened if it was lost and no refusal is recorded now (another tab opted in); undefined while refused. */
  async live(): Promise<SdkDatabase | undefined> {
    if (this.#db !== undefined) return this.#db;
    // While this worker's deletion is blocked an open would wait behind it, then re-create the database.
    if (this.#deleting !== undefined) return undefined;
    if (this.#opening === undefined && (await isRefused(this.name))) return undefined;
    return this.#open();
  }

  /** Opt-in: removes the refusal, then opens the database — created afresh, with no key, after an opt-out. */
  async optIn(): Promise<SdkDatabase> {
    // It would wait behind this worker's blocked deletion; in another tab an open just waits until the deletion has run.
    if (this.#db === undefined && this.#deleting !== undefined) throw new PrivacyError('STORAGE_UNAVAILABLE', 'runtime', 'the database is still being deleted (another tab holds it open)');
    await clearRefusal(this.name);
    return this.#open();
  }

  /** Opt-out, steps 1–3 above. */
  async clear(): Promise<void> {
    // No await before the transaction while connected (step 1).
    const db = this.#db ?? (await this.live());
    if (db !== undefined) {
      const tx = db.transaction(STORE_NAMES, 'readwrite');
      await Promise.all([...STORE_NAMES.map((name) => tx.objectStore(name).clear()), tx.objectStore('meta').put(false, 'consent'), tx.done]);
    }
    await recordRefusal(this.name);
    this.release();
  }

  /** Opt-out, step 4 (this connection is closed by then). */
  async delete(): Promise<Deletion> {
    const deleting = (this.#deleting = deleteSdkDatabase(this.name));
    const done = () => {
      if (this.#deleting === deleting) this.#deleting = undefined;
    };
    deleting.then(done, done);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Deletion>((resolve) => (timer = setTimeout(resolve, this.timeoutMs, 'blocked')));
    // The race handles a later rejection of the deletion too.
    return Promise.race([deleting.then((): Deletion => 'deleted'), late]).finally(() => clearTimeout(timer));
  }

  /** Closes the connection (the cross-tab opt-out signal; step 3). It is re-opened only as `live()` says. */
  release(): void {
    const db = this.#db;
    if (db === undefined) return;
    db.close();
    this.#lost(db);
  }

  /** For good (the worker's close() or a new init). An open still under way attaches later, and closes on `versionchange` like any other. */
  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  #lost(db: SdkDatabase): void {
    if (this.#db !== db) return;
    this.#db = undefined;
    this.onChange();
  }

  /** Opening waits behind a deletion still blocked (IndexedDB runs the requests for one database in order). */
  #open(): Promise<SdkDatabase> {
    if (this.#db !== undefined) return Promise.resolve(this.#db);
    return (this.#opening ??= this.#connect().finally(() => (this.#opening = undefined)));
  }

  async #connect(): Promise<SdkDatabase> {
    // Which connection closed: the handler is set up before the connection exists.
    const opened: { db?: SdkDatabase } = {};
    const db = (opened.db = await openSdkDatabase(this.name, { onClose: () => opened.db !== undefined && this.#lost(opened.db) }));
    this.#db = db;
    this.onChange();
    return db;
  }
}
