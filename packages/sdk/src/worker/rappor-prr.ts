/**
 * RAPPOR's permanent randomized response computed with the non-extractable WebCrypto key.
 *
 * Core's `Rappor.permanentResponse(bloom, secretBytes)` needs the secret's bytes; the SDK's secret
 * has none to give, so this file recomputes the same PRR masks with `crypto.subtle.sign('HMAC')`,
 * byte for byte as core's rappor-bloom.ts `prrMasks` (a test checks equality with an extractable
 * copy of a key):
 * - google-py (google/rappor client/python/rappor.py): digest = HMAC-SHA256(secret, Bloom as 4-byte
 *   big-endian); byte i → uniform bit (low bit) and f-mask bit (top 7 bits < f·128);
 * - hardened-v1: HMAC blocks over (tag, metricId, k, block index, Bloom bytes), 16-bit words.
 * PRR_i = fMask_i ? uniform_i : Bloom_i (Erlingsson et al. 2014, §3 step 2).
 */
import type { RapporRandomizer } from '@practical-privacy/core';
import { hmac } from './secret.ts';

/** Must equal core's rappor-bloom.ts PRR_TAG. */
const PRR_TAG = 'practical-privacy/rappor/hardened-v1/prr';

export async function permanentResponse(rappor: RapporRandomizer, bloom: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const { k, fThreshold } = rappor;
  const prr = new Uint8Array(k);
  if (rappor.mode === 'google-py') {
    let value = 0;
    for (let i = 0; i < k; i++) if (bloom[i]) value += 2 ** i;
    const digest = await hmac(key, u32be(value));
    for (let i = 0; i < k; i++) {
      const byte = digest[i]!;
      prr[i] = byte >> 1 < fThreshold ? byte & 1 : bloom[i]!;
    }
    return prr;
  }
  const bloomBytes = new Uint8Array(Math.ceil(k / 8));
  for (let i = 0; i < k; i++) if (bloom[i]) bloomBytes[i >> 3]! |= 1 << (i & 7);
  const enc = new TextEncoder();
  const prefix = concat([lengthPrefixed(enc.encode(PRR_TAG)), lengthPrefixed(enc.encode(rappor.metricId)), u32be(k)]);
  for (let j = 0; j * 16 < k; j++) {
    const block = await hmac(key, concat([prefix, u32be(j), bloomBytes]));
    for (let w = 0; w < 16 && j * 16 + w < k; w++) {
      const word = (block[2 * w]! << 8) | block[2 * w + 1]!;
      const i = j * 16 + w;
      prr[i] = word >> 1 < fThreshold ? word & 1 : bloom[i]!;
    }
  }
  return prr;
}

function u32be(x: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x >>> 0);
  return out;
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concat([u32be(bytes.length), bytes]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
