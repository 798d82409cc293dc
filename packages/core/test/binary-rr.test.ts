/**
 * Binary randomized response: thresholds, parameter checks, and the fast-check properties every
 * mechanism has (as grr.test.ts, olh.test.ts, helpers/unary-cases.ts): outputs in {0, 1}, the wire
 * round trip (encode → JSON → validate → decode), strict decoding, and debiasing the expected counts
 * returns the true frequencies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToSums, BinaryRandomizedResponse, isPrivacyError, RandomSampler, seededRandomSource } from '../src/index.ts';
import { decodeWithMechanism, toWireReport, validateReport } from '../src/wire/validate.ts';
import { FIXED_NOW } from './hostile-inputs.ts';

describe('BinaryRandomizedResponse', () => {
  it('implements p = e^ε/(e^ε+1) rounded down to 2^-32 and q = 1 − p', () => {
    const m = new BinaryRandomizedResponse({ epsilon: 1 });
    const e = Math.E;
    expect(m.p + m.q).toBe(1);
    expect(m.p).toBeLessThanOrEqual(e / (e + 1));
    expect(e / (e + 1) - m.p).toBeLessThan(2 ** -31);
    expect(m.implementedEpsilon).toBeLessThanOrEqual(1);
    expect(m.implementedEpsilon).toBeGreaterThan(1 - 1e-8);
  });

  it.each([
    [{ epsilon: 0 }, 'epsilon'],
    [{ epsilon: -1 }, 'epsilon'],
    [{ epsilon: Number.NaN }, 'epsilon'],
    [{ epsilon: Number.POSITIVE_INFINITY }, 'epsilon'],
    [{ epsilon: '1' }, 'epsilon'],
    [{}, 'epsilon'],
  ])('rejects %o naming %s', (options, parameter) => {
    try {
      new BinaryRandomizedResponse(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      expect((error as { path: string }).path).toBe(parameter);
    }
  });

  it('outputs stay in {0, 1}, round-trip through the wire, and out-of-domain answers are refused', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 8, noNaN: true }), fc.constantFrom(0, 1), fc.nat(), id, (epsilon, value, seed, questionId) => {
        const m = new BinaryRandomizedResponse({ epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const y = m.randomize(value, rng);
        expect(y === 0 || y === 1).toBe(true);
        expect(m.decodeReport(m.encodeReport(y))).toBe(y);
        const wire = toWireReport({ id: '0123456789abcdef0123456789abcdef', campaignId: 'c', campaignVersion: 1, questionId, day: '2026-03-01' }, m.encodeReport(y));
        const parsed = validateReport(JSON.parse(JSON.stringify(wire)), { now: FIXED_NOW });
        expect(decodeWithMechanism(parsed, m)).toBe(y);
        for (const bad of [2, -1, 0.5, Number.NaN]) expect(() => m.randomize(bad, rng)).toThrow(/answer/);
      }),
    );
  });

  it('decoding any payload either fails with PAYLOAD_INVALID or round-trips canonically', () => {
    const m = new BinaryRandomizedResponse({ epsilon: 1 });
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.boolean(), fc.string({ maxLength: 3 }), fc.constant(null)), (payload) => {
        let y: 0 | 1;
        try {
          y = m.decodeReport({ payload } as never);
        } catch (error) {
          expect(isPrivacyError(error, 'PAYLOAD_INVALID')).toBe(true);
          return;
        }
        expect(m.encodeReport(y).payload).toBe(payload);
      }),
    );
    expect(() => m.decodeReport({ payload: 1, cohort: 0 })).toThrow(/cohort/);
  });

  it('debiasing the expected counts returns the true frequencies', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.nat({ max: 100_000 }), fc.double({ min: 0.05, max: 8, noNaN: true }), (zeros, ones, epsilon) => {
        const n = zeros + ones;
        fc.pre(n > 0);
        const m = new BinaryRandomizedResponse({ epsilon });
        // Expected reported zeros and ones: a true answer is kept with p and flipped with q.
        const sums = [n, zeros * m.p + ones * m.q, ones * m.p + zeros * m.q];
        const estimate = m.estimate(sums);
        expect(estimate.values[0]).toBeCloseTo(zeros / n, 9);
        expect(estimate.values[1]).toBeCloseTo(ones / n, 9);
      }),
    );
  });

  it('addToSums counts reports in the documented layout [n, zeros, ones]', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<0 | 1>(0, 1), { maxLength: 50 }), (reports) => {
        const m = new BinaryRandomizedResponse({ epsilon: 1 });
        const sums = new Float64Array(m.sumsLength);
        for (const report of reports) addToSums(m, report, sums);
        const ones = reports.filter((r) => r === 1).length;
        expect(Array.from(sums)).toEqual([reports.length, reports.length - ones, ones]);
      }),
    );
  });
});
