import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitCounter } from '../src/fast/bit-counter.ts';
import { OptimizedUnaryEncoding, RandomSampler, seededRandomSource } from '../src/index.ts';

describe('BitCounter', () => {
  it('counts exactly like a per-bit loop, across flushes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(fc.nat(), { minLength: 0, maxLength: 300 }), (bits, seeds) => {
        const words = Math.ceil(bits / 32);
        const packed = new Uint32Array(seeds.length * words);
        const expected = new Float64Array(bits);
        seeds.forEach((seed, r) => {
          for (let j = 0; j < bits; j++) {
            if (((seed * 2654435761 + j * 40503) >>> 7) & 1) {
              packed[r * words + (j >> 5)]! |= 1 << (j & 31);
              expected[j]! += 1;
            }
          }
        });
        const counter = new BitCounter(bits);
        counter.addPacked(packed, seeds.length);
        expect(Array.from(counter.counts())).toEqual(Array.from(expected));
        expect(counter.count).toBe(seeds.length);
      }),
    );
  });

  it('does not overflow past 2^16 vectors (flushes before a counter wraps)', () => {
    const counter = new BitCounter(33);
    const all = new Uint32Array([0xffffffff, 1]);
    for (let i = 0; i < 70_000; i++) counter.addPacked(all, 1);
    const counts = counter.counts();
    expect(counts[0]).toBe(70_000);
    expect(counts[32]).toBe(70_000);
  });

  it('gives the unary-encoding sums layout: [count, counts()…] equals addToSums over the same reports', () => {
    for (const k of [5, 32, 64, 70]) {
      const oue = new OptimizedUnaryEncoding({ k, epsilon: 1 });
      const rng = new RandomSampler(seededRandomSource(`bit-counter-${k}`));
      const words = Math.ceil(k / 32);
      const n = 2_000;
      const packed = new Uint32Array(n * words);
      const bytes = new Uint8Array(packed.buffer);
      const viaAddToSums = new Float64Array(oue.sumsLength);
      for (let i = 0; i < n; i++) {
        const report = oue.randomize(i % k, rng);
        oue.addToSums(report, viaAddToSums);
        bytes.set(report, i * words * 4);
      }
      const counter = new BitCounter(k);
      counter.addPacked(packed, n);
      expect([counter.count, ...counter.counts()]).toEqual(Array.from(viaAddToSums));
    }
  });
});
