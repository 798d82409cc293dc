import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitCounter } from '../src/fast/bit-counter.ts';
import { addToSums, Accumulator, OptimizedUnaryEncoding, RandomSampler, seededRandomSource } from '../src/index.ts';

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
        addToSums(oue, report, viaAddToSums);
        bytes.set(report, i * words * 4);
      }
      const counter = new BitCounter(k);
      counter.addPacked(packed, n);
      expect([counter.count, ...counter.counts()]).toEqual(Array.from(viaAddToSums));
    }
  });
});

describe('bulk unary aggregation (addAllToSums, Accumulator.addAll)', () => {
  it('equals addToSums one report at a time, for any k, count and chunk boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 0, max: 700 }), fc.double({ min: 0.2, max: 6, noNaN: true }), fc.nat(), (k, n, epsilon, seed) => {
        const oue = new OptimizedUnaryEncoding({ k, epsilon });
        const rng = new RandomSampler(seededRandomSource(seed));
        const reports = Array.from({ length: n }, (_, i) => oue.randomize(i % k, rng));
        const one = new Float64Array(oue.sumsLength);
        for (const report of reports) addToSums(oue, report, one);
        const all = new Float64Array(oue.sumsLength).fill(3); // adds to what is there
        oue.addAllToSums(reports, all);
        expect(Array.from(all)).toEqual(Array.from(one, (x) => x + 3));
        const accumulator = new Accumulator(oue);
        accumulator.addAll(reports);
        expect(Array.from(accumulator.sums)).toEqual(Array.from(one));
      }),
      { numRuns: 60 },
    );
  });

  it('adds a report of another length on its own', () => {
    const oue = new OptimizedUnaryEncoding({ k: 16, epsilon: 1 });
    const reports = Array.from({ length: 40 }, (_, i) => new Uint8Array([i, 255 - i]));
    reports.push(new Uint8Array([1]));
    const one = new Float64Array(oue.sumsLength);
    for (const report of reports) addToSums(oue, report, one);
    const all = new Float64Array(oue.sumsLength);
    oue.addAllToSums(reports, all);
    expect(Array.from(all)).toEqual(Array.from(one));
  });

  it('groups of 16 across a flush give exact counts past 2^16 vectors', () => {
    const counter = new BitCounter(40);
    const n = 70_001;
    const packed = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) {
      packed[2 * i] = i % 3 === 0 ? 0xffffffff : 0x80000001;
      packed[2 * i + 1] = i % 2;
    }
    counter.addPacked(packed, n);
    const counts = counter.counts();
    expect(counts[0]).toBe(n);
    expect(counts[1]).toBe(Math.ceil(n / 3));
    expect(counts[31]).toBe(n);
    expect(counts[32]).toBe(Math.floor(n / 2));
    expect(counts[33]).toBe(0);
  });
});
