import { RandomSampler, seededRandomSource, validateBatch } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { campaign, symptomsQuestion } from '../src/campaign.ts';
import { defaultGroundTruth } from '../src/sim/ground-truth.ts';
import { PatientSynthesizer, recentDays } from '../src/sim/synthesize.ts';

describe('PatientSynthesizer', () => {
  it('produces valid wire batches, four reports a patient, on the requested days', () => {
    const truth = { ...defaultGroundTruth(), days: 3 };
    const synthesizer = new PatientSynthesizer(truth, new RandomSampler(seededRandomSource('synth-test')));
    const { reports, truth: realized } = synthesizer.chunk(250, 0);
    expect(reports).toHaveLength(1000);
    expect(realized.patients).toBe(250);
    const batch = validateBatch({ campaignId: campaign.id, campaignVersion: campaign.version, reports });
    expect(batch.reports).toHaveLength(1000);
    const days = new Set(recentDays(3));
    for (const report of reports) expect(days.has(report.day)).toBe(true);
    expect(new Set(reports.map((r) => r.id)).size).toBe(1000);
  });

  it('realized truth follows the ground truth and respects the item limit', () => {
    const truth = defaultGroundTruth();
    const synthesizer = new PatientSynthesizer(truth, new RandomSampler(seededRandomSource('synth-truth')));
    const { truth: realized } = synthesizer.chunk(20_000, 0);
    const n = realized.patients;
    // Truncation to maxItems only lowers prevalences; with the default truth it changes them by < 2 points.
    realized.symptomCounts.forEach((count, i) => {
      const share = count / n;
      expect(share).toBeLessThanOrEqual(truth.symptomPrevalence[i]! + 0.015);
      expect(share).toBeGreaterThan(truth.symptomPrevalence[i]! - 0.03);
    });
    expect(Math.abs(realized.painSum / n - truth.painMean)).toBeLessThan(0.05);
    expect(Math.abs(realized.lowMoodYes / n - truth.lowMoodRate)).toBeLessThan(0.015);
    expect(realized.symptomCounts.reduce((a, b) => a + b, 0) / n).toBeLessThanOrEqual(symptomsQuestion.domain.maxItems);
  });
});
