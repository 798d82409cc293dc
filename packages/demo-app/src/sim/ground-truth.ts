/**
 * The ground truth a simulated clinic is drawn from, editable in the Simulator view, and the
 * realized truth of what was actually sent (the number the dashboard compares estimates with).
 */
import { campaign, medicationCandidates, symptomItems } from '../campaign.ts';
import { collectorUrl, databaseId } from '../config.ts';

export interface GroundTruth {
  patients: number;
  /** Reports are spread uniformly over the last `days` UTC days (today included). */
  days: number;
  /** Probability that a patient has each symptom (independently; at most maxItems are ticked). */
  symptomPrevalence: number[];
  /** Mean pain score; each patient's score is Binomial(10, mean/10). */
  painMean: number;
  /** Share of patients answering yes to the low-mood question. */
  lowMoodRate: number;
  /** Relative weights of the candidate medications; `otherMedicationShare` goes to names outside the list (reported as "other"). */
  medicationWeights: number[];
  otherMedicationShare: number;
  seed: string;
}

export function defaultGroundTruth(): GroundTruth {
  return {
    patients: 20_000,
    days: 7,
    symptomPrevalence: [0.3, 0.4, 0.2, 0.08, 0.1, 0.05, 0.15, 0.12].slice(0, symptomItems.length),
    painMean: 3.5,
    lowMoodRate: 0.18,
    medicationWeights: medicationCandidates.map((_, i) => [30, 20, 0, 15, 10, 0, 0, 10, 0, 5, 0, 10][i] ?? 0),
    otherMedicationShare: 0.1,
    seed: 'demo',
  };
}

/** Counts of the true answers actually sent, accumulated over simulator runs. */
export interface RealizedTruth {
  patients: number;
  symptomCounts: number[];
  painSum: number;
  lowMoodYes: number;
  medicationCounts: number[];
  /** Patients whose medication is not a candidate: the collector's "other" share. */
  otherMedication: number;
}

export function emptyRealizedTruth(): RealizedTruth {
  return {
    patients: 0,
    symptomCounts: symptomItems.map(() => 0),
    painSum: 0,
    lowMoodYes: 0,
    medicationCounts: medicationCandidates.map(() => 0),
    otherMedication: 0,
  };
}

export function addRealizedTruth(a: RealizedTruth, b: RealizedTruth): RealizedTruth {
  return {
    patients: a.patients + b.patients,
    symptomCounts: a.symptomCounts.map((x, i) => x + (b.symptomCounts[i] ?? 0)),
    painSum: a.painSum + b.painSum,
    lowMoodYes: a.lowMoodYes + b.lowMoodYes,
    medicationCounts: a.medicationCounts.map((x, i) => x + (b.medicationCounts[i] ?? 0)),
    otherMedication: a.otherMedication + b.otherMedication,
  };
}

/**
 * Which database a saved truth was made for: the collector's URL, the demo database's identity
 * (`VITE_PP_DATABASE_ID`, written next to the database by scripts/stack.mjs and kept with it by
 * `--keep-data`) and the campaign version. A truth saved for another database — an earlier demo
 * run whose database was replaced — describes reports that are not there, so it is discarded.
 */
export interface TruthOwner {
  collectorUrl: string;
  /** Undefined when the app was started without the demo stack: then only URL and campaign are compared. */
  databaseId: string | undefined;
  campaign: string;
}

export function currentTruthOwner(): TruthOwner {
  return { collectorUrl, databaseId, campaign: `${campaign.id}@${campaign.version}` };
}

/** The part of the Web Storage API the truth needs (localStorage in the app, a Map in tests). */
export type TruthStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const STORAGE_KEY = 'pp-demo-simulated-truth-v2';
/** Written before truths carried their database; always from an unknown database. */
const LEGACY_KEYS = ['pp-demo-simulated-truth-v1'];

interface StoredTruth {
  owner: TruthOwner;
  truth: RealizedTruth;
}

function sameOwner(a: TruthOwner, b: TruthOwner): boolean {
  return a.collectorUrl === b.collectorUrl && a.campaign === b.campaign && (a.databaseId ?? null) === (b.databaseId ?? null);
}

export interface LoadedTruth {
  truth: RealizedTruth | undefined;
  /** A truth made for another database (or an unreadable one) was found and deleted. */
  discarded: boolean;
}

/**
 * The truth is kept in localStorage so the dashboard (another view, maybe another tab) can plot it.
 * It sums every simulator run against this database since it was last cleared; one saved for
 * another database is deleted, never drawn.
 */
export function loadStoredTruth(owner: TruthOwner = currentTruthOwner(), storage: TruthStorage = localStorage): LoadedTruth {
  let discarded = false;
  for (const key of LEGACY_KEYS) {
    if (storage.getItem(key) !== null) {
      storage.removeItem(key);
      discarded = true;
    }
  }
  const text = storage.getItem(STORAGE_KEY);
  if (text === null) return { truth: undefined, discarded };
  try {
    const stored = JSON.parse(text) as StoredTruth;
    if (stored.owner !== undefined && sameOwner(stored.owner, owner) && stored.truth.patients > 0) return { truth: stored.truth, discarded };
  } catch {
    // unreadable: discarded below
  }
  storage.removeItem(STORAGE_KEY);
  return { truth: undefined, discarded: true };
}

export function loadRealizedTruth(owner?: TruthOwner, storage?: TruthStorage): RealizedTruth | undefined {
  return loadStoredTruth(owner, storage).truth;
}

export function saveRealizedTruth(truth: RealizedTruth, owner: TruthOwner = currentTruthOwner(), storage: TruthStorage = localStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify({ owner, truth } satisfies StoredTruth));
}

export function clearRealizedTruth(storage: TruthStorage = localStorage): void {
  storage.removeItem(STORAGE_KEY);
}
