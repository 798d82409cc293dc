/**
 * Synthetic patients: draw true answers from the ground truth, randomize them with core's real
 * mechanisms (exactly what a device does), and produce wire reports.
 *
 * Every question of the demo campaign is two-level (longitudinal: a permanent response per answer,
 * re-randomized on every report). A device derives its permanent responses from its key, so its
 * reports of one answer share them; a synthetic patient reports once, so each report here draws
 * every level afresh — device constant, permanent response, instantaneous response — which is
 * what the mechanisms' `randomize` does (core's `randomizeTwoLevel`, in one call). The sums the
 * collector debiases are then those of one report per device, as on any single day.
 *
 * Two random streams on purpose: the *population* (true answers and randomizer coins) comes from
 * a seeded source so a run is reproducible, while report ids come from the platform CSPRNG so
 * that re-running the same seed sends new reports instead of duplicates the collector would drop.
 */
import { cryptoRandomSource, newReportId, RandomSampler, stringIndex, THRESHOLD_ONE, utcDay, type BatchReport, type EncodedReport, type WirePayload } from '@practical-privacy/core';
import { medicationCandidates, medicationQuestion, moodQuestion, painQuestion, symptomItems, symptomsQuestion } from '../campaign.ts';
import { emptyRealizedTruth, type GroundTruth, type RealizedTruth } from './ground-truth.ts';
import { medicationMechanism, moodMechanism, painMechanism, symptomsMechanism } from './mechanisms.ts';

/** A wire report (core's BatchReport) from a mechanism's encoded output. */
export function batchReport(id: string, questionId: string, day: string, encoded: EncodedReport): BatchReport {
  // Every mechanism's payload is a wire payload (numbers, strings, short arrays); core checks it on the other side.
  return { id, questionId, day, payload: encoded.payload as WirePayload, ...(encoded.cohort === undefined ? {} : { cohort: encoded.cohort }) };
}

/** The last `days` UTC days, oldest first, ending today. */
export function recentDays(days: number, now = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => utcDay(new Date(today - (days - 1 - i) * 86_400_000)));
}

function probabilityThreshold(p: number): number {
  return Math.round(Math.min(1, Math.max(0, p)) * THRESHOLD_ONE);
}

/** Index drawn with probability weights[i] / Σ weights (simulation only: float CDF is fine here). */
function weightedIndex(weights: number[], total: number, rng: RandomSampler): number {
  let u = (rng.uint32() / THRESHOLD_ONE) * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

export class PatientSynthesizer {
  private readonly symptoms = symptomsMechanism();
  private readonly pain = painMechanism();
  private readonly mood = moodMechanism();
  private readonly medication = medicationMechanism();
  private readonly idSampler = new RandomSampler(cryptoRandomSource());
  private readonly days: string[];
  private readonly medicationTotal: number;
  private readonly otherWeight: number;

  constructor(
    private readonly truth: GroundTruth,
    private readonly rng: RandomSampler,
  ) {
    this.days = recentDays(truth.days);
    const candidateTotal = truth.medicationWeights.reduce((a, b) => a + b, 0);
    const other = Math.min(0.99, Math.max(0, truth.otherMedicationShare));
    // Weights are rescaled so the candidates share (1 − other) of the mass.
    this.otherWeight = candidateTotal === 0 ? 1 : (other / (1 - other)) * candidateTotal;
    this.medicationTotal = candidateTotal + this.otherWeight;
  }

  private reportId(): string {
    return newReportId(this.idSampler);
  }

  /** `count` patients, one check-in each (four reports), with the realized truth of this chunk. */
  chunk(count: number, firstPatient: number): { reports: BatchReport[]; truth: RealizedTruth } {
    const rng = this.rng;
    const truth = emptyRealizedTruth();
    const reports: BatchReport[] = [];
    const k = symptomItems.length;
    for (let i = 0; i < count; i++) {
      const day = this.days[rng.uniformInt(this.days.length)]!;
      truth.patients++;

      // Symptoms: independent draws, then at most maxItems kept (the form allows no more).
      let items: number[] = [];
      for (let s = 0; s < k; s++) if (rng.bernoulli(probabilityThreshold(this.truth.symptomPrevalence[s] ?? 0))) items.push(s);
      while (items.length > symptomsQuestion.domain.maxItems) items = items.filter((_, j) => j !== rng.uniformInt(items.length));
      for (const s of items) truth.symptomCounts[s]!++;
      reports.push(batchReport(this.reportId(), symptomsQuestion.id, day, this.symptoms.encodeReport(this.symptoms.randomize(items, rng))));

      // Pain: Binomial(10, mean/10), so the population mean is exactly painMean.
      const p = probabilityThreshold(this.truth.painMean / (painQuestion.domain.high - painQuestion.domain.low));
      let pain = painQuestion.domain.low;
      for (let t = painQuestion.domain.low; t < painQuestion.domain.high; t++) if (rng.bernoulli(p)) pain++;
      truth.painSum += pain;
      reports.push(batchReport(this.reportId(), painQuestion.id, day, this.pain.encodeReport(this.pain.randomize(pain, rng))));

      const lowMood = rng.bernoulli(probabilityThreshold(this.truth.lowMoodRate)) ? 1 : 0;
      truth.lowMoodYes += lowMood;
      reports.push(batchReport(this.reportId(), moodQuestion.id, day, this.mood.encodeReport(this.mood.randomize(lowMood, rng))));

      // Medication: a candidate, or a name outside the list — which LOLOHA sends as "other"
      // (core's stringIndex: index candidates.length), the collector's '(other)' share.
      const pick = weightedIndex([...this.truth.medicationWeights, this.otherWeight], this.medicationTotal, rng);
      const value = pick < medicationCandidates.length ? medicationCandidates[pick]! : `other-medication-${(firstPatient + i) % 50}`;
      const index = stringIndex(medicationQuestion, value);
      if (index < medicationCandidates.length) truth.medicationCounts[index]!++;
      else truth.otherMedication++;
      reports.push(batchReport(this.reportId(), medicationQuestion.id, day, this.medication.encodeReport(this.medication.randomize(index, rng))));
    }
    return { reports, truth };
  }
}
