/**
 * The one randomness interface of the library: fill a byte array with uniform random bytes.
 *
 * Production code uses {@link cryptoRandomSource} (the platform CSPRNG, `crypto.getRandomValues`).
 * Tests inject {@link seededRandomSource} (reproducible) or {@link scriptedRandomSource}
 * (hand-checked vectors). `Math.random` is never used: it is not a CSPRNG, and an LDP guarantee
 * is only as good as the coins behind it.
 */
import { blake3 } from '@noble/hashes/blake3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { PrivacyError } from '../errors.ts';
import { ChaCha20Stream } from './chacha20.ts';

export interface RandomSource {
  /** Overwrites every byte of `bytes` with uniform random bytes. */
  fill(bytes: Uint8Array): void;
}

/** `crypto.getRandomValues` refuses more than 65,536 bytes per call (Web Crypto spec, QuotaExceededError). */
export const CRYPTO_CHUNK_BYTES = 65_536;

/**
 * The platform CSPRNG. Resolved lazily, on first use, so that importing the library touches no
 * global (SSR-safe); throws RANDOMNESS_UNAVAILABLE if the platform has none.
 */
export function cryptoRandomSource(): RandomSource {
  return {
    fill(bytes: Uint8Array): void {
      const webCrypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
      if (webCrypto?.getRandomValues === undefined) {
        throw new PrivacyError('RANDOMNESS_UNAVAILABLE', 'runtime', 'crypto.getRandomValues is not available on this platform');
      }
      for (let offset = 0; offset < bytes.length; offset += CRYPTO_CHUNK_BYTES) {
        webCrypto.getRandomValues(bytes.subarray(offset, Math.min(bytes.length, offset + CRYPTO_CHUNK_BYTES)));
      }
    },
  };
}

/**
 * Deterministic stream for tests and simulations: the seed is hashed with BLAKE3 (domain-separated)
 * into a 256-bit ChaCha20 key, and the stream is ChaCha20's keystream (RFC 8439). ChaCha20 is a
 * PRF in its key, so the stream is indistinguishable from uniform bytes for anyone who does not
 * know the seed — fine for statistical tests and simulations, but NOT a substitute for the CSPRNG
 * on a patient's device (a known seed reveals every coin).
 */
export function seededRandomSource(seed: string | number | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'string' ? utf8ToBytes(seed) : typeof seed === 'number' ? utf8ToBytes(`seed:${seed}`) : seed;
  const key = blake3(seedBytes, { context: utf8ToBytes('practical-privacy seeded random source v1'), dkLen: 32 });
  const stream = new ChaCha20Stream(key);
  return {
    fill(bytes: Uint8Array): void {
      stream.fill(bytes);
    },
  };
}

/**
 * A deterministic stream from a SECRET 32-byte key — a PRF output such as HMAC-SHA256(device key,
 * 'prr/v2' ‖ question ‖ slot). The SDK draws a question's permanent responses from it, so they are a
 * function of the device secret and the question's parameters only: nothing per answer is stored,
 * and the same parameters give the same permanent responses (docs/privacy-model.md, "Longitudinal").
 * ChaCha20 keyed with the PRF output directly (RFC 8439; a uniformly random key needs no further
 * derivation, and the HMAC input already separates domains). Never for fresh draws: those come from
 * cryptoRandomSource.
 */
export function derivedRandomSource(key: Uint8Array): RandomSource {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'key: a derived random source needs a secret 32-byte key (a PRF output)', { path: 'key' });
  const stream = new ChaCha20Stream(key.slice());
  return { fill: (bytes) => stream.fill(bytes) };
}

/**
 * Replays a fixed byte script, for hand-checked vectors. Throws when the script runs out so a
 * test never silently reads zeros.
 */
export function scriptedRandomSource(script: ArrayLike<number>): RandomSource {
  let position = 0;
  return {
    fill(bytes: Uint8Array): void {
      if (position + bytes.length > script.length) {
        throw new PrivacyError('RANDOMNESS_UNAVAILABLE', 'runtime', `scripted random source exhausted at byte ${position}`);
      }
      for (let i = 0; i < bytes.length; i++) bytes[i] = script[position++]! & 0xff;
    },
  };
}
