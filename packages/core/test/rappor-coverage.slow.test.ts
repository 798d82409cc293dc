/**
 * Coverage of RAPPOR decoding intervals when names outside the candidate list carry mass (issue
 * 18): over 40 datasets of 100,000 reports, 6% of them holding one medication that is not a
 * candidate, the 95% population intervals of the detected listed names must cover their
 * population share at least 93% of the time. Unscaled least-squares SEs (decode.R's) covered
 * 259/279 = 92.8% here; scaled by √φ̂, the fit's residual dispersion (rappor-decode.ts; mean φ̂
 * 1.31), 266/278 = 95.7%. The test asserts both, so it fails if the scale is lost (or stops
 * mattering in this setting). With every value listed, φ̂ stays near 1 and coverage ≥ 93% too.
 *
 * Setting: the demo's 12 medications (7 held, shares 4.7–28.2%; 5 decoys), k = 16, h = 2, m = 8,
 * f = 0.5, p = 0.5, q = 0.75. Every dataset draws 100,000 fresh patients from the population
 * (the population estimand, the default) and is a new campaign — a new metric id, so new Bloom
 * hashes — so coverage is over hash designs as well as reports. For one fixed design, a listed
 * name whose bits collide with the unlisted name's keeps the same bias in every dataset, which
 * no variance scale removes (measured, k = 32, one design, 80 datasets: 90.2% unscaled, 92.1%
 * scaled; see the README's caveat).
 *
 * Reports: helpers/rappor-simulation.ts (the mechanism's Bloom filter, IRR and sums; PRR coins
 * from the seeded sampler instead of the HMAC PRF, for speed).
 */
import { describe, expect, it } from 'vitest';
import { buildCandidateMap, decodeRappor, RandomSampler, Rappor, seededRandomSource } from '../src/index.ts';
import { simulateRapporSample } from './helpers/rappor-simulation.ts';

const CANDIDATES = ['paracetamol', 'ibuprofen', 'amoxicillin', 'metformin', 'atorvastatin', 'lisinopril', 'amlodipine', 'omeprazole', 'levothyroxine', 'salbutamol', 'sertraline', 'aspirin'];
const WEIGHTS = [30, 20, 0, 15, 10, 0, 0, 10, 0, 5, 0, 10];
const OUTSIDE_SHARE = 0.06;
const DATASETS = 40;
const N = 100_000;

interface Tally {
  covered: number;
  intervals: number;
  dispersion: number;
}

/** 95% population intervals of detected listed names over DATASETS new campaigns, with and without the scale. */
function coverageOver(outsideShare: number, seed: string): { scaled: Tally; unscaled: Tally; report: string } {
  const total = WEIGHTS.reduce((a, b) => a + b, 0);
  const shares = [...WEIGHTS.map((w) => (w / total) * (1 - outsideShare)), outsideShare];
  const population = { values: [...CANDIDATES, 'other-medication-0'], shares };
  const rng = new RandomSampler(seededRandomSource(seed));
  const tally = { scaled: { covered: 0, intervals: 0, dispersion: 0 }, unscaled: { covered: 0, intervals: 0, dispersion: 0 } };
  for (let d = 0; d < DATASETS; d++) {
    const rappor = new Rappor({ k: 16, h: 2, m: 8, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1', metricId: `coverage/medication-${d}` });
    const estimate = rappor.estimate(simulateRapporSample(rappor, population, N, rng).sums);
    const map = buildCandidateMap(rappor, CANDIDATES);
    for (const [mode, scaleByDispersion] of [['scaled', true], ['unscaled', false]] as const) {
      const result = decodeRappor(estimate, map, { scaleByDispersion });
      tally[mode].dispersion += result.dispersion / DATASETS;
      for (const c of result.detected) {
        const truth = shares[CANDIDATES.indexOf(c.candidate)]!;
        if (truth === 0) continue; // a false detection has no share to cover
        tally[mode].intervals++;
        if (c.ci95[0] <= truth && truth <= c.ci95[1]) tally[mode].covered++;
      }
    }
  }
  const report = `scaled ${tally.scaled.covered}/${tally.scaled.intervals} (mean φ̂ ${tally.scaled.dispersion.toFixed(3)}), unscaled ${tally.unscaled.covered}/${tally.unscaled.intervals}`;
  console.log(`RAPPOR coverage, ${outsideShare * 100}% outside the list: ${report}`);
  return { ...tally, report };
}

const coverage = (t: Tally): number => t.covered / t.intervals;

describe('RAPPOR intervals with names outside the candidate list', () => {
  it('cover ≥ 93% for the detected listed names when 6% of the reports hold an unlisted name', () => {
    const { scaled, unscaled, report } = coverageOver(OUTSIDE_SHARE, 'rappor-coverage outside the list');
    // Most held names are detected in every dataset (7 per dataset at most).
    expect(scaled.intervals, report).toBeGreaterThan(6 * DATASETS);
    expect(scaled.dispersion, report).toBeGreaterThan(1.1);
    expect(coverage(scaled), report).toBeGreaterThanOrEqual(0.93);
    expect(coverage(unscaled), report).toBeLessThan(0.93);
  });

  it('keep covering when every value is listed (φ̂ near 1)', () => {
    const { scaled, report } = coverageOver(0, 'rappor-coverage all listed');
    expect(scaled.dispersion, report).toBeLessThan(1.1);
    expect(coverage(scaled), report).toBeGreaterThanOrEqual(0.93);
  });
});
