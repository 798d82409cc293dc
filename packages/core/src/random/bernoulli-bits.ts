/**
 * Many independent Bernoulli(T/2^32) bits at once, exactly: the fast path of the unary encodings
 * (SUE, OUE), whose k − 1 "other" bits all share one threshold.
 *
 * Per bit (sampler.ts) a bit costs one 32-bit draw and one comparison, `uint32() < T`: exact, but a
 * word of randomness per bit. Here a whole byte of 8 lanes is drawn at once from its exact
 * distribution. With O = 2^32, byte value b (|b| set bits among `lanes`) has probability
 *
 *   w(b) / O^lanes,   w(b) = T^|b| · (O − T)^(lanes − |b|),   Σ_b w(b) = (T + O − T)^lanes = O^lanes,
 *
 * which is exactly the product of `lanes` independent draws `uint32() < T`.
 *
 * Sampling is the inverse CDF of a uniform integer U ∈ [0, 2^B), B = 32·lanes. The outcomes are
 * put in a fixed order o_0, o_1, … (most probable first), N_j = w(o_0) + … + w(o_j) are their exact
 * cumulative weights (BigInt, built once), and the byte is o_j for the least j with U < N_j, so
 * Pr[o_j] = (N_j − N_{j−1}) / 2^B = w(o_j) / 2^B exactly. U is read lazily, D bits ("a digit",
 * D = 16 in production) at a time, most significant digit first:
 *  - a table over the first digit d gives o_j at once when the whole cell [d·2^(B−D), (d+1)·2^(B−D))
 *    lies inside [N_{j−1}, N_j): every U in the cell has that outcome, so the rest of U is never
 *    needed (never drawn). For OUE and SUE bytes about 99.9% of the mass is in such cells;
 *  - in the other cells (a boundary N_j strictly inside; at most 255 of the 65,536) the next digits
 *    of U are drawn and U is compared with the N_j digit by digit (binary search over j) until
 *    every comparison is decided. No rounding anywhere: U and the N_j are integers.
 *
 * Which randomness feeds which digit: byte i's first digit is digit i mod (32/D) of the
 * ⌊i/(32/D)⌋-th word drawn for the first digits (low digit first); a fallback draws fresh words,
 * one digit (the low D bits) each. Every digit is a fresh uniform value used once, and which digits
 * a byte reads depends only on digits it read before, so the bytes are independent and each is
 * distributed as above. The number of words drawn depends on the random digits only — never on
 * which bits a caller later overwrites (the unary encodings' true bit).
 *
 * D is a parameter only so that the tests can enumerate every path of the random digits with
 * D = 4 (test/bernoulli-bits.test.ts); tables depend on (T, lanes, D) and are built on first use.
 */
import { parameterError } from '../errors.ts';
import { THRESHOLD_ONE, type RandomSampler } from './sampler.ts';

/** Production digit width: a 2^16-cell table (128 kB) per lane count; 2 bytes per 32-bit word. */
export const BERNOULLI_DIGIT_BITS = 16;

/** The exact inverse-CDF sampler of one byte (or of the last, partial byte) of `lanes` bits. */
export class LaneTable {
  readonly lanes: number;
  readonly digitBits: number;
  /** Digits of U (and of each N_j): B / D. */
  readonly digits: number;
  /** Cell d → outcome value when the cell is inside one interval, else −1. */
  readonly cells: Int16Array;
  /** order[j] = o_j. */
  readonly order: Uint8Array;
  /** N_0 … N_{m−2}, `digits` digits each, most significant first (N_{m−1} = 2^B is implicit). */
  readonly bounds: Uint16Array;
  private readonly scratch: Uint16Array;

  constructor(threshold: number, lanes: number, digitBits: number) {
    checkThreshold(threshold);
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 8) throw parameterError('lanes', `must be an integer in [1, 8], got ${lanes}`);
    if (![1, 2, 4, 8, 16].includes(digitBits)) throw parameterError('digitBits', `must be 1, 2, 4, 8 or 16, got ${digitBits}`);
    this.lanes = lanes;
    this.digitBits = digitBits;
    const totalBits = 32 * lanes;
    this.digits = totalBits / digitBits;
    const outcomes = 1 << lanes;
    const weights = laneWeights(threshold, lanes);
    // Most probable first (fewer cells hold a boundary); ties by value, so the order is fixed.
    const order = Array.from({ length: outcomes }, (_, b) => b).sort((a, b) => {
      const wa = weights[a]!;
      const wb = weights[b]!;
      return wa === wb ? a - b : wa > wb ? -1 : 1;
    });
    this.order = Uint8Array.from(order);
    this.cells = new Int16Array(2 ** digitBits).fill(-1);
    this.bounds = new Uint16Array((outcomes - 1) * this.digits);
    this.scratch = new Uint16Array(this.digits);
    const cellShift = BigInt(totalBits - digitBits);
    const digitMask = BigInt(2 ** digitBits - 1);
    let previous = 0n;
    for (let j = 0; j < outcomes; j++) {
      const next = previous + weights[order[j]!]!;
      // Cells d with N_{j−1} ≤ d·2^(B−D) and (d+1)·2^(B−D) ≤ N_j: ⌈N_{j−1}/S⌉ ≤ d < ⌊N_j/S⌋.
      const first = Number((previous + (1n << cellShift) - 1n) >> cellShift);
      const end = Number(next >> cellShift);
      if (end > first) this.cells.fill(order[j]!, first, end);
      if (j < outcomes - 1) {
        for (let t = 0; t < this.digits; t++) this.bounds[j * this.digits + t] = Number((next >> BigInt(totalBits - digitBits * (t + 1))) & digitMask);
      }
      previous = next;
    }
    if (previous !== 1n << BigInt(totalBits)) throw new Error('LaneTable: weights do not sum to 2^B'); // cannot happen: binomial theorem
  }

  /**
   * The outcome for first digit `first` in a cell that holds a boundary: the least j with U < N_j,
   * drawing U's further digits (one fresh word each, low D bits) only as the comparisons need them.
   */
  resolve(first: number, rng: RandomSampler): number {
    const { bounds, digits, scratch: u } = this;
    const mask = 2 ** this.digitBits - 1;
    u[0] = first;
    let drawn = 1;
    let low = 0;
    let high = this.order.length - 1; // high = m − 1: U ≥ every listed boundary
    while (low < high) {
      const mid = (low + high) >>> 1;
      // U < N_mid ?
      let less = false;
      const base = mid * digits;
      for (let t = 0; t < digits; t++) {
        if (t === drawn) u[drawn++] = rng.uint32() & mask;
        const a = u[t]!;
        const b = bounds[base + t]!;
        if (a !== b) {
          less = a < b;
          break;
        }
      } // all digits equal: U = N_mid, not less
      if (less) high = mid;
      else low = mid + 1;
    }
    return this.order[low]!;
  }
}

/** w(b) = T^|b| (2^32 − T)^(lanes − |b|) for every b < 2^lanes. */
export function laneWeights(threshold: number, lanes: number): bigint[] {
  const t = BigInt(threshold);
  const f = BigInt(THRESHOLD_ONE) - t;
  const byCount = Array.from({ length: lanes + 1 }, (_, ones) => t ** BigInt(ones) * f ** BigInt(lanes - ones));
  return Array.from({ length: 1 << lanes }, (_, b) => byCount[popcount(b)]!);
}

/** Fills bits with independent Bernoulli(threshold / 2^32) draws, a byte (or the last, partial byte) at a time. */
export class BernoulliBits {
  readonly threshold: number;
  readonly digitBits: number;
  private fullByte?: LaneTable;
  private partial?: LaneTable;

  constructor(threshold: number, digitBits = BERNOULLI_DIGIT_BITS) {
    this.threshold = checkThreshold(threshold);
    this.digitBits = digitBits;
  }

  /**
   * Overwrites out[0 … ⌈bits/8⌉ − 1] with `bits` independent Bernoulli(threshold / 2^32) bits packed
   * little-endian (bit j in byte j>>3 at position j&7); the padding bits of the last byte are 0.
   */
  fill(out: Uint8Array, bits: number, rng: RandomSampler): Uint8Array {
    if (!Number.isInteger(bits) || bits < 0 || bits > out.length * 8) throw parameterError('bits', `must be an integer in [0, ${out.length * 8}], got ${bits}`);
    const fullBytes = bits >>> 3;
    const rest = bits & 7;
    const byteCount = fullBytes + (rest > 0 ? 1 : 0);
    if (byteCount === 0) return out;
    const D = this.digitBits;
    const perWord = 32 / D;
    const mask = 2 ** D - 1;
    let word = 0;
    let left = 0; // digits of `word` not used yet
    if (fullBytes > 0) {
      const table = (this.fullByte ??= new LaneTable(this.threshold, 8, D));
      const cells = table.cells;
      for (let i = 0; i < fullBytes; i++) {
        if (left === 0) {
          word = rng.uint32();
          left = perWord;
        }
        const digit = word & mask;
        word >>>= D;
        left--;
        const value = cells[digit]!;
        out[i] = value >= 0 ? value : table.resolve(digit, rng);
      }
    }
    if (rest > 0) {
      if (this.partial?.lanes !== rest) this.partial = new LaneTable(this.threshold, rest, D);
      const table = this.partial;
      if (left === 0) word = rng.uint32();
      const digit = word & mask;
      const value = table.cells[digit]!;
      out[fullBytes] = value >= 0 ? value : table.resolve(digit, rng);
    }
    return out;
  }
}

function checkThreshold(threshold: number): number {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > THRESHOLD_ONE) throw parameterError('threshold', `must be an integer in [0, 2^32], got ${threshold}`);
  return threshold;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}
