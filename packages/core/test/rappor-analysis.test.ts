/**
 * RAPPOR analysis: Google's file formats byte for byte, per-bit debiasing, and candidate decoding on
 * noise-free sums (exact recovery). Statistical checks on simulated reports are in
 * rappor-statistics.slow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  RAPPOR_MAX_TESTED_SHARES,
  addToSums,
  buildCandidateMap,
  decodeRappor,
  estimateBloomCounts,
  normalQuantile,
  rapporBitProbabilities,
  rapporCountsCsv,
  rapporMapCsv,
  rapporParamsCsv,
  Rappor,
} from '../src/index.ts';

describe('Google analysis files', () => {
  it('map.csv matches bin/hash_candidates.py byte for byte', () => {
    // Expected string: google/rappor bin/hash_candidates.py's loop (get_bloom_bits from
    // client/python/rappor.py, written with Python's csv.writer) transcribed to Python 3 and run on
    // k=8, h=2, m=3 for these three candidates — including csv.writer's quoting.
    const r = new Rappor({ k: 8, h: 2, m: 3, f: 0.5, p: 0.25, q: 0.75, mode: 'google-py' });
    const map = buildCandidateMap(r, ['abc', 'a,b', 'say "hi"']);
    expect(rapporMapCsv(map)).toBe('abc,7,6,12,13,19,22\r\n"a,b",3,5,13,10,18,22\r\n"say ""hi""",7,8,15,13,17,20\r\n');
  });

  it('params.csv matches Params.from_csv / csv.writer output, with the implemented probabilities', () => {
    // Python: csv.writer rows ['k','h','m','p','q','f'] and [8, 2, 3, 0.25, 0.75, 0.5].
    const r = new Rappor({ k: 8, h: 2, m: 3, f: 0.5, p: 0.25, q: 0.75, mode: 'google-py' });
    expect(rapporParamsCsv(r.paramsRow())).toBe('k,h,m,p,q,f\r\n8,2,3,0.25,0.75,0.5\r\n');
    // f = 0.3 is implemented as ceil(0.3·128)/128 = 39/128.
    expect(rapporParamsCsv(new Rappor({ k: 8, h: 2, m: 3, f: 0.3, p: 0.25, q: 0.75, mode: 'google-py' }).paramsRow())).toBe('k,h,m,p,q,f\r\n8,2,3,0.25,0.75,0.3046875\r\n');
  });

  it('counts.csv matches bin/sum_bits_test.py (bit 0 first, every cohort a row)', () => {
    // sum_bits_test.py: two reports in cohort 1 of m = 2, k = 16, with MSB-first bit strings
    // 0000111100001111 and 0000000000111100; expected output rows "0,0,…" and
    // "2,1,1,2,2,1,1,0,0,1,1,1,1,0,0,0,0" ("NOTE: bit order is reversed").
    const r = new Rappor({ k: 16, h: 2, m: 2, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const sums = new Float64Array(r.sumsLength);
    for (const bitString of ['0000111100001111', '0000000000111100']) {
      const bits = Uint8Array.from([...bitString].reverse().map(Number));
      addToSums(r, { cohort: 1, bits }, sums);
    }
    expect(rapporCountsCsv(16, 2, sums)).toBe('0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\r\n2,1,1,2,2,1,1,0,0,1,1,1,1,0,0,0,0\r\n');
    expect(() => rapporCountsCsv(16, 3, sums)).toThrow(/sums/);
  });
});

describe('per-bit debiasing (decode.R EstimateBloomCounts)', () => {
  it('inverts the expected counts exactly', () => {
    const shape = { k: 2, m: 2, f: 0.5, p: 0.5, q: 0.75 };
    const { p01, p11 } = rapporBitProbabilities(shape);
    expect(p11 - p01).toBeCloseTo((1 - 0.5) * (0.75 - 0.5), 15);
    // Cohort 0: N = 1000, true counts 300 and 0; cohort 1: N = 0.
    const sums = [1000, 1000, 300 * p11 + 700 * p01, 1000 * p01, 0, 0, 0];
    const estimate = estimateBloomCounts(shape, sums);
    expect(estimate.cohorts[0]!.counts[0]).toBeCloseTo(300, 9);
    expect(estimate.cohorts[0]!.counts[1]).toBeCloseTo(0, 9);
    const expectedVariance = (300 * p11 * (1 - p11) + 700 * p01 * (1 - p01)) / (p11 - p01) ** 2;
    expect(estimate.cohorts[0]!.standardErrors[0]).toBeCloseTo(Math.sqrt(expectedVariance), 9);
    expect(estimate.cohorts[1]!.n).toBe(0);
  });
});

describe('normal quantile', () => {
  // Expected values: Python 3 statistics.NormalDist().inv_cdf.
  it.each([
    [0.975, 1.9599639845400536],
    [1 - 0.05 / 200, 3.4807564043462422],
    [1 - 0.05 / 10000, 4.417173413467605],
    [0.01, -2.3263478740408408],
    [1e-10, -6.361340902404056],
    [0.5, 0],
  ])('Φ⁻¹(%s)', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 6);
  });
});

describe('decoding against candidates', () => {
  it('recovers the true shares exactly from noise-free sums', () => {
    const r = new Rappor({ k: 32, h: 2, m: 16, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const candidates = Array.from({ length: 40 }, (_, i) => `candidate-${i}`);
    const truth = new Map([
      ['candidate-3', 0.4],
      ['candidate-17', 0.25],
      ['candidate-21', 0.15],
      ['candidate-38', 0.1],
    ]);
    const { p01, p11 } = rapporBitProbabilities(r.implemented);
    const sums = new Float64Array(r.sumsLength);
    const perCohort = 10_000;
    sums[0] = perCohort * r.m;
    for (let c = 0; c < r.m; c++) {
      const base = 1 + c * (r.k + 1);
      sums[base] = perCohort;
      const t = new Float64Array(r.k);
      for (const [value, share] of truth) for (const bit of new Set(r.bloomIndices(value, c))) t[bit]! += share * perCohort;
      // 10% of reports hold a value outside the candidate list (bits 0 and 1 here).
      t[0]! += 0.1 * perCohort;
      for (let b = 0; b < r.k; b++) sums[base + 1 + b] = t[b]! * p11 + (perCohort - t[b]!) * p01;
    }
    const result = decodeRappor(r.estimate(sums), buildCandidateMap(r, candidates));
    const detected = new Map(result.detected.map((d) => [d.candidate, d.proportion]));
    for (const [value, share] of truth) expect(detected.get(value)).toBeCloseTo(share, 2);
    expect(result.unexplainedMass).toBeGreaterThan(0.05);
    expect(result.unexplainedMass).toBeLessThan(0.15);
    expect(result.zThreshold).toBeCloseTo(normalQuantile(1 - 0.05 / 40), 12);
    for (const d of result.detected) expect(d.standardError).toBeGreaterThan(0);

    // Estimands (estimand.ts): the same fit, detection and z; the population SE adds x̂(1 − x̂)/n_s.
    const estimate = r.estimate(sums);
    const respondents = decodeRappor(estimate, buildCandidateMap(r, candidates), { estimand: 'respondents' });
    expect(respondents.candidates.map((c) => [c.proportion, c.z, c.detected, c.detectionLimit])).toEqual(result.candidates.map((c) => [c.proportion, c.z, c.detected, c.detectionLimit]));
    const respondentsError = (i: number): number => respondents.candidates[i]!.standardError!;
    result.candidates.forEach((c, i) => {
      if (!c.detected) return;
      const x = Math.min(1, Math.max(0, c.proportion));
      expect(c.standardError ** 2).toBeCloseTo(respondentsError(i) ** 2 + (x * (1 - x)) / sums[0]!, 15);
      expect(c.ci95[1] - c.proportion).toBeCloseTo(1.959963984540054 * c.standardError, 12);
    });
    const smaller = decodeRappor(estimate, buildCandidateMap(r, candidates), { samplingSize: 10_000 });
    smaller.candidates.forEach((c, i) => {
      if (!c.detected) return;
      const x = Math.min(1, Math.max(0, c.proportion));
      expect(c.standardError ** 2).toBeCloseTo(respondentsError(i) ** 2 + (x * (1 - x)) / 10_000, 15);
    });
    expect(() => decodeRappor(estimate, buildCandidateMap(r, candidates), { estimand: 'all' as never })).toThrow(/estimand/);
    expect(() => decodeRappor(estimate, buildCandidateMap(r, candidates), { samplingSize: 0 })).toThrow(/samplingSize/);
  });

  it('refuses a map built for other parameters', () => {
    const r = new Rappor({ k: 16, h: 2, m: 2, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const other = new Rappor({ k: 8, h: 2, m: 2, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    expect(() => decodeRappor(r.estimate(new Float64Array(r.sumsLength)), buildCandidateMap(other, ['a']))).toThrow(/map/);
    expect(() => buildCandidateMap(r, ['a', 'a'])).toThrow(/distinct/);
  });
});

describe('decoding hostile reports (every bit set)', () => {
  it(`tests at most RAPPOR_MAX_TESTED_SHARES = ${RAPPOR_MAX_TESTED_SHARES} shares, so the SE step stays bounded however many candidates get a share`, () => {
    const r = new Rappor({ k: 256, h: 2, m: 2, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1', metricId: 'all-ones' });
    const map = buildCandidateMap(r, Array.from({ length: 8000 }, (_, i) => `c${i}`));
    const sums = new Float64Array(r.sumsLength);
    for (let i = 0; i < 50; i++) addToSums(r, { cohort: i % 2, bits: new Uint8Array(256).fill(1) }, sums);
    const result = decodeRappor(r.estimate(sums), map);
    // Only tested candidates get a z (the first fit's share over its SE); every other one is 0.
    const tested = result.candidates.filter((c) => c.z !== 0);
    expect(tested.length).toBeGreaterThan(0);
    expect(tested.length).toBeLessThanOrEqual(RAPPOR_MAX_TESTED_SHARES);
    // Nothing outside the tested set is detected.
    const testedNames = new Set(tested.map((c) => c.candidate));
    for (const c of result.candidates) if (c.detected) expect(testedNames.has(c.candidate)).toBe(true);
  });
});
