/**
 * The end-to-end test checks that ten 95% intervals (8 symptoms, low mood, mean pain) contain the
 * simulated truth. With a random seed at least one of ten misses about 40% of the time, so the
 * e2e test uses a fixed seed, and this test recomputes, with the same mechanisms and estimators
 * the collector uses, how far inside its interval each cell lands for that seed. If a change in
 * core alters the random stream and this fails, pick a new seed (the failure prints the z-scores)
 * rather than widening the e2e check.
 */
import { buildCandidateMap, decodeRappor, RandomSampler, seededRandomSource, type Rappor, type RapporBitEstimate } from '@practical-privacy/core';
import { expect, it } from 'vitest';
import { E2E_SIMULATOR_SEED, E2E_SIMULATED_PATIENTS } from '../e2e/constants.ts';
import { defaultGroundTruth } from '../src/sim/ground-truth.ts';
import { medicationCandidates } from '../src/campaign.ts';
import { medicationMechanism, moodMechanism, painMechanism, symptomsMechanism } from '../src/sim/mechanisms.ts';
import { PATIENTS_PER_BATCH, simulatorSeed } from '../src/sim/run.ts';
import { PatientSynthesizer } from '../src/sim/synthesize.ts';

it('the e2e seed keeps every checked estimate within 1.6 standard errors of the truth', () => {
  const synthesizer = new PatientSynthesizer({ ...defaultGroundTruth(), patients: E2E_SIMULATED_PATIENTS, seed: E2E_SIMULATOR_SEED }, new RandomSampler(seededRandomSource(simulatorSeed(E2E_SIMULATOR_SEED))));
  const mood = moodMechanism();
  const pain = painMechanism();
  const symptoms = symptomsMechanism();
  const moodSums = new Float64Array(mood.sumsLength);
  const painSums = new Float64Array(pain.sumsLength);
  const symptomSums = new Float64Array(symptoms.sumsLength);
  let yes = 0;
  let painTotal = 0;
  let n = 0;
  const counts: number[] = [];
  for (let sent = 0; sent < E2E_SIMULATED_PATIENTS; sent += PATIENTS_PER_BATCH) {
    const { reports, truth } = synthesizer.chunk(Math.min(PATIENTS_PER_BATCH, E2E_SIMULATED_PATIENTS - sent), sent);
    n += truth.patients;
    yes += truth.lowMoodYes;
    painTotal += truth.painSum;
    truth.symptomCounts.forEach((x, i) => (counts[i] = (counts[i] ?? 0) + x));
    for (const report of reports) {
      if (report.questionId === 'low-mood') mood.addToSums(mood.decodeReport(report), moodSums);
      else if (report.questionId === 'pain') pain.addToSums(pain.decodeReport(report), painSums);
      else if (report.questionId === 'symptoms') symptoms.addToSums(symptoms.decodeReport(report), symptomSums);
    }
  }
  const moodEstimate = mood.estimate(moodSums);
  const painEstimate = pain.estimate(painSums);
  const symptomEstimate = symptoms.estimate(symptomSums);
  const z = [
    (moodEstimate.values[1]! - yes / n) / moodEstimate.standardErrors[1]!,
    (painEstimate.mean - painTotal / n) / painEstimate.standardError,
    ...counts.map((count, i) => (symptomEstimate.values[i]! - count / n) / symptomEstimate.standardErrors[i]!),
  ];
  expect(Math.max(...z.map(Math.abs)), `z-scores: ${z.map((x) => x.toFixed(2)).join(' ')}`).toBeLessThan(1.6);
});

it('the e2e seed: RAPPOR decoding detects the two most common medications, far above the threshold, among its top three', () => {
  // What the e2e asserts for the medication question (see the comment there), recomputed with
  // core's decoder for the e2e seed; the margins printed on failure say how close it was.
  const synthesizer = new PatientSynthesizer({ ...defaultGroundTruth(), patients: E2E_SIMULATED_PATIENTS, seed: E2E_SIMULATOR_SEED }, new RandomSampler(seededRandomSource(simulatorSeed(E2E_SIMULATOR_SEED))));
  const medication = medicationMechanism();
  const sums = new Float64Array(medication.sumsLength);
  const counts = medicationCandidates.map(() => 0);
  for (let sent = 0; sent < E2E_SIMULATED_PATIENTS; sent += PATIENTS_PER_BATCH) {
    const { reports, truth } = synthesizer.chunk(Math.min(PATIENTS_PER_BATCH, E2E_SIMULATED_PATIENTS - sent), sent);
    truth.medicationCounts.forEach((x, i) => (counts[i]! += x));
    for (const report of reports) if (report.questionId === 'medication') medication.addToSums(medication.decodeReport(report), sums);
  }
  const decoded = decodeRappor(medication.estimate(sums) as RapporBitEstimate, buildCandidateMap(medication as unknown as Rappor, medicationCandidates));
  const commonest = medicationCandidates.map((name, i) => ({ name, count: counts[i]! })).sort((a, b) => b.count - a.count).slice(0, 2).map((m) => m.name);
  expect(commonest).toEqual(['paracetamol', 'ibuprofen']);
  const detail = decoded.detected.map((c) => `${c.candidate} ${c.proportion.toFixed(3)}±${c.standardError.toFixed(3)} z=${c.z.toFixed(1)}`).join(', ');
  expect(decoded.detected.slice(0, 3).map((c) => c.candidate), detail).toEqual(expect.arrayContaining(commonest));
  for (const name of commonest) expect(decoded.detected.find((c) => c.candidate === name)!.z, detail).toBeGreaterThan(2 * decoded.zThreshold);
});
