/**
 * fast-check properties of RAPPOR in both modes (hardened-v1 and google-py), the same three every
 * mechanism has (grr.test.ts, olh.test.ts, helpers/unary-cases.ts) plus RAPPOR's own:
 *  - output domain: Bloom filter, PRR and IRR are k bits of 0/1; the Bloom filter has 1 … h ones; the
 *    report keeps the device's cohort;
 *  - memoization: the PRR is a deterministic function of (secret, value) — whatever the random source
 *    and however often it is asked — so a device can recompute it instead of storing it;
 *  - wire: encode → JSON → validate → decode returns the report; any payload string either decodes
 *    canonically or fails with PAYLOAD_INVALID;
 *  - debiasing the expected counts (of real values' Bloom filters) returns the true per-bit counts
 *    and frequencies, up to float rounding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrivacyError, RandomSampler, Rappor, rapporReportProbabilities, seededRandomSource, type RapporMode } from '../src/index.ts';
import { GOOGLE_PY_MAX_BITS, GOOGLE_PY_MAX_HASHES } from '../src/mechanisms/rappor-bloom.ts';
import { decodeWithMechanism, toWireReport, validateReport } from '../src/wire/validate.ts';
import { FIXED_NOW } from './hostile-inputs.ts';

const MODES: RapporMode[] = ['hardened-v1', 'google-py'];

/** Parameters with enough signal to debias: f ≤ 0.9 and q − p ≥ 0.05 (the estimator divides by (1 − f)(q − p)). */
function rapporArbitrary(mode: RapporMode): fc.Arbitrary<Rappor> {
  const maxK = mode === 'google-py' ? GOOGLE_PY_MAX_BITS : 300;
  return fc
    .record({
      k: fc.integer({ min: 1, max: maxK }),
      hFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      m: fc.integer({ min: 1, max: 64 }),
      f: fc.double({ min: 0.01, max: 0.9, noNaN: true }),
      p: fc.double({ min: 0, max: 0.9, noNaN: true }),
      gap: fc.double({ min: 0.05, max: 1, noNaN: true }),
    })
    .map(({ k, hFraction, m, f, p, gap }) => {
      const maxH = Math.min(k, mode === 'google-py' ? GOOGLE_PY_MAX_HASHES : 8);
      const h = 1 + Math.floor(hFraction * (maxH - 1) + 1e-9);
      return new Rappor({ k, h: Math.min(h, maxH), m, f, p, q: Math.min(1, p + gap), mode, metricId: 'properties/metric' });
    });
}

const secretArbitrary = fc.uint8Array({ minLength: 16, maxLength: 48 });
const valueArbitrary = fc.string({ unit: 'grapheme', maxLength: 24 });

const zeroOne = (bits: Uint8Array): boolean => bits.every((bit) => bit === 0 || bit === 1);
const ones = (bits: Uint8Array): number => bits.reduce((total, bit) => total + bit, 0);

describe.each(MODES)('RAPPOR %s properties', (mode) => {
  it('Bloom filter, PRR and IRR stay in the k-bit domain; the report keeps the cohort', () => {
    fc.assert(
      fc.property(rapporArbitrary(mode), valueArbitrary, fc.nat(), secretArbitrary, fc.nat(), (r, value, cohortSeed, secret, seed) => {
        const cohort = cohortSeed % r.m;
        const bloom = r.bloom(value, cohort);
        expect(bloom.length).toBe(r.k);
        expect(zeroOne(bloom)).toBe(true);
        expect(ones(bloom)).toBeGreaterThanOrEqual(1);
        expect(ones(bloom)).toBeLessThanOrEqual(r.h);
        const prr = r.permanentResponse(bloom, secret);
        expect(prr.length).toBe(r.k);
        expect(zeroOne(prr)).toBe(true);
        const report = r.randomize({ value, cohort, secret }, new RandomSampler(seededRandomSource(seed)));
        expect(report.cohort).toBe(cohort);
        expect(report.bits.length).toBe(r.k);
        expect(zeroOne(report.bits)).toBe(true);
        // The IRR of any k-bit vector is k bits of 0/1 too.
        const irr = r.instantaneousResponse(prr.map((bit) => 1 - bit), new RandomSampler(seededRandomSource(seed + 1)));
        expect(irr.length === r.k && zeroOne(irr)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the PRR is a deterministic function of (secret, value), whatever the random source', () => {
    fc.assert(
      fc.property(rapporArbitrary(mode), valueArbitrary, fc.nat(), secretArbitrary, fc.nat(), fc.nat(), (r, value, cohortSeed, secret, seedA, seedB) => {
        const cohort = cohortSeed % r.m;
        const prr = r.permanentResponse(r.bloom(value, cohort), secret);
        expect(r.permanentResponse(r.bloom(value, cohort), Uint8Array.from(secret))).toEqual(prr);
        // Through the production path: with p′ = 0 and q′ = 1 the IRR is the PRR itself, so two
        // reports from different random sources must agree bit for bit.
        const transparent = new Rappor({ k: r.k, h: r.h, m: r.m, f: r.f, p: 0, q: 1, mode, metricId: r.metricId });
        const a = transparent.randomize({ value, cohort, secret }, new RandomSampler(seededRandomSource(seedA)));
        const b = transparent.randomize({ value, cohort, secret }, new RandomSampler(seededRandomSource(`other-${seedB}`)));
        expect(a.bits).toEqual(b.bits);
        expect(a.bits).toEqual(transparent.permanentResponse(transparent.bloom(value, cohort), secret));
        expect(a.bits).toEqual(prr); // the PRR depends on f′, not on p and q
      }),
      { numRuns: 60 },
    );
  });

  it('reports round-trip through the wire: encode → JSON → validate → decode', () => {
    fc.assert(
      fc.property(rapporArbitrary(mode), valueArbitrary, fc.nat(), secretArbitrary, fc.nat(), (r, value, cohortSeed, secret, seed) => {
        const cohort = cohortSeed % r.m;
        const report = r.randomize({ value, cohort, secret }, new RandomSampler(seededRandomSource(seed)));
        const encoded = r.encodeReport(report);
        expect(encoded.payload).toMatch(new RegExp(`^[0-9a-f]{${Math.ceil(r.k / 4)}}$`));
        expect(r.decodeReport(encoded)).toEqual(report);
        const wire = toWireReport({ id: '0123456789abcdef0123456789abcdef', campaignId: 'c', campaignVersion: 1, questionId: 'q', day: '2026-03-01' }, encoded);
        const parsed = validateReport(JSON.parse(JSON.stringify(wire)), { now: FIXED_NOW });
        expect(parsed.cohort).toBe(cohort);
        expect(decodeWithMechanism(parsed, r)).toEqual(report);
      }),
      { numRuns: 60 },
    );
  });

  it('decoding any payload string either fails with PAYLOAD_INVALID or round-trips canonically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: mode === 'google-py' ? GOOGLE_PY_MAX_BITS : 64 }), fc.string({ maxLength: 18 }), fc.stringMatching(/^[0-9a-fA-F]{0,18}$/), (k, anyString, hexish) => {
        const r = new Rappor({ k, h: 1, m: 2, f: 0.5, p: 0.5, q: 0.75, mode, metricId: 'm' });
        for (const payload of [anyString, hexish]) {
          let decoded;
          try {
            decoded = r.decodeReport({ payload, cohort: 1 });
          } catch (error) {
            expect(isPrivacyError(error, 'PAYLOAD_INVALID')).toBe(true);
            continue;
          }
          expect(decoded.bits.length).toBe(k);
          expect(r.encodeReport(decoded)).toEqual({ payload, cohort: 1 });
        }
      }),
    );
  });

  it('debiasing the expected counts of real Bloom filters returns the true counts and frequencies', () => {
    const population = fc.array(fc.record({ value: valueArbitrary, cohort: fc.nat(), devices: fc.integer({ min: 1, max: 5000 }) }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(rapporArbitrary(mode), population, (r, groups) => {
        // True per-cohort counts t_{c,i} (devices whose Bloom bit i is set) and N_c.
        const truth = Array.from({ length: r.m }, () => new Float64Array(r.k));
        const devices = new Float64Array(r.m);
        for (const { value, cohort, devices: count } of groups) {
          const c = cohort % r.m;
          const bloom = r.bloom(value, c);
          devices[c]! += count;
          for (let i = 0; i < r.k; i++) truth[c]![i]! += bloom[i]! * count;
        }
        // Expected sums: E[C_{c,i}] = t·q₁ + (N − t)·p₁ with the implemented f′, p′, q′.
        const { p1, q1 } = rapporReportProbabilities(r.implemented);
        const sums = new Float64Array(r.sumsLength);
        for (let c = 0; c < r.m; c++) {
          const base = 1 + c * (r.k + 1);
          sums[0]! += devices[c]!;
          sums[base] = devices[c]!;
          for (let i = 0; i < r.k; i++) sums[base + 1 + i] = truth[c]![i]! * q1 + (devices[c]! - truth[c]![i]!) * p1;
        }
        const estimate = r.estimate(sums);
        expect(estimate.n).toBe(sums[0]);
        // Worst error of a frequency t̂/N_c against t/N_c over cohorts and bits (one expect: they are
        // thousands). Float rounding of the sums (~1e-16·N) is amplified by 1/((1 − f′)(q′ − p′)) ≤ 200.
        let worst = { error: 0, where: '' };
        for (let c = 0; c < r.m; c++) {
          const n = devices[c]!;
          expect(estimate.cohorts[c]!.n).toBe(n);
          for (let i = 0; i < r.k; i++) {
            const got = estimate.cohorts[c]!.counts[i]!;
            const error = n === 0 ? Math.abs(got) : Math.abs(got - truth[c]![i]!) / n;
            if (!(error <= worst.error)) worst = { error, where: `cohort ${c} bit ${i}: t̂ = ${got}, t = ${truth[c]![i]}, N = ${n}` };
          }
        }
        expect(worst.error, worst.where).toBeLessThan(1e-9);
      }),
      { numRuns: 60 },
    );
  });
});
