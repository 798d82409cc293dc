/**
 * Counts set bits per position over many packed bit vectors — the server side of every unary
 * encoding (SUE, OUE, RAPPOR's Bloom bits) — without touching bits one at a time.
 *
 * Technique: bit-sliced ("vertical") counters. For each 32-bit word of the vector we keep PLANES
 * words; plane b holds bit b of 32 independent counters, one per bit position, so a counter is
 * Σ_b 2^b · (bit of plane b). Vectors are added 64 at a time with the Harley–Seal carry-save
 * scheme: a carry-save adder CSA(a, b, c) = (a^b^c, majority(a, b, c)) turns three words of equal
 * weight into one of that weight and one of twice it, in five bitwise operations, with no carry
 * chain. Fifteen CSAs fold 16 vector words into planes 0–3 (ones, twos, fours, eights) and one word
 * of weight 16; two of those and plane 4 make a CSA giving a word of weight 32, two of those and
 * plane 5 one of weight 64, which alone is ripple-added into planes 6 and up. Left-over vectors
 * (fewer than 64) are ripple-added one at a time. Both keep Σ_b 2^b · plane_b equal to the number
 * of vectors with the bit set, exactly. Before a counter could overflow (2^PLANES − 1 additions) the planes are
 * flushed into exact Float64 sums. See Knuth TAOCP 4A §7.1.3 (sideways addition) and Warren,
 * Hacker's Delight §5-1 (Harley–Seal) for the idea.
 */

const PLANES = 16;
const FLUSH_EVERY = 2 ** PLANES - 1;
const GROUP = 64;

export class BitCounter {
  /** Number of bit positions counted. */
  readonly bits: number;
  /** 32-bit words per vector. */
  readonly words: number;
  private readonly planes: Int32Array;
  private readonly totals: Float64Array;
  private pending = 0;
  private vectors = 0;

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 1) throw new RangeError(`bits must be a positive integer, got ${bits}`);
    this.bits = bits;
    this.words = Math.ceil(bits / 32);
    this.planes = new Int32Array(this.words * PLANES);
    this.totals = new Float64Array(bits);
  }

  /**
   * Adds `count` vectors stored back to back in `packed` (little-endian bit order: bit j is bit
   * j mod 32 of word ⌊j/32⌋), starting at word `offset`. Bits past `bits` must be zero.
   */
  addPacked(packed: Uint32Array | Int32Array, count: number, offset = 0): void {
    const { words } = this;
    let position = offset;
    let left = count;
    while (left > 0) {
      const room = FLUSH_EVERY - this.pending;
      if (room === 0) {
        this.flush();
        continue;
      }
      if (left >= GROUP && room >= GROUP) {
        this.addGroup(packed, position);
        position += GROUP * words;
        left -= GROUP;
        this.pending += GROUP;
      } else {
        this.addOne(packed, position);
        position += words;
        left--;
        this.pending++;
      }
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

  /** Adds the exact counts to sums[at + j] for the positions j that fit in `sums` (flushes pending planes first). */
  addCountsTo(sums: Float64Array, at: number): void {
    this.flush();
    const { totals } = this;
    const end = Math.min(totals.length, sums.length - at);
    for (let j = 0; j < end; j++) sums[at + j]! += totals[j]!;
  }

  /**
   * 64 vectors from packed[position]: four times 16 folded by CSAs into planes 0–3 (ones … eights),
   * the weight-16 words by pairs with plane 4, the weight-32 ones with plane 5, and the weight-64
   * word rippled from plane 6.
   */
  private addGroup(packed: Uint32Array | Int32Array, position: number): void {
    const { words, planes } = this;
    for (let w = 0; w < words; w++) {
      const base = w * PLANES;
      let ones = planes[base]!;
      let twos = planes[base + 1]!;
      let fours = planes[base + 2]!;
      let eights = planes[base + 3]!;
      let at = position + w - words;
      let a: number, b: number, u: number, twosA: number, twosB: number, foursA: number, foursB: number, eightsA: number, eightsB: number;
      let sixteens = planes[base + 4]!;
      let thirtyTwos = planes[base + 5]!;
      let sixteensA = 0;
      let thirtyTwosA = 0;
      for (let quarter = 0; quarter < 4; quarter++) {
        // Each step: (high, low) = CSA(x, y, z) with u = x ^ y, low = u ^ z, high = (x & y) | (u & z).
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosA = (ones & a) | (u & b);
        ones = u ^ b;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosB = (ones & a) | (u & b);
        ones = u ^ b;
        u = twos ^ twosA;
        foursA = (twos & twosA) | (u & twosB);
        twos = u ^ twosB;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosA = (ones & a) | (u & b);
        ones = u ^ b;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosB = (ones & a) | (u & b);
        ones = u ^ b;
        u = twos ^ twosA;
        foursB = (twos & twosA) | (u & twosB);
        twos = u ^ twosB;
        u = fours ^ foursA;
        eightsA = (fours & foursA) | (u & foursB);
        fours = u ^ foursB;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosA = (ones & a) | (u & b);
        ones = u ^ b;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosB = (ones & a) | (u & b);
        ones = u ^ b;
        u = twos ^ twosA;
        foursA = (twos & twosA) | (u & twosB);
        twos = u ^ twosB;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosA = (ones & a) | (u & b);
        ones = u ^ b;
        a = packed[(at += words)]!;
        b = packed[(at += words)]!;
        u = ones ^ a;
        twosB = (ones & a) | (u & b);
        ones = u ^ b;
        u = twos ^ twosA;
        foursB = (twos & twosA) | (u & twosB);
        twos = u ^ twosB;
        u = fours ^ foursA;
        eightsB = (fours & foursA) | (u & foursB);
        fours = u ^ foursB;
        u = eights ^ eightsA;
        const sixteensB = (eights & eightsA) | (u & eightsB); // weight 16
        eights = u ^ eightsB;
        if ((quarter & 1) === 0) {
          sixteensA = sixteensB;
          continue;
        }
        u = sixteens ^ sixteensA;
        const thirtyTwosB = (sixteens & sixteensA) | (u & sixteensB); // weight 32
        sixteens = u ^ sixteensB;
        if (quarter === 1) {
          thirtyTwosA = thirtyTwosB;
          continue;
        }
        u = thirtyTwos ^ thirtyTwosA;
        let carry = (thirtyTwos & thirtyTwosA) | (u & thirtyTwosB); // weight 64
        thirtyTwos = u ^ thirtyTwosB;
        for (let p = base + 6, end = base + PLANES; carry !== 0 && p < end; p++) {
          const next = planes[p]!;
          planes[p] = next ^ carry;
          carry &= next;
        }
      }
      planes[base] = ones;
      planes[base + 1] = twos;
      planes[base + 2] = fours;
      planes[base + 3] = eights;
      planes[base + 4] = sixteens;
      planes[base + 5] = thirtyTwos;
    }
  }

  /** One vector, ripple-carry from plane 0. */
  private addOne(packed: Uint32Array | Int32Array, position: number): void {
    const { words, planes } = this;
    for (let w = 0; w < words; w++) {
      let carry = packed[position + w]! | 0;
      for (let p = w * PLANES, end = p + PLANES; carry !== 0 && p < end; p++) {
        const plane = planes[p]!;
        planes[p] = plane ^ carry;
        carry &= plane;
      }
    }
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
