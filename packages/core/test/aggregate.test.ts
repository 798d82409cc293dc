import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeneralizedRandomizedResponse, RandomSampler, seededRandomSource } from '../src/index.ts';
import { Accumulator, consistentEstimate, mechanismFingerprint, normSub } from '../src/aggregate/index.ts';
import { OptimizedUnaryEncoding } from '../src/mechanisms/oue.ts';
import { Rappor } from '../src/mechanisms/rappor.ts';

const finiteVector = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 40 });

describe('normSub (Wang et al. NDSS 2020)', () => {
  it('output is non-negative and sums to one', () => {
    fc.assert(
      fc.property(finiteVector, (values) => {
        const out = normSub(values, { sumToOne: true });
        expect(out.every((x) => x >= 0)).toBe(true);
        expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }),
    );
  });

  it('is idempotent and a projection: f′ = max(f̂ − δ, 0) for one δ', () => {
    fc.assert(
      fc.property(finiteVector, (values) => {
        const once = normSub(values, { sumToOne: true });
        const twice = normSub(once, { sumToOne: true });
        twice.forEach((x, i) => expect(x).toBeCloseTo(once[i]!, 12));
        const deltas = values.map((v, i) => v - once[i]!).filter((_, i) => once[i]! > 0);
        for (const d of deltas) expect(d).toBeCloseTo(deltas[0]!, 9);
      }),
    );
  });

  it('leaves already-consistent vectors unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }).filter((a) => a.some((x) => x > 0)), (weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const simplex = weights.map((w) => w / total);
        normSub(simplex, { sumToOne: true }).forEach((x, i) => expect(x).toBeCloseTo(simplex[i]!, 12));
      }),
    );
  });

  it('matches a hand-computed case', () => {
    // [0.6, 0.5, −0.2]: δ = (0.6 + 0.5 − 1)/2 = 0.05 → [0.55, 0.45, 0].
    const out = normSub([0.6, 0.5, -0.2], { sumToOne: true });
    expect(out[0]).toBeCloseTo(0.55, 12);
    expect(out[1]).toBeCloseTo(0.45, 12);
    expect(out[2]).toBe(0);
    // Sum below one: δ < 0 lifts the positives: [0.3, 0.2, −0.1] → δ = (0.5 − 1)/2 = −0.25, then 0.15 > 0 too → δ = (0.4 − 1)/3 = −0.2 → [0.5, 0.4, 0.1].
    expect(normSub([0.3, 0.2, -0.1], { sumToOne: true }).map((x) => Number(x.toFixed(12)))).toEqual([0.5, 0.4, 0.1]);
  });

  it('without sumToOne clips to [0, 1]', () => {
    expect(normSub([-0.1, 0.4, 1.3], { sumToOne: false })).toEqual([0, 0.4, 1]);
  });

  it('rejects non-finite values', () => {
    expect(() => normSub([0.5, Number.NaN], { sumToOne: true })).toThrow(/values\.1/);
  });
});

describe('Accumulator', () => {
  const grr = new GeneralizedRandomizedResponse({ k: 4, epsilon: 1 });

  it('adds reports, merges by addition, and estimates like the mechanism', () => {
    const rng = new RandomSampler(seededRandomSource('acc'));
    const a = new Accumulator(grr);
    const b = new Accumulator(grr);
    const all = new Accumulator(grr);
    for (let i = 0; i < 2000; i++) {
      const report = grr.randomize(i % 4, rng);
      (i % 3 === 0 ? a : b).addEncoded(grr.encodeReport(report));
      all.add(report);
    }
    a.merge(b);
    expect(Array.from(a.sums)).toEqual(Array.from(all.sums));
    expect(a.n).toBe(2000);
    expect(a.estimate()).toEqual(grr.estimate(all.sums));
    expect(a.sums.length).toBe(grr.sumsLength);
  });

  it('refuses to merge or restore sums of a different mechanism or parameters', () => {
    const other = new GeneralizedRandomizedResponse({ k: 4, epsilon: 1.5 });
    expect(() => new Accumulator(grr).merge(new Accumulator(other))).toThrow(/different parameters/);
    expect(() => new Accumulator(grr).merge(new Accumulator(new OptimizedUnaryEncoding({ k: 4, epsilon: 1 })))).toThrow();
    expect(mechanismFingerprint(grr)).toBe(mechanismFingerprint(new GeneralizedRandomizedResponse({ k: 4, epsilon: 1 })));
    const base = { k: 16, h: 2, m: 2, f: 0.5, p: 0.25, q: 0.75, mode: 'hardened-v1' as const };
    expect(mechanismFingerprint(new Rappor({ ...base, metricId: 'a' }))).not.toBe(mechanismFingerprint(new Rappor({ ...base, metricId: 'b' })));
  });

  it('round-trips through JSON and rejects tampered sums', () => {
    const acc = new Accumulator(grr);
    acc.addEncoded({ payload: 2 });
    acc.addEncoded({ payload: 3 });
    const json = JSON.parse(JSON.stringify(acc));
    expect(Array.from(Accumulator.fromJSON(grr, json).sums)).toEqual([2, 0, 0, 1, 1]);
    expect(() => Accumulator.fromJSON(grr, { ...json, sums: [1, 2] })).toThrow(/json\.sums/);
    expect(() => Accumulator.fromJSON(grr, { ...json, sums: [2, 0, 0, 1, -1] })).toThrow(/sums\.4/);
    expect(() => Accumulator.fromJSON(grr, { ...json, sums: [2, 0, 0, 1, 0.5] })).toThrow(/sums\.4/);
    expect(() => Accumulator.fromJSON(grr, { ...json, sums: [2, 0, 0, 1, Number.POSITIVE_INFINITY] })).toThrow(/sums\.4/);
    expect(() => Accumulator.fromJSON(new GeneralizedRandomizedResponse({ k: 4, epsilon: 2 }), json)).toThrow(/fingerprint/);
    expect(() => Accumulator.fromJSON(grr, null)).toThrow(/json/);
  });

  it('addEncoded validates through decodeReport', () => {
    expect(() => new Accumulator(grr).addEncoded({ payload: 4 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
  });

  it('consistent estimate keeps the raw one alongside', () => {
    const acc = new Accumulator(grr);
    for (const payload of [0, 0, 0, 1, 2, 0, 0, 3, 0, 0]) acc.addEncoded({ payload });
    const raw = acc.estimate();
    const c = consistentEstimate(raw, { sumToOne: true });
    expect(c.raw).toBe(raw);
    expect(c.values.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(c.values.every((x) => x >= 0)).toBe(true);
    expect(c.ci95.every(([lo, hi]) => lo >= 0 && hi <= 1)).toBe(true);
    expect(consistentEstimate(new Accumulator(grr).estimate(), { sumToOne: true }).values.every(Number.isNaN)).toBe(true);
  });
});
