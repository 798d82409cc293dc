/**
 * RAPPOR's deterministic stages: the Bloom filter of a value and the permanent randomized response
 * (PRR) derived from a device secret. Erlingsson, Pihur, Korolova, "RAPPOR: Randomized Aggregatable
 * Privacy-Preserving Ordinal Response", CCS 2014, §3 steps 1–2.
 *
 * Bits are a `Uint8Array` of 0/1 of length k; bit i is the coefficient of 2^i when the filter is read
 * as an integer (Google's convention: "bit 0 least significant").
 *
 * Two encodings:
 *
 * `google-py` — byte-compatible with google/rappor `client/python/rappor.py` (`get_bloom_bits`,
 * `get_prr_masks`, `Encoder._internal_encode_bits`):
 *   Bloom: D = MD5(u32be(cohort) ‖ UTF-8(value)); hash i sets bit D[i] mod k (i < h ≤ 16).
 *   PRR:   H = HMAC-SHA256(key = secret, msg = u32be(Bloom read as an integer)); for bit i < k ≤ 32,
 *          uniform_i = H[i] & 1, fmask_i = (H[i] >> 1) < f·128, and
 *          PRR_i = fmask_i ? uniform_i : Bloom_i.
 *   Because H[i] >> 1 is an integer in [0, 128), "< f·128" keeps ceil(128·f) of the 128 values: the
 *   implemented f′ = ceil(128·f)/128 ≥ f (more noise than asked, never less).
 *   Limits, as in the reference: k ≤ 32 (one digest byte per bit; the message is 4 bytes), h ≤ 16
 *   (MD5 has 16 bytes), k ≤ 256 for the Bloom hash. The same (secret, Bloom value) gives the same PRR
 *   across metrics — the reason the hardened mode exists.
 *
 * `hardened-v1` — any k ≤ 4096, domain-separated by a metric id so PRRs of different metrics are
 * independent. All integers are big-endian u32; `str(x)` = u32be(byte length) ‖ UTF-8 bytes.
 *   Bloom: D_j = SHA-256(str("practical-privacy/rappor/hardened-v1/bloom") ‖ str(metricId) ‖
 *          u32be(cohort) ‖ u32be(j) ‖ str(value)); hash i sets bit (u32be word (i mod 8) of
 *          D_{⌊i/8⌋}) mod k. The modulo bias is ≤ k/2^32 (utility only; privacy never depends on it).
 *   PRR:   B_j = HMAC-SHA256(key = secret, msg = str("practical-privacy/rappor/hardened-v1/prr") ‖
 *          str(metricId) ‖ u32be(k) ‖ u32be(j) ‖ Bloom as ⌈k/8⌉ bytes, bit i in byte ⌊i/8⌋ at
 *          position i mod 8); PRR bit i reads the u16be word w at bytes 2(i mod 16) of B_{⌊i/16⌋}:
 *          uniform_i = w & 1, fmask_i = (w >> 1) < F with F = ceil(f·2^15), so f′ = F/2^15 ≥ f
 *          (rounded toward privacy).
 *   The HMAC is a PRF keyed by the secret (HMAC-SHA256 security, Bellare 2006), so the PRR coins are
 *   pseudo-random, independent across bits, Bloom values and metrics, and reproducible from the
 *   secret alone — nothing but the secret needs storing (docs/privacy-model.md, "Over time").
 */
import { hmac } from '@noble/hashes/hmac.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export type RapporMode = 'google-py' | 'hardened-v1';

export const GOOGLE_PY_MAX_BITS = 32;
export const GOOGLE_PY_MAX_HASHES = 16;
export const HARDENED_MAX_BITS = 4096;
export const HARDENED_MAX_HASHES = 64;
/** Resolution of the f coin: google-py compares 7 bits with f·128, hardened-v1 15 bits with f·2^15. */
export const GOOGLE_PY_F_BITS = 7;
export const HARDENED_F_BITS = 15;

const BLOOM_TAG = 'practical-privacy/rappor/hardened-v1/bloom';
const PRR_TAG = 'practical-privacy/rappor/hardened-v1/prr';

export interface RapporEncoding {
  mode: RapporMode;
  k: number;
  h: number;
  /** Integer threshold of the f coin over 2^fBits (f′ = fThreshold / 2^fBits). */
  fThreshold: number;
  fBits: number;
  /** Required in hardened-v1; ignored by google-py. */
  metricId: string;
}

/** f → integer threshold over 2^bits, rounded up (f′ ≥ f). Exact: f·2^bits is an exact double. */
export function fThresholdFor(f: number, bits: number): number {
  return Math.ceil(f * 2 ** bits);
}

export function u32be(x: number): Uint8Array {
  return new Uint8Array([(x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff]);
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concat([u32be(bytes.length), bytes]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The h bit positions of `value` in `cohort` (with repeats when two hashes collide), hash 0 first. */
export function bloomBitIndices(encoding: RapporEncoding, value: string, cohort: number): number[] {
  if (encoding.mode === 'google-py') return googlePyBloomIndices(encoding, value, cohort);
  return hardenedBloomIndices(encoding, hardenedBloomMessages(encoding, value, cohort).map((message) => sha256(message)));
}

/** google-py: hash i sets bit D[i] mod k, D = MD5(u32be(cohort) ‖ UTF-8(value)). */
export function googlePyBloomIndices(encoding: RapporEncoding, value: string, cohort: number): number[] {
  const valueBytes = utf8ToBytes(value);
  const message = new Uint8Array(4 + valueBytes.length);
  writeU32be(message, 0, cohort);
  message.set(valueBytes, 4);
  const digest = md5(message);
  const indices: number[] = [];
  for (let i = 0; i < encoding.h; i++) indices.push(digest[i]! % encoding.k);
  return indices;
}

/**
 * hardened-v1: the SHA-256 inputs D_0, D_1, … (one per 8 hashes). Split from the hashing so that a
 * caller with an asynchronous SHA-256 (WebCrypto, in the SDK's worker) computes the same filter.
 */
export function hardenedBloomMessages(encoding: RapporEncoding, value: string, cohort: number): Uint8Array[] {
  const valueBytes = utf8ToBytes(value);
  // prefix ‖ u32be(cohort) ‖ u32be(j) ‖ str(value).
  const prefix = bloomPrefix(encoding.metricId);
  const messages: Uint8Array[] = [];
  for (let j = 0; j * 8 < encoding.h; j++) {
    const message = new Uint8Array(prefix.length + 12 + valueBytes.length);
    message.set(prefix, 0);
    writeU32be(message, prefix.length, cohort);
    writeU32be(message, prefix.length + 4, j);
    writeU32be(message, prefix.length + 8, valueBytes.length);
    message.set(valueBytes, prefix.length + 12);
    messages.push(message);
  }
  return messages;
}

/** hardened-v1: hash i sets bit (u32be word (i mod 8) of digest ⌊i/8⌋) mod k. */
export function hardenedBloomIndices(encoding: RapporEncoding, digests: readonly Uint8Array[]): number[] {
  const { k, h } = encoding;
  const indices: number[] = [];
  for (let i = 0; i < h; i++) {
    const digest = digests[i >> 3]!;
    const w = 4 * (i & 7);
    indices.push((((digest[w]! << 24) | (digest[w + 1]! << 16) | (digest[w + 2]! << 8) | digest[w + 3]!) >>> 0) % k);
  }
  return indices;
}

/** str(tag) ‖ str(metricId), cached: the map of a 10^4-candidate list hashes it 10^6 times. */
const bloomPrefixes = new Map<string, Uint8Array>();
function bloomPrefix(metricId: string): Uint8Array {
  let prefix = bloomPrefixes.get(metricId);
  if (prefix === undefined) {
    prefix = concat([lengthPrefixed(utf8ToBytes(BLOOM_TAG)), lengthPrefixed(utf8ToBytes(metricId))]);
    if (bloomPrefixes.size > 256) bloomPrefixes.clear();
    bloomPrefixes.set(metricId, prefix);
  }
  return prefix;
}

function writeU32be(out: Uint8Array, offset: number, x: number): void {
  out[offset] = (x >>> 24) & 0xff;
  out[offset + 1] = (x >>> 16) & 0xff;
  out[offset + 2] = (x >>> 8) & 0xff;
  out[offset + 3] = x & 0xff;
}

/** Bloom filter bits (0/1, length k) of `value` in `cohort`. */
export function bloomBits(encoding: RapporEncoding, value: string, cohort: number): Uint8Array {
  return bitsAt(encoding.k, bloomBitIndices(encoding, value, cohort));
}

/** k bits (0/1) with the given positions set. */
export function bitsAt(k: number, indices: readonly number[]): Uint8Array {
  const bits = new Uint8Array(k);
  for (const index of indices) bits[index] = 1;
  return bits;
}

/** Bits read as an unsigned integer, bit i = 2^i (only for k ≤ 32). */
export function bitsToUint32(bits: Uint8Array): number {
  let value = 0;
  for (let i = bits.length - 1; i >= 0; i--) value = value * 2 + (bits[i]! & 1);
  return value;
}

/** The two PRR masks: `uniform` (each bit 1 w.p. 1/2) and `fMask` (each bit 1 w.p. f′). */
export interface PrrMasks {
  uniform: Uint8Array;
  fMask: Uint8Array;
}

/**
 * The HMAC-SHA256 inputs of the PRR masks — the ONE definition of their byte layout, used by core
 * (`prrMasks`, with the secret's bytes) and by the SDK's worker (with the non-extractable WebCrypto
 * key): google-py, one message = the Bloom filter as a 4-byte big-endian integer (google/rappor
 * client/python/rappor.py); hardened-v1, one per 16-bit-word block j: (tag, metricId, k, j, Bloom bytes).
 */
export function prrMessages(encoding: RapporEncoding, bloom: Uint8Array): Uint8Array[] {
  const { k } = encoding;
  if (encoding.mode === 'google-py') return [u32be(bitsToUint32(bloom))];
  const bloomBytes = new Uint8Array(Math.ceil(k / 8));
  for (let i = 0; i < k; i++) if (bloom[i]) bloomBytes[i >> 3]! |= 1 << (i & 7);
  const prefix = concat([lengthPrefixed(utf8ToBytes(PRR_TAG)), lengthPrefixed(utf8ToBytes(encoding.metricId)), u32be(k)]);
  const messages: Uint8Array[] = [];
  for (let j = 0; j * 16 < k; j++) messages.push(concat([prefix, u32be(j), bloomBytes]));
  return messages;
}

/** The masks from the HMAC outputs of `prrMessages`, in order: google-py a byte per bit, hardened-v1 a 16-bit word per bit. */
export function prrMasksFromDigests(encoding: RapporEncoding, digests: readonly Uint8Array[]): PrrMasks {
  const { k, fThreshold } = encoding;
  const uniform = new Uint8Array(k);
  const fMask = new Uint8Array(k);
  for (let i = 0; i < k; i++) {
    const word = encoding.mode === 'google-py' ? digests[0]![i]! : (digests[i >> 4]![2 * (i & 15)]! << 8) | digests[i >> 4]![2 * (i & 15) + 1]!;
    uniform[i] = word & 1;
    fMask[i] = word >> 1 < fThreshold ? 1 : 0;
  }
  return { uniform, fMask };
}

export function prrMasks(encoding: RapporEncoding, bloom: Uint8Array, secret: Uint8Array): PrrMasks {
  return prrMasksFromDigests(encoding, prrMessages(encoding, bloom).map((message) => hmac(sha256, secret, message)));
}

/** PRR_i = fMask_i ? uniform_i : Bloom_i from the masks. */
export function permanentBitsFromMasks(bloom: Uint8Array, { uniform, fMask }: PrrMasks): Uint8Array {
  const prr = new Uint8Array(bloom.length);
  for (let i = 0; i < bloom.length; i++) prr[i] = fMask[i] ? uniform[i]! : bloom[i]!;
  return prr;
}

/** PRR_i = fMask_i ? uniform_i : Bloom_i (Erlingsson et al. 2014, §3 step 2). */
export function permanentBits(encoding: RapporEncoding, bloom: Uint8Array, secret: Uint8Array): Uint8Array {
  return permanentBitsFromMasks(bloom, prrMasks(encoding, bloom, secret));
}
