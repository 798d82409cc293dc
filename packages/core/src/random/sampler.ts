/**
 * Turns random bytes into the two draws the mechanisms need, with no floating point on the
 * sampling path:
 *  - `uniformInt(n)`: uniform on {0, …, n−1} by rejection sampling (Lemire 2019 without the
 *    multiply: reject the top `2^32 mod n` values), so there is no modulo bias;
 *  - `bernoulli(threshold)`: true with probability exactly `threshold / 2^32`, by comparing a
 *    uniform 32-bit integer with an integer threshold.
 * Mechanisms derive their thresholds once, at construction (see exact/thresholds.ts).
 */
import { parameterError } from '../errors.ts';
import { cryptoRandomSource, type RandomSource } from './source.ts';

/** Resolution of every Bernoulli draw: probabilities are multiples of 2^-32. */
export const THRESHOLD_BITS = 32;
export const THRESHOLD_ONE = 2 ** THRESHOLD_BITS;

const BUFFER_WORDS = 1024;

export class RandomSampler {
  readonly source: RandomSource;
  private readonly bytes = new Uint8Array(BUFFER_WORDS * 4);
  private readonly words = new Uint32Array(this.bytes.buffer);
  private next = BUFFER_WORDS;

  constructor(source: RandomSource = cryptoRandomSource()) {
    this.source = source;
  }

  /** Uniform integer in [0, 2^32). Words are read little-endian from the source's bytes. */
  uint32(): number {
    if (this.next === BUFFER_WORDS) {
      this.source.fill(this.bytes);
      this.next = 0;
      if (!LITTLE_ENDIAN) swapWords(this.words);
    }
    return this.words[this.next++]!;
  }

  /** Uniform integer in [0, n), n an integer in [1, 2^32]. Rejection keeps it exactly uniform. */
  uniformInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > THRESHOLD_ONE) throw parameterError('n', `must be an integer in [1, 2^32], got ${n}`);
    if (n === THRESHOLD_ONE) return this.uint32();
    // Values ≥ limit would make some residues one more likely than others.
    const limit = THRESHOLD_ONE - (THRESHOLD_ONE % n);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /** True with probability exactly threshold / 2^32; threshold an integer in [0, 2^32]. */
  bernoulli(threshold: number): boolean {
    return this.uint32() < threshold;
  }

  /** Fills `out` with uniform bytes straight from the source (for seeds and hash keys). */
  bytesInto(out: Uint8Array): Uint8Array {
    this.source.fill(out);
    return out;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function swapWords(words: Uint32Array): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    words[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
    words[i] = words[i]! >>> 0;
  }
}
