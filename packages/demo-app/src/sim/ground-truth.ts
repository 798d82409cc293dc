/**
 * The ground truth a simulated clinic is drawn from, editable in the Simulator view, and the
 * realized truth of what was actually sent (the number the dashboard compares estimates with).
 */
import { medicationCandidates, symptomItems } from '../campaign.ts';

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

const STORAGE_KEY = 'pp-demo-simulated-truth-v1';

/**
 * The truth is kept in localStorage so the dashboard (another view, maybe another tab) can plot it.
 * It describes every simulator run since it was last cleared — clear it when the collector's
 * database is reset.
 */
export function loadRealizedTruth(): RealizedTruth | undefined {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    if (text === null) return undefined;
    const parsed = JSON.parse(text) as RealizedTruth;
    return parsed.patients > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveRealizedTruth(truth: RealizedTruth): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(truth));
}

export function clearRealizedTruth(): void {
  localStorage.removeItem(STORAGE_KEY);
}
