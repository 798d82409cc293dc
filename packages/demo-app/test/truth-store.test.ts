/**
 * The simulated truth belongs to the database it was made for: after a restart on a new demo
 * database, a truth saved by an earlier run must not be drawn against the new estimates (issue
 * 18: a 64.9% estimate against a stale 28.8% "truth").
 */
import { describe, expect, it } from 'vitest';
import { emptyRealizedTruth, loadRealizedTruth, loadStoredTruth, saveRealizedTruth, type RealizedTruth, type TruthOwner, type TruthStorage } from '../src/sim/ground-truth.ts';

function memoryStorage(): TruthStorage & { size: () => number } {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k), size: () => map.size };
}

const owner = (databaseId: string | undefined): TruthOwner => ({ collectorUrl: 'http://localhost:8787', databaseId, campaign: 'daily-checkin@2' });
const truth = (): RealizedTruth => ({ ...emptyRealizedTruth(), patients: 1000, lowMoodYes: 288 });

describe('simulated truth per database', () => {
  it('is read back for the database it was made for', () => {
    const storage = memoryStorage();
    saveRealizedTruth(truth(), owner('db-1'), storage);
    expect(loadRealizedTruth(owner('db-1'), storage)?.lowMoodYes).toBe(288);
  });

  it('is discarded (and deleted) for a new database, another collector or another campaign version', () => {
    for (const other of [owner('db-2'), owner(undefined), { ...owner('db-1'), collectorUrl: 'http://localhost:8797' }, { ...owner('db-1'), campaign: 'daily-checkin@3' }]) {
      const storage = memoryStorage();
      saveRealizedTruth(truth(), owner('db-1'), storage);
      expect(loadStoredTruth(other, storage)).toEqual({ truth: undefined, discarded: true });
      expect(storage.size()).toBe(0);
      expect(loadStoredTruth(owner('db-1'), storage)).toEqual({ truth: undefined, discarded: false });
    }
  });

  it('discards a truth saved before truths carried their database, and an unreadable one', () => {
    const storage = memoryStorage();
    storage.setItem('pp-demo-simulated-truth-v1', JSON.stringify(truth()));
    expect(loadStoredTruth(owner('db-1'), storage)).toEqual({ truth: undefined, discarded: true });
    storage.setItem('pp-demo-simulated-truth-v2', '{not json');
    expect(loadStoredTruth(owner('db-1'), storage)).toEqual({ truth: undefined, discarded: true });
    expect(storage.size()).toBe(0);
  });
});
