/**
 * RAPPOR detection limits (rappor-detection.ts): one function for the planner's detectable share
 * and the decoder's `detectionLimit`, and what the decoder says of a candidate it did not detect —
 * no share, no SE, no interval (they were 0, 0 and 0–0 before: false certainty for a medication
 * whose simulated share was 4.1%), only "below ≈ detectionLimit", for a dropped candidate and a
 * decoy alike.
 */
import { describe, expect, it } from 'vitest';
import {
  buildCandidateMap,
  decodeRappor,
  detectionLimit,
  detectionThreshold,
  normalQuantile,
  planRapporDetection,
  RandomSampler,
  Rappor,
  rapporBitProbabilities,
  rapporStandardErrorAtZero,
  seededRandomSource,
} from '../src/index.ts';
import { simulateRapporSample } from './helpers/rappor-simulation.ts';

describe('detectionLimit (Currie’s L_D)', () => {
  it('is (z_α + z_power)·SE₀, capped at 1', () => {
    const z = detectionThreshold(0.05, 12);
    expect(z).toBeCloseTo(normalQuantile(1 - 0.05 / 12), 12);
    expect(detectionLimit({ standardErrorAtZero: 0.01, zThreshold: z })).toBeCloseTo((z + normalQuantile(0.95)) * 0.01, 12);
    expect(detectionLimit({ standardErrorAtZero: 0.01, zThreshold: z, power: 0.5 })).toBeCloseTo(z * 0.01, 8);
    expect(detectionLimit({ standardErrorAtZero: Infinity, zThreshold: z })).toBe(1);
    expect(detectionLimit({ standardErrorAtZero: 0, zThreshold: z })).toBe(0);
    expect(() => detectionLimit({ standardErrorAtZero: -1, zThreshold: z })).toThrow(/standardErrorAtZero/);
    expect(() => detectionLimit({ standardErrorAtZero: 0.01, zThreshold: z, power: 1 })).toThrow(/power/);
    expect(() => detectionThreshold(0, 12)).toThrow(/alpha/);
  });
});

describe('planRapporDetection', () => {
  it('predicts SE₀ from the design and feeds it to detectionLimit', () => {
    const design = { k: 32, h: 2, f: 0.5, p: 0.5, q: 0.75 };
    const plan = planRapporDetection({ ...design, n: 100_000, candidates: 200 });
    // By hand: p₀₁ = 0.5625, p₁₁ = 0.6875; h̄ = 32(1 − (31/32)²) = 1.96875 distinct bits; π̄ = h̄/32.
    const { p01, p11 } = rapporBitProbabilities(design);
    const hBar = 32 * (1 - (31 / 32) ** 2);
    const v = (hBar / 32) * p11 * (1 - p11) + (1 - hBar / 32) * p01 * (1 - p01);
    const se = Math.sqrt(v / (100_000 * hBar * (1 - hBar / 32) * (p11 - p01) ** 2));
    expect(plan.standardErrorAtZero).toBeCloseTo(se, 12);
    // ≈ 0.009, the SE rappor-statistics.slow.test.ts sees at this design and n.
    expect(plan.standardErrorAtZero).toBeGreaterThan(0.0085);
    expect(plan.standardErrorAtZero).toBeLessThan(0.0095);
    expect(plan.zThreshold).toBeCloseTo(3.4807564043462422, 6);
    expect(plan.detectableShare).toBe(detectionLimit({ standardErrorAtZero: se, zThreshold: plan.zThreshold }));
    // Four times the reports halve the limit.
    expect(planRapporDetection({ ...design, n: 400_000, candidates: 200 }).detectableShare).toBeCloseTo(plan.detectableShare / 2, 12);
    expect(() => planRapporDetection({ ...design, n: 0, candidates: 200 })).toThrow(/n/);
    expect(() => planRapporDetection({ ...design, n: 10, candidates: 0 })).toThrow(/candidates/);
    expect(() => planRapporDetection({ ...design, q: 0.5, n: 10, candidates: 3 })).toThrow(/signal/);
    expect(rapporStandardErrorAtZero({ ...design, k: 1, h: 1 }, 100)).toBe(Infinity);
  });
});

// The demo's former RAPPOR medication question and its simulated clinic: 12 candidates, 10,000
// patients, 10% naming a medication outside the list (50 names), salbutamol 4.5%, five decoys.
const CANDIDATES = ['paracetamol', 'ibuprofen', 'amoxicillin', 'metformin', 'atorvastatin', 'lisinopril', 'amlodipine', 'omeprazole', 'levothyroxine', 'salbutamol', 'sertraline', 'aspirin'];
const WEIGHTS = [30, 20, 0, 15, 10, 0, 0, 10, 0, 5, 0, 10];

describe('decoding: undetected candidates', () => {
  const rappor = new Rappor({ k: 32, h: 2, m: 8, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1', metricId: 'demo/medication' });
  const outside = Array.from({ length: 50 }, (_, i) => `other-medication-${i}`);
  const total = WEIGHTS.reduce((a, b) => a + b, 0);
  const shares = [...WEIGHTS.map((w) => (w / total) * 0.9), ...outside.map(() => 0.1 / outside.length)];
  const n = 10_000;
  const { sums } = simulateRapporSample(rappor, { values: [...CANDIDATES, ...outside], shares }, n, new RandomSampler(seededRandomSource('rappor-detection dropped')));
  const map = buildCandidateMap(rappor, CANDIDATES);
  const result = decodeRappor(rappor.estimate(sums), map);
  const byName = new Map(result.candidates.map((c) => [c.candidate, c]));

  it('reads a dropped candidate (truth 4.5%) and a decoy (truth 0) as not detectable below the limit, with no 0 ± 0', () => {
    expect(shares[CANDIDATES.indexOf('salbutamol')]).toBeCloseTo(0.045, 6);
    for (const name of ['salbutamol', 'amoxicillin']) {
      const c = byName.get(name)!;
      expect(c.detected).toBe(false);
      expect(c).toMatchObject({ proportion: null, standardError: null, ci95: null, count: null });
      expect(c.detectionLimit).toBeGreaterThan(0.045);
      expect(c.detectionLimit).toBeLessThan(0.2);
    }
    // Every undetected candidate is reported so, and none is a detected zero.
    for (const c of result.candidates) {
      if (c.detected) expect(c.standardError).toBeGreaterThan(0);
      else expect(c.ci95).toBeNull();
    }
    expect(result.detected.map((c) => c.candidate)).toContain('paracetamol');
  });

  it('takes the limit from the shared function, at the SE the release would give the candidate', () => {
    // Respondents' SE of a detected candidate = √φ̂·SE₀ exactly; its limit is the shared function of it.
    const respondents = decodeRappor(rappor.estimate(sums), map, { estimand: 'respondents' });
    for (const c of respondents.detected) expect(c.detectionLimit).toBeCloseTo(detectionLimit({ standardErrorAtZero: c.standardError, zThreshold: respondents.zThreshold }), 12);
    // The planner's figure for this design and n is the decoder's for a decoy, within 15% (the
    // decoder's SE₀ also carries collisions with the fitted candidates and φ̂ ≥ 1).
    const planned = planRapporDetection({ k: 32, h: 2, ...rappor.implemented, n, candidates: CANDIDATES.length });
    expect(planned.zThreshold).toBe(result.zThreshold);
    for (const decoy of ['amoxicillin', 'lisinopril', 'amlodipine', 'levothyroxine', 'sertraline']) {
      const limit = byName.get(decoy)!.detectionLimit;
      expect(limit / planned.detectableShare).toBeGreaterThan(0.95);
      expect(limit / planned.detectableShare).toBeLessThan(1.15);
    }
    // A higher power asks for a larger share.
    const strict = decodeRappor(rappor.estimate(sums), map, { detectionPower: 0.99 });
    expect(strict.candidates[2]!.detectionLimit).toBeGreaterThan(byName.get(CANDIDATES[2]!)!.detectionLimit);
    expect(() => decodeRappor(rappor.estimate(sums), map, { detectionPower: 0 })).toThrow(/power/);
  });
});
