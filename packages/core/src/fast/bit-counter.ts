/**
 * Counts set bits per position over many packed bit vectors — the server side of every unary
 * encoding (SUE, OUE, RAPPOR's Bloom bits) — without touching bits one at a time.
 *
 * Technique: bit-sliced ("vertical") counters. For each 32-bit word of the vector we keep PLANES
 * words; plane b holds bit b of 32 independent counters, one per bit position. Adding a word is a
 * ripple-carry add of 1 to the counters selected by its set bits: a few AND/XOR per word (the
 * carry chain is on average shorter than 2 planes). Before a counter could overflow
 * (2^PLANES − 1 additions) the planes are flushed into exact Float64 sums. See Knuth TAOCP 4A
 * §7.1.3 ("bitwise tricks", sideways addition) for the idea.
 */

const PLANES = 16;
const FLUSH_EVERY = 2 ** PLANES - 1;

export class BitCounter {
  /** Number of bit positions counted. */
  readonly bits: number;
  /** 32-bit words per vector. */
  readonly words: number;
  private readonly planes: Uint32Array;
  private readonly totals: Float64Array;
  private pending = 0;
  private vectors = 0;

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 1) throw new RangeError(`bits must be a positive integer, got ${bits}`);
    this.bits = bits;
    this.words = Math.ceil(bits / 32);
    this.planes = new Uint32Array(this.words * PLANES);
    this.totals = new Float64Array(bits);
  }

  /**
   * Adds `count` vectors stored back to back in `packed` (little-endian bit order: bit j is bit
   * j mod 32 of word ⌊j/32⌋), starting at word `offset`. Bits past `bits` must be zero.
   */
  addPacked(packed: Uint32Array, count: number, offset = 0): void {
    const { words, planes } = this;
    let position = offset;
    for (let r = 0; r < count; r++) {
      for (let w = 0; w < words; w++) {
        let carry = packed[position++]!;
        const base = w * PLANES;
        for (let b = 0; carry !== 0 && b < PLANES; b++) {
          const plane = planes[base + b]!;
          planes[base + b] = plane ^ carry;
          carry &= plane;
        }
      }
      if (++this.pending === FLUSH_EVERY) this.flush();
    }
    this.vectors += count;
  }

  /** Number of vectors added so far. */
  get count(): number {
    return this.vectors;
  }

  /** Exact per-position counts (flushes pending planes first). */
  counts(): Float64Array {
    this.flush();
    return this.totals.slice();
  }

  private flush(): void {
    if (this.pending === 0) return;
    const { words, planes, totals, bits } = this;
    for (let w = 0; w < words; w++) {
      const base = w * PLANES;
      for (let b = 0; b < PLANES; b++) {
        let plane = planes[base + b]!;
        const weight = 2 ** b;
        while (plane !== 0) {
          const bit = 31 - Math.clz32(plane & -plane);
          const j = w * 32 + bit;
          if (j < bits) totals[j]! += weight;
          plane &= plane - 1;
        }
        planes[base + b] = 0;
      }
    }
    this.pending = 0;
  }
}
