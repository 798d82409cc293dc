import { describe, expect, it, vi } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ChaCha20Stream } from '../src/random/chacha20.ts';
import { CRYPTO_CHUNK_BYTES, RandomSampler, THRESHOLD_ONE, cryptoRandomSource, isPrivacyError, scriptedRandomSource, seededRandomSource } from '../src/index.ts';

describe('ChaCha20 keystream', () => {
  it('matches RFC 8439 §2.3.2 (block function test vector)', () => {
    const key = hexToBytes('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const nonce = hexToBytes('000000090000004a00000000');
    const block = new ChaCha20Stream(key, nonce, 1).nextBlock();
    expect(bytesToHex(block)).toBe(
      '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e' + 'd2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e',
    );
  });
});

describe('random sources', () => {
  it('seeded source is reproducible and seed-dependent', () => {
    const a = new Uint8Array(100);
    const b = new Uint8Array(100);
    seededRandomSource('x').fill(a);
    seededRandomSource('x').fill(b);
    expect(a).toEqual(b);
    seededRandomSource('y').fill(b);
    expect(a).not.toEqual(b);
  });

  it('crypto source fills large arrays in ≤ 65,536-byte chunks', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const bytes = new Uint8Array(3 * CRYPTO_CHUNK_BYTES + 5);
    cryptoRandomSource().fill(bytes);
    expect(spy).toHaveBeenCalledTimes(4);
    for (const call of spy.mock.calls) expect((call[0] as Uint8Array).length).toBeLessThanOrEqual(CRYPTO_CHUNK_BYTES);
    spy.mockRestore();
    expect(bytes.some((x) => x !== 0)).toBe(true);
  });

  it('crypto source fails closed without crypto', () => {
    const original = globalThis.crypto;
    vi.stubGlobal('crypto', undefined);
    try {
      expect(() => cryptoRandomSource().fill(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'RANDOMNESS_UNAVAILABLE' }));
    } finally {
      vi.stubGlobal('crypto', original);
      vi.unstubAllGlobals();
    }
  });

  it('scripted source throws when exhausted instead of returning zeros', () => {
    const source = scriptedRandomSource([1, 2, 3]);
    expect(() => source.fill(new Uint8Array(4))).toThrow(/exhausted/);
  });
});

describe('RandomSampler', () => {
  it('reads words little-endian and compares them with integer thresholds', () => {
    // Words: 0x00000001, 0xffffffff.
    const script = [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, ...new Array(4096 - 8).fill(0)];
    const sampler = new RandomSampler(scriptedRandomSource(script));
    expect(sampler.bernoulli(2)).toBe(true); // 1 < 2
    expect(sampler.bernoulli(THRESHOLD_ONE - 1)).toBe(false); // 2^32−1 < 2^32−1 is false
  });

  it('uniformInt rejects the biased tail instead of reducing modulo', () => {
    // n = 3: limit = 2^32 − (2^32 mod 3) = 4294967295, so 0xffffffff is rejected and the next word used.
    const script = [0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, ...new Array(4096 - 8).fill(0)];
    const sampler = new RandomSampler(scriptedRandomSource(script));
    expect(sampler.uniformInt(3)).toBe(5 % 3);
  });

  it('uniformInt is uniform (chi-square, seeded)', () => {
    const sampler = new RandomSampler(seededRandomSource('uniform'));
    const n = 7;
    const draws = 70_000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[sampler.uniformInt(n)]++;
    const expected = draws / n;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46); // χ²(6) quantile at 1 − 10^-3
  });

  it('validates n', () => {
    const sampler = new RandomSampler(seededRandomSource(1));
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) {
      expect(() => sampler.uniformInt(bad)).toThrow();
      try {
        sampler.uniformInt(bad);
      } catch (error) {
        expect(isPrivacyError(error, 'PARAMETER_INVALID')).toBe(true);
      }
    }
  });
});

describe('derivedRandomSource (the permanent level)', () => {
  it('is a deterministic stream of its 32-byte key, different for different keys, and refuses other lengths', async () => {
    const { derivedRandomSource } = await import('../src/random/source.ts');
    const draw = (key: Uint8Array) => {
      const out = new Uint8Array(64);
      derivedRandomSource(key).fill(out);
      return Array.from(out);
    };
    const key = new Uint8Array(32).map((_, i) => i);
    expect(draw(key)).toEqual(draw(key.slice()));
    const other = key.slice();
    other[31] = 0;
    expect(draw(other)).not.toEqual(draw(key));
    for (const bad of [new Uint8Array(16), new Uint8Array(33)]) expect(() => derivedRandomSource(bad)).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID' }));
  });
});
