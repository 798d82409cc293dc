/**
 * Runs a simulation: synthesize patients chunk by chunk, POST each chunk as one batch to the
 * collector, report progress. Chunks keep memory flat and let the page repaint between batches.
 */
import { RandomSampler, seededRandomSource } from '@practical-privacy/core';
import { postBatch } from '../api.ts';
import { campaign } from '../campaign.ts';
import { addRealizedTruth, emptyRealizedTruth, type GroundTruth, type RealizedTruth } from './ground-truth.ts';
import { PatientSynthesizer } from './synthesize.ts';

/** Four reports per patient; 250 patients = 1,000 reports, the collector's default batch limit. */
export const PATIENTS_PER_BATCH = 250;

/** The seeded stream of a simulation: the same seed gives the same patients and the same coins. */
export function simulatorSeed(seed: string): string {
  return `simulator:${seed}`;
}

export interface Progress {
  patientsSent: number;
  patients: number;
  reportsAccepted: number;
  duplicates: number;
  /** Truth of the acknowledged reports so far (kept even if the run is cancelled later). */
  realized: RealizedTruth;
}

export async function runSimulation(truth: GroundTruth, onProgress: (progress: Progress) => void, signal?: AbortSignal): Promise<RealizedTruth> {
  const synthesizer = new PatientSynthesizer(truth, new RandomSampler(seededRandomSource(simulatorSeed(truth.seed))));
  let realized = emptyRealizedTruth();
  const progress: Progress = { patientsSent: 0, patients: truth.patients, reportsAccepted: 0, duplicates: 0, realized };
  onProgress({ ...progress });
  while (progress.patientsSent < truth.patients) {
    signal?.throwIfAborted();
    const count = Math.min(PATIENTS_PER_BATCH, truth.patients - progress.patientsSent);
    const { reports, truth: chunkTruth } = synthesizer.chunk(count, progress.patientsSent);
    const result = await postBatch({ campaignId: campaign.id, campaignVersion: campaign.version, reports }, signal);
    // Only acknowledged reports count toward the truth the dashboard compares with.
    realized = addRealizedTruth(realized, chunkTruth);
    progress.patientsSent += count;
    progress.reportsAccepted += result.accepted;
    progress.duplicates += result.duplicates;
    progress.realized = realized;
    onProgress({ ...progress });
  }
  return realized;
}
