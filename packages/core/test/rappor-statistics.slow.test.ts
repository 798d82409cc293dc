/**
 * RAPPOR through the production path (bloom → PRR from a per-device secret → IRR), seeded:
 *  - per-bit debiased counts are unbiased (|mean error| < 4 SE of the mean, every cohort and bit) and
 *    their empirical variance matches the formula within ±10% (pooled over bits), as does the
 *    plug-in SE the estimator reports;
 *  - decoding 100,000 simulated reports (64 cohorts, Zipf over 50 true strings among 200 candidates)
 *    finds the 4 most frequent strings (those well above the detection limit), with at most one false detection and shares within 4 SE.
 */
import { describe, expect, it } from 'vitest';
import { addToSums, buildCandidateMap, decodeRappor, RandomSampler, Rappor, rapporBitCountVariance, seededRandomSource } from '../src/index.ts';

function newSecret(rng: RandomSampler): Uint8Array {
  return rng.bytesInto(new Uint8Array(16));
}

describe('RAPPOR per-bit estimator', () => {
  it('is unbiased and its variance matches the formula within ±10%', () => {
    const rappor = new Rappor({ k: 16, h: 2, m: 2, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const rng = new RandomSampler(seededRandomSource('rappor-bit-statistics'));
    const usersPerCohort = 500;
    const values = ['fever', 'cough', 'headache', 'nausea', 'fatigue', 'rash'];
    // Fixed population: user u of cohort c holds values[u mod 6] (shares 1/6 each).
    const truth = new Float64Array(rappor.m * rappor.k);
    for (let c = 0; c < rappor.m; c++) {
      for (let u = 0; u < usersPerCohort; u++) {
        rappor.bloom(values[u % values.length]!, c).forEach((bit, b) => (truth[c * rappor.k + b]! += bit));
      }
    }
    const trials = 200;
    const cells = rappor.m * rappor.k;
    const sum = new Float64Array(cells);
    const sumSquares = new Float64Array(cells);
    const reportedVariance = new Float64Array(cells);
    for (let trial = 0; trial < trials; trial++) {
      const sums = new Float64Array(rappor.sumsLength);
      for (let c = 0; c < rappor.m; c++) {
        for (let u = 0; u < usersPerCohort; u++) {
          // A fresh device (secret) per user and trial: the PRR coins are part of the randomness.
          addToSums(rappor, rappor.randomize({ value: values[u % values.length]!, cohort: c, secret: newSecret(rng) }, rng), sums);
        }
      }
      const estimate = rappor.estimate(sums);
      for (let c = 0; c < rappor.m; c++) {
        for (let b = 0; b < rappor.k; b++) {
          const error = estimate.cohorts[c]!.counts[b]! - truth[c * rappor.k + b]!;
          sum[c * rappor.k + b]! += error;
          sumSquares[c * rappor.k + b]! += error * error;
          reportedVariance[c * rappor.k + b]! += estimate.cohorts[c]!.standardErrors[b]! ** 2 / trials;
        }
      }
    }
    let empiricalTotal = 0;
    let theoreticalTotal = 0;
    let reportedTotal = 0;
    for (let cell = 0; cell < cells; cell++) {
      const theoretical = rapporBitCountVariance(rappor.implemented, usersPerCohort, truth[cell]!);
      const mean = sum[cell]! / trials;
      expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(theoretical / trials));
      empiricalTotal += (sumSquares[cell]! - trials * mean * mean) / (trials - 1);
      theoreticalTotal += theoretical;
      reportedTotal += reportedVariance[cell]!;
    }
    expect(empiricalTotal / theoreticalTotal).toBeGreaterThan(0.9);
    expect(empiricalTotal / theoreticalTotal).toBeLessThan(1.1);
    expect(reportedTotal / theoreticalTotal).toBeGreaterThan(0.9);
    expect(reportedTotal / theoreticalTotal).toBeLessThan(1.1);
  });
});

describe('RAPPOR decoding on simulated reports', () => {
  it('recovers the top candidates of a Zipf distribution', () => {
    const rappor = new Rappor({ k: 32, h: 2, m: 64, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const rng = new RandomSampler(seededRandomSource('rappor-decode-zipf'));
    const candidates = Array.from({ length: 200 }, (_, i) => `symptom-${i}`);
    // The 50 true strings are every 4th candidate; Zipf(1) shares, most frequent first.
    const trueStrings = Array.from({ length: 50 }, (_, i) => candidates[4 * i]!);
    const weights = trueStrings.map((_, i) => 1 / (i + 1));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const shares = weights.map((w) => w / totalWeight);
    const cumulative: number[] = [];
    shares.reduce((acc, s, i) => (cumulative[i] = acc + s), 0);
    const n = 100_000;
    const sums = new Float64Array(rappor.sumsLength);
    for (let i = 0; i < n; i++) {
      const u = rng.uint32() / 2 ** 32;
      let index = cumulative.findIndex((c) => u < c);
      if (index < 0) index = trueStrings.length - 1;
      const cohort = rng.uniformInt(rappor.m);
      addToSums(rappor, rappor.randomize({ value: trueStrings[index]!, cohort, secret: newSecret(rng) }, rng), sums);
    }
    const result = decodeRappor(rappor.estimate(sums), buildCandidateMap(rappor, candidates));
    const trueShare = new Map(trueStrings.map((s, i) => [s, shares[i]!]));
    const detected = new Set(result.detected.map((d) => d.candidate));
    // SE per share ≈ 0.009 here (n = 10^5, k = 32, f = 0.5, p = 0.5, q = 0.75) and the Bonferroni
    // threshold is z > 3.48, so only shares ≳ 0.05 are reliably detected: the top 4 (≥ 0.056).
    for (const top of trueStrings.slice(0, 4)) expect(detected.has(top)).toBe(true);
    const falseDetections = result.detected.filter((d) => !trueShare.has(d.candidate));
    expect(falseDetections.length).toBeLessThanOrEqual(1);
    for (const d of result.detected) {
      if (trueShare.has(d.candidate)) expect(Math.abs(d.proportion - trueShare.get(d.candidate)!)).toBeLessThan(4 * d.standardError);
    }
    expect(result.unexplainedMass).toBeGreaterThan(0);
    expect(result.unexplainedMass).toBeLessThan(1);
  });
});
