/**
 * RAPPOR encoding: golden vectors, parameter and payload validation, sums layout, ε.
 *
 * Where the google-py vectors come from: google/rappor client/python/rappor.py (`get_bloom_bits`,
 * `get_prr_masks`, `Encoder._internal_encode`), transcribed to Python 3 in a scratch file outside this
 * repository (bytes in, identical arithmetic) and run with python3; the word/cohort/secret triples
 * below and the printed integers are that run's output. The first one is also the reference's own
 * unit test (`rappor_test.py` `testEncoder`: IRR 64493).
 * The hardened-v1 vectors come from an independent Python implementation of the construction as
 * documented in src/mechanisms/rappor-bloom.ts (hashlib/hmac, not this code).
 */
import { describe, expect, it } from 'vitest';
import { addToSums, isPrivacyError, RandomSampler, Rappor, rapporReportProbabilities, scriptedRandomSource, seededRandomSource, type RapporOptions } from '../src/index.ts';
import { bitsToHex, hexToBits } from '../src/mechanisms/rappor.ts';
import { bitsToUint32, bloomBitIndices, prrMasks } from '../src/mechanisms/rappor-bloom.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SECRET = utf8('secret');

function google(overrides: Partial<RapporOptions> = {}): Rappor {
  return new Rappor({ k: 16, h: 2, m: 64, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py', ...overrides });
}

function expectParameterError(fn: () => unknown, parameter: string): void {
  try {
    fn();
  } catch (error) {
    expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
    expect((error as { path?: string }).path).toBe(parameter);
    return;
  }
  throw new Error(`expected PARAMETER_INVALID for ${parameter}`);
}

/**
 * Words for a scripted source: the sampler reads uint32 words little-endian from a 4096-byte buffer,
 * so the script is padded to a whole buffer.
 */
function scriptedWords(words: number[]): RandomSampler {
  const bytes = new Uint8Array(4096);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(4 * i, w, true));
  return new RandomSampler(scriptedRandomSource(bytes));
}

describe('google-py golden vectors (from rappor.py, run in python3)', () => {
  // [word, cohort, k, h, f, bloom bit indices, Bloom int, uniform mask, f mask, PRR]
  const vectors: Array<[string, number, number, number, number, number[], number, number, number, number]> = [
    ['abc', 0, 16, 2, 0.5, [6, 13], 8256, 50360, 56237, 57576],
    ['abc', 1, 16, 2, 0.5, [3, 12], 4104, 1989, 52739, 5641],
    ['v1', 5, 32, 4, 0.25, [10, 16, 16, 27], 134284288, 545342904, 277890092, 142689320],
    ['héllo', 63, 32, 2, 0.3, [7, 14], 16512, 783912891, 2214598059, 67126699],
    ['', 7, 8, 1, 0.75, [7], 128, 146, 184, 144],
  ];
  it.each(vectors)('%s in cohort %i (k=%i, h=%i, f=%s)', (word, cohort, k, h, f, indices, bloomInt, uniform, fMask, prrInt) => {
    const r = google({ k, h, f });
    const encoding = { mode: 'google-py' as const, k, h, fThreshold: r.fThreshold, fBits: r.fBits, metricId: '' };
    expect(bloomBitIndices(encoding, word, cohort)).toEqual(indices);
    const bloom = r.bloom(word, cohort);
    expect(bitsToUint32(bloom)).toBe(bloomInt);
    const masks = prrMasks(encoding, bloom, SECRET);
    expect(bitsToUint32(masks.uniform)).toBe(uniform);
    expect(bitsToUint32(masks.fMask)).toBe(fMask);
    expect(bitsToUint32(r.permanentResponse(bloom, SECRET))).toBe(prrInt);
  });

  it("reproduces the reference unit test's IRR 64493 under the same coin flips", () => {
    // rappor_test.py testEncoder: k=16, h=2, f=0.5, p=0.5, q=0.75, cohort 0, secret "secret", "abc".
    // Its MockRandom gives p_gen and q_gen each a fresh cycle [0.0, 0.6, 0.0, 0.0, 0.6, …] of floats
    // (MockRandomCall.__call__ restarts its counter at every call), and bit i of the mask is
    // `cycle[i % 3] < prob`. The reference calls p_gen (all 16 bits, bit 0 first) and then q_gen, and
    // sets irr = (p_bits & ~prr) | (q_bits & prr). Our instantaneousResponse draws the same coins in
    // the same order — 16 "p" draws then 16 "q" draws, each `uint32 < threshold` — so a float u maps
    // to the word ⌊u·2^32⌋: 0.0 → 0 (below both 2^31 = p·2^32 and 3·2^30 = q·2^32) and
    // 0.6 → 2576980377 (not below p's threshold, below q's).
    const r = google();
    const cycle = [0, Math.floor(0.6 * 2 ** 32), 0];
    const words = [...Array.from({ length: 16 }, (_, i) => cycle[i % 3]!), ...Array.from({ length: 16 }, (_, i) => cycle[i % 3]!)];
    const prr = r.permanentResponse(r.bloom('abc', 0), SECRET);
    const irr = r.instantaneousResponse(prr, scriptedWords(words));
    expect(bitsToUint32(irr)).toBe(64493);
    expect(r.encodeReport({ cohort: 0, bits: irr })).toEqual({ payload: 'fbed', cohort: 0 });
  });

  it('implements f* = ceil(128 f)/128 like the reference (rand128 < f·128)', () => {
    expect(google({ f: 0.3 }).implemented.f).toBe(39 / 128);
    expect(google({ f: 0.5 }).implemented.f).toBe(0.5);
    expect(google({ f: 0.5 }).implemented.p).toBe(0.5);
    expect(google({ f: 0.5 }).implemented.q).toBe(0.75);
  });
});

describe('hardened-v1 vectors (independent Python implementation of the documented construction)', () => {
  const secret = Uint8Array.from({ length: 16 }, (_, i) => i);
  const vectors: Array<[string, string, number, number, number, number, number[], string, string, string]> = [
    ['symptom', 'headache', 3, 128, 2, 0.5, [80, 97], 'c017a4a482fafe2fa84debb25aac72b0', '916023e0e6f7668bf2df0803df01fc94', '800020a282f2660ba04d08025a007090'],
    ['med.v2', 'ibuprofène', 0, 40, 9, 0.25, [5, 39, 17, 18, 35, 21, 16, 35, 3], '4d4ce7ce8e', '0803788c08', '8800678c28'],
  ];
  it.each(vectors)('%s / %s', (metricId, value, cohort, k, h, f, indices, uniform, fMask, prr) => {
    const r = new Rappor({ k, h, m: 64, f, p: 0.25, q: 0.75, mode: 'hardened-v1', metricId });
    const encoding = { mode: 'hardened-v1' as const, k, h, fThreshold: r.fThreshold, fBits: r.fBits, metricId };
    expect(bloomBitIndices(encoding, value, cohort)).toEqual(indices);
    const bloom = r.bloom(value, cohort);
    const masks = prrMasks(encoding, bloom, secret);
    expect(bitsToHex(masks.uniform)).toBe(uniform);
    expect(bitsToHex(masks.fMask)).toBe(fMask);
    expect(bitsToHex(r.permanentResponse(bloom, secret))).toBe(prr);
  });

  it('separates metrics: the same secret and Bloom filter give unrelated PRRs', () => {
    const a = new Rappor({ k: 64, h: 2, m: 1, f: 0.5, p: 0.25, q: 0.75, mode: 'hardened-v1', metricId: 'a' });
    const b = new Rappor({ k: 64, h: 2, m: 1, f: 0.5, p: 0.25, q: 0.75, mode: 'hardened-v1', metricId: 'b' });
    const bloom = a.bloom('x', 0);
    const secret = new Uint8Array(16).fill(7);
    expect(bitsToHex(a.permanentResponse(bloom, secret))).not.toBe(bitsToHex(b.permanentResponse(bloom, secret)));
  });
});

describe('parameter validation names the parameter', () => {
  const base: RapporOptions = { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' };
  const cases: Array<[string, Partial<RapporOptions> | Record<string, unknown>]> = [
    ['f', { f: 0 }],
    ['f', { f: 1 }],
    ['f', { f: Number.NaN }],
    ['f', { f: 0.995 }], // google-py: ⌈0.995·128⌉ = 128, f′ = 1
    ['f', { f: 1 - 2 ** -16, mode: 'hardened-v1', metricId: 'm' }], // hardened-v1: f′ = 1 on 2^-15
    ['p', { p: -0.1 }],
    ['q', { q: 1.5 }],
    ['q', { q: 0.5 }],
    ['q', { p: 0.8, q: 0.7 }],
    ['k', { k: 0 }],
    ['k', { k: 33 }],
    ['k', { k: 2.5 }],
    ['h', { h: 17, k: 32 }],
    ['h', { h: 5, k: 4 }],
    ['h', { h: 0 }],
    ['m', { m: 0 }],
    ['mode', { mode: 'google' }],
    ['metricId', { mode: 'hardened-v1' }],
    ['metricId', { mode: 'hardened-v1', metricId: '' }],
  ];
  it.each(cases)('%s: %j', (parameter, overrides) => {
    expectParameterError(() => new Rappor({ ...base, ...overrides } as RapporOptions), parameter);
  });
  it('accepts k > 32 in hardened-v1', () => {
    expect(new Rappor({ ...base, k: 128, mode: 'hardened-v1', metricId: 'm' }).sumsLength).toBe(1 + 4 * 129);
  });
});

describe('inputs and payloads', () => {
  const r = google({ m: 4 });
  it('rejects bad inputs before drawing anything', () => {
    const rng = new RandomSampler(scriptedRandomSource([]));
    expect(() => r.randomize({ value: 'a', cohort: 4, secret: SECRET }, rng)).toThrow(/cohort/);
    expect(() => r.randomize({ value: 'a', cohort: -1, secret: SECRET }, rng)).toThrow(/cohort/);
    expect(() => r.randomize({ value: 3 as unknown as string, cohort: 0, secret: SECRET }, rng)).toThrow(/value/);
    expect(() => r.randomize({ value: 'a', cohort: 0, secret: new Uint8Array(0) }, rng)).toThrow(/secret/);
    const hardened = new Rappor({ k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1', metricId: 'm' });
    expect(() => hardened.randomize({ value: 'a', cohort: 0, secret: new Uint8Array(15) }, rng)).toThrow(/secret/);
    expect(() => r.instantaneousResponse(new Uint8Array(15), rng)).toThrow(/prrBits/);
    expect(() => r.permanentResponse(new Uint8Array(16).fill(2), SECRET)).toThrow(/bloomBits/);
  });

  it('round-trips and validates the exact hex length, case and high bits', () => {
    const rng = new RandomSampler(seededRandomSource('rappor-wire'));
    for (const k of [1, 5, 16, 30, 32]) {
      const rk = google({ k, h: 1, m: 4 });
      for (let i = 0; i < 20; i++) {
        const report = rk.randomize({ value: `v${i}`, cohort: i % 4, secret: SECRET }, rng);
        const encoded = rk.encodeReport(report);
        expect((encoded.payload as string).length).toBe(Math.ceil(k / 4));
        expect(rk.decodeReport(encoded)).toEqual(report);
      }
    }
    const bad: unknown[] = ['fbe', 'fbedd', 'FBED', 'fbeg', '0x12', 64493, null, ' fbed'];
    for (const payload of bad) {
      expect(() => r.decodeReport({ payload: payload as string, cohort: 0 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }) as Error);
    }
    expect(() => r.decodeReport({ payload: 'fbed' })).toThrow(/cohort/);
    expect(() => r.decodeReport({ payload: 'fbed', cohort: 4 })).toThrow(/cohort/);
    const r30 = google({ k: 30, m: 1 });
    expect(() => r30.decodeReport({ payload: '40000000', cohort: 0 })).toThrow(/above k/);
    expect(r30.decodeReport({ payload: '3fffffff', cohort: 0 }).bits.every((b) => b === 1)).toBe(true);
    expect(hexToBits('fbed', 16)).toEqual(Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]));
  });

  it('adds to sums in the documented layout [n, per cohort: N_c, C_c0 … C_c(k−1)]', () => {
    const rk = google({ k: 4, h: 1, m: 2 });
    const sums = new Float64Array(rk.sumsLength);
    addToSums(rk, { cohort: 1, bits: Uint8Array.from([1, 0, 0, 1]) }, sums);
    addToSums(rk, { cohort: 0, bits: Uint8Array.from([0, 1, 0, 0]) }, sums);
    addToSums(rk, { cohort: 1, bits: Uint8Array.from([1, 1, 0, 0]) }, sums);
    expect(Array.from(sums)).toEqual([3, 1, 0, 1, 0, 0, 2, 2, 1, 0, 1]);
  });
});

describe('ε', () => {
  it('matches Erlingsson et al. for the reference parameters', () => {
    // f=0.5, h=2: ε∞ = 4·ln(0.75/0.25) = 4 ln 3. p=0.5, q=0.75: q₁ = 0.6875, p₁ = 0.5625.
    const r = google();
    expect(r.permanentEpsilon).toBeCloseTo(4 * Math.log(3), 10);
    expect(r.permanentEpsilon).toBeGreaterThanOrEqual(4 * Math.log(3));
    const expected = 2 * Math.log((0.6875 * 0.4375) / (0.5625 * 0.3125));
    expect(r.implementedEpsilon).toBeCloseTo(expected, 10);
    expect(r.implementedEpsilon).toBeGreaterThanOrEqual(expected);
    // Nothing is rounded here (f, p, q are on both grids): the two figures agree but for rounding.
    expect(r.implementedEpsilon).toBeCloseTo(r.epsilon, 12);
  });
  it('ε₁ is that of the rounded thresholds, below the nominal figure when rounding bites', () => {
    // f = 0.3 → f′ = 39/128, p = 0.3 → P = ceil(0.3·2^32), q = 0.7 → Q = floor(0.7·2^32).
    const r = google({ f: 0.3, p: 0.3, q: 0.7 });
    const { p1, q1 } = rapporReportProbabilities(r.implemented);
    expect(r.implemented.f).toBe(39 / 128);
    expect(r.implementedEpsilon).toBeCloseTo(2 * Math.log((q1 * (1 - p1)) / (p1 * (1 - q1))), 10);
    expect(r.epsilon - r.implementedEpsilon).toBeGreaterThan(1e-3);
  });
  it('rounding f up lowers ε∞ (google-py f = 0.3 → 39/128)', () => {
    const r = google({ f: 0.3 });
    const f = 39 / 128;
    expect(r.permanentEpsilon).toBeCloseTo(4 * Math.log((1 - f / 2) / (f / 2)), 10);
    expect(r.permanentEpsilon).toBeLessThan(4 * Math.log((1 - 0.15) / 0.15));
  });
});
