/**
 * The baseline the SDK's report() is compared with: the least any worker-based design must do per
 * report — one comlink round trip to a module worker that writes one outbox-sized row to IndexedDB
 * in one readwrite transaction and answers once it has committed. No validation, randomization,
 * hashing, budget ledger, memo or beacon refresh.
 */
import { expose } from 'comlink';
import { openDB, type IDBPDatabase } from 'idb';

let db: IDBPDatabase | undefined;

const api = {
  async open(name: string): Promise<void> {
    db = await openDB(name, 1, {
      upgrade(d) {
        d.createObjectStore('outbox', { keyPath: 'id' });
      },
    });
  },
  async put(index: number): Promise<string> {
    const id = crypto.randomUUID();
    const tx = db!.transaction('outbox', 'readwrite');
    // About the size of a queued report (a wire report with a short payload, plus bookkeeping).
    void tx.store.put({ id, campaignId: 'sdk-bench', campaignVersion: 1, report: { id, questionId: 'fever', day: '2025-01-01', v: index % 2 }, epsilon: 1, queuedAt: Date.now() });
    await tx.done;
    return id;
  },
};

export type BaselineApi = typeof api;
expose(api);
