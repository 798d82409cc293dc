/** Checks shared by SUE and OUE: output domain, wire round trip, strict decoding, debiasing. */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { addToSums, RandomSampler, base64UrlEncode, isPrivacyError, seededRandomSource, type UnaryEncoding, type UnaryEncodingOptions } from '../../src/index.ts';

export function checkUnaryEncoding(make: (options: UnaryEncodingOptions) => UnaryEncoding): void {
  it('outputs are k-bit vectors with zero padding and round-trip through the wire', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 70 }), fc.double({ min: 0.1, max: 8, noNaN: true }), fc.nat(), (k, epsilon, seed) => {
        const m = make({ k, epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const bits = m.randomize(seed % k, rng);
        expect(bits.length).toBe(Math.ceil(k / 8));
        if (k % 8 !== 0) expect(bits[bits.length - 1]! >> (k % 8)).toBe(0);
        const encoded = m.encodeReport(bits);
        expect(typeof encoded.payload).toBe('string');
        expect(encoded.payload).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(m.decodeReport(encoded)).toEqual(bits);
        expect(() => m.randomize(k, rng)).toThrow(/answer/);
        expect(() => m.randomize(-1, rng)).toThrow(/answer/);
      }),
    );
  });

  it('packs bit j in byte j>>3 at position j&7', () => {
    const m = make({ k: 12, epsilon: 1 });
    const bits = new Uint8Array([0b0000_0001, 0b0000_1000]); // bits 0 and 11
    const sums = new Float64Array(m.sumsLength);
    addToSums(m, m.decodeReport(m.encodeReport(bits)), sums);
    expect(Array.from(sums)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(m.encodeReport(bits).payload).toBe('AQg');
  });

  it('rejects malformed payloads with PAYLOAD_INVALID', () => {
    const m = make({ k: 12, epsilon: 1 });
    const bad: unknown[] = [
      1,
      null,
      ['AQg'],
      'AQ', // too short
      'AQgA', // too long
      'AQ+', // standard base64 alphabet
      'AQ=', // padding
      'AQh', // unused trailing bits set in the last character
      base64UrlEncode(new Uint8Array([0, 0b0001_0000])), // bit 12 ≥ k set
    ];
    for (const payload of bad) {
      try {
        m.decodeReport({ payload } as never);
        expect.unreachable(`accepted ${JSON.stringify(payload)}`);
      } catch (error) {
        expect(isPrivacyError(error, 'PAYLOAD_INVALID')).toBe(true);
      }
    }
    expect(() => m.decodeReport({ payload: 'AQg', cohort: 0 })).toThrow(/cohort/);
  });

  it('decoding any string either fails cleanly or round-trips canonically', () => {
    const m = make({ k: 20, epsilon: 1 });
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), (payload) => {
        let bits: Uint8Array;
        try {
          bits = m.decodeReport({ payload });
        } catch (error) {
          expect(isPrivacyError(error, 'PAYLOAD_INVALID')).toBe(true);
          return;
        }
        expect(m.encodeReport(bits).payload).toBe(payload);
      }),
    );
  });

  it('debiasing the expected counts returns the true frequencies', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 40 }), fc.double({ min: 0.1, max: 6, noNaN: true }), (counts, epsilon) => {
        const n = counts.reduce((a, b) => a + b, 0);
        fc.pre(n > 0);
        const m = make({ k: counts.length, epsilon });
        const estimate = m.estimate([n, ...counts.map((c) => c * m.p + (n - c) * m.q)]);
        counts.forEach((c, v) => expect(estimate.values[v]).toBeCloseTo(c / n, 9));
        expect(estimate.standardErrors.every((se) => se > 0)).toBe(true);
      }),
    );
  });

  it('describes itself in plain language', () => {
    const d = make({ k: 5, epsilon: 1 }).describe();
    expect(d.summary).toMatch(/5 yes\/no flags/);
    expect(d.implementedEpsilon).toBeLessThanOrEqual(d.epsilon);
  });
}
