/**
 * Many independent Bernoulli(T/2^32) bits at once, exactly: the fast path of the unary encodings
 * (SUE, OUE), whose k − 1 "other" bits all share one threshold T.
 *
 * Per bit (sampler.ts), a bit costs one 32-bit draw and one comparison, `uint32() < T`: exact,
 * but a word of randomness per bit. Here the bit string is built from "runs" taken from a fixed
 * dictionary, each drawn from its exact probability with one 16-bit digit most of the time.
 *
 * 1. Dictionary (Tunstall 1967). The leaves of a full binary tree over lane values {0, 1}: start
 *    from the two one-lane strings and repeatedly split the most probable leaf s into s0 and s1
 *    (never past MAX_RUN lanes) until there are LEAVES leaves. Every infinite 0/1 string has
 *    exactly one leaf as a prefix. With O = 2^32, a leaf with a ones and b zeros has probability
 *      P(leaf) = T^a (O − T)^b / O^(a+b),
 *    the probability that a+b independent lanes read exactly that string. Drawing leaves
 *    independently with these probabilities and concatenating them gives a string whose lanes are
 *    independent Bernoulli(T/O) — the parse of such a string into leaves is unique and has exactly
 *    this law (a prefix code's words of an i.i.d. source are i.i.d.); the first `bits` lanes are kept,
 *    the rest of the last leaf dropped. For OUE at ε = 2 a leaf averages about 16 lanes.
 *    (The tree is chosen with floating-point probabilities: that only steers efficiency. The
 *    weights below are exact.)
 *
 * 2. One leaf (DyadicTable). With B = 32·MAX_RUN, leaf j has integer weight
 *      w_j = T^a (O − T)^b · 2^(32·(MAX_RUN − a − b)),   Σ_j w_j = O^MAX_RUN = 2^B
 *    (the sum is the tree's total probability, 1). Leaves are ordered most probable first,
 *    N_j = w_0 + … + w_j, and the leaf drawn is the least j with U < N_j for a uniform integer
 *    U ∈ [0, 2^B): Pr[j] = (N_j − N_{j−1}) / 2^B = P(leaf j) exactly. U is read lazily, D = 16 bits
 *    (a "digit") at a time, most significant first:
 *     - a table over the first digit d gives j at once when the whole cell
 *       [d·2^(B−D), (d+1)·2^(B−D)) lies inside [N_{j−1}, N_j): every U in the cell gives j, so the
 *       rest of U is never drawn (for LEAVES = 512, at least 65,536 − 511 of the cells);
 *     - in a cell holding a boundary, U's further digits are drawn and U is compared with the N_j
 *       digit by digit (binary search over j) until each comparison is decided. No rounding:
 *       U and the N_j are integers.
 *
 * Which randomness feeds which digit: the first digits come from 32-bit words drawn in order,
 * 32/D per word, low digit first; a boundary cell draws fresh words, one digit (the low D bits)
 * each. Every digit is a fresh uniform value used once, and whether more are drawn depends only on
 * digits already read, so successive leaves are independent draws. How many words are drawn
 * depends on the random digits only, never on which bit a caller later overwrites (the unary
 * encodings' true bit).
 *
 * LEAVES, MAX_RUN and D are parameters only so that the tests can enumerate every path of the
 * random digits on small dictionaries (test/bernoulli-bits.test.ts). Tables are built on first use
 * (about 200 kB: the 2^16-cell table and the boundaries' digits).
 */
import { parameterError } from '../errors.ts';
import { THRESHOLD_ONE, type RandomSampler } from './sampler.ts';

export interface BernoulliBitsOptions {
  /** Dictionary size (default 512). */
  leaves?: number;
  /** Longest run in the dictionary, ≤ 32 so that a run fits one 32-bit word (default 32). */
  maxRun?: number;
  /** Bits per digit of U: 1, 2, 4, 8 or 16 (default 16). */
  digitBits?: number;
}

const DEFAULTS = { leaves: 512, maxRun: 32, digitBits: 16 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Exact inverse-CDF sampler of a distribution whose probabilities are w_j / 2^totalBits (integer
 * weights summing to 2^totalBits), reading U one `digitBits`-bit digit at a time.
 */
export class DyadicTable {
  readonly outcomes: number;
  readonly totalBits: number;
  readonly digitBits: number;
  /** Digits of U and of each boundary: totalBits / digitBits. */
  readonly digits: number;
  /** First digit → outcome when its cell lies inside one outcome's interval, else −1. */
  readonly cells: Int16Array;
  /** N_0 … N_{m−2}, `digits` digits each, most significant first (N_{m−1} = 2^totalBits is implicit). */
  readonly bounds: Uint16Array;
  private readonly drawn: Uint16Array;

  constructor(weights: readonly bigint[], totalBits: number, digitBits: number) {
    if (![1, 2, 4, 8, 16].includes(digitBits)) throw parameterError('digitBits', `must be 1, 2, 4, 8 or 16, got ${digitBits}`);
    if (!Number.isInteger(totalBits) || totalBits < digitBits || totalBits % digitBits !== 0 || totalBits % 4 !== 0) {
      throw parameterError('totalBits', `must be a multiple of 4 and of digitBits, got ${totalBits}`);
    }
    if (weights.length < 1 || weights.length > 32_767) throw parameterError('weights', `must have 1 to 32,767 entries, got ${weights.length}`);
    this.outcomes = weights.length;
    this.totalBits = totalBits;
    this.digitBits = digitBits;
    this.digits = totalBits / digitBits;
    this.cells = new Int16Array(2 ** digitBits).fill(-1);
    this.bounds = new Uint16Array((weights.length - 1) * this.digits);
    this.drawn = new Uint16Array(this.digits);
    const cellShift = BigInt(totalBits - digitBits);
    const cellRoundUp = (1n << cellShift) - 1n;
    let previous = 0n;
    for (let j = 0; j < weights.length; j++) {
      const weight = weights[j]!;
      if (typeof weight !== 'bigint' || weight < 0n) throw parameterError(`weights.${j}`, 'must be a non-negative bigint');
      const next = previous + weight;
      // Cells d with N_{j−1} ≤ d·S and (d+1)·S ≤ N_j (S = 2^(B−D)): ⌈N_{j−1}/S⌉ ≤ d < ⌊N_j/S⌋.
      const first = Number((previous + cellRoundUp) >> cellShift);
      const end = Number(next >> cellShift);
      if (end > first) this.cells.fill(j, first, Math.min(end, this.cells.length));
      if (j < weights.length - 1) this.setDigits(j, next);
      previous = next;
    }
    if (previous !== 1n << BigInt(totalBits)) throw parameterError('weights', `must sum to 2^${totalBits}`);
  }

  /** Digits of N_j (< 2^B), via hex so that building 500 boundaries of 1,024 bits stays cheap. */
  private setDigits(j: number, value: bigint): void {
    if (value >= 1n << BigInt(this.totalBits)) throw parameterError('weights', `must sum to 2^${this.totalBits}`);
    const hex = value.toString(16).padStart(this.totalBits / 4, '0');
    const D = this.digitBits;
    const base = j * this.digits;
    if (D >= 4) {
      const chars = D / 4;
      for (let t = 0; t < this.digits; t++) this.bounds[base + t] = Number.parseInt(hex.slice(t * chars, (t + 1) * chars), 16);
    } else {
      const perChar = 4 / D;
      for (let t = 0; t < this.digits; t++) {
        const nibble = Number.parseInt(hex[Math.floor(t / perChar)]!, 16);
        this.bounds[base + t] = (nibble >> (4 - D * ((t % perChar) + 1))) & (2 ** D - 1);
      }
    }
  }

  /**
   * The outcome for a first digit whose cell holds a boundary: the least j with U < N_j, drawing
   * U's further digits (one fresh word each, its low D bits) only when a comparison needs them.
   */
  resolve(first: number, rng: RandomSampler): number {
    const { bounds, digits, drawn: u } = this;
    const mask = 2 ** this.digitBits - 1;
    u[0] = first;
    let count = 1;
    let low = 0;
    let high = this.outcomes - 1; // high = m − 1: U is at least every listed boundary
    while (low < high) {
      const mid = (low + high) >>> 1;
      let less = false; // U < N_mid? Equal in every digit means U = N_mid: not less.
      const base = mid * digits;
      for (let t = 0; t < digits; t++) {
        if (t === count) u[count++] = rng.uint32() & mask;
        const a = u[t]!;
        const b = bounds[base + t]!;
        if (a !== b) {
          less = a < b;
          break;
        }
      }
      if (less) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** One draw: first digit from the low D bits of a fresh word (the tests' entry point). */
  sample(rng: RandomSampler): number {
    const first = rng.uint32() & (2 ** this.digitBits - 1);
    const j = this.cells[first]!;
    return j >= 0 ? j : this.resolve(first, rng);
  }
}

/** The run dictionary: leaf j is `lengths[j]` lanes whose values are the low bits of `patterns[j]` (lane 0 = bit 0). */
export interface RunDictionary {
  patterns: Int32Array;
  lengths: Uint8Array;
  /** Exact weights over 2^(32·maxRun), in the same order. */
  weights: bigint[];
  maxRun: number;
}

/** Tunstall's dictionary for Bernoulli(threshold/2^32) lanes, most probable leaf first (see the header). */
export function runDictionary(threshold: number, leaves: number, maxRun: number): RunDictionary {
  checkThreshold(threshold);
  checkDictionarySize(leaves, maxRun);
  const q = threshold / THRESHOLD_ONE;
  const probability = [1 - q, q];
  const pattern = [0, 1];
  const length = [1, 1];
  for (;;) {
    if (probability.length >= leaves) break;
    let best = -1;
    for (let i = 0; i < probability.length; i++) if (length[i]! < maxRun && (best < 0 || probability[i]! > probability[best]!)) best = i;
    if (best < 0 || probability[best] === 0) break; // nothing left worth splitting
    const p = probability[best]!;
    const n = length[best]!;
    probability[best] = p * (1 - q); // s → s0 in place, s1 appended
    length[best] = n + 1;
    probability.push(p * q);
    pattern.push(pattern[best]! | (1 << n));
    length.push(n + 1);
  }
  const order = probability.map((_, i) => i).sort((a, b) => probability[b]! - probability[a]! || length[a]! - length[b]! || pattern[a]! - pattern[b]!);
  const t = BigInt(threshold);
  const f = BigInt(THRESHOLD_ONE) - t;
  const weights = order.map((i) => {
    const ones = popcount(pattern[i]!);
    const zeros = length[i]! - ones;
    return t ** BigInt(ones) * f ** BigInt(zeros) << BigInt(32 * (maxRun - length[i]!));
  });
  return {
    patterns: Int32Array.from(order, (i) => pattern[i]!),
    lengths: Uint8Array.from(order, (i) => length[i]!),
    weights,
    maxRun,
  };
}

/** Fills bit strings with independent Bernoulli(threshold / 2^32) lanes (see the header). */
export class BernoulliBits {
  readonly threshold: number;
  readonly leaves: number;
  readonly maxRun: number;
  readonly digitBits: number;
  private table?: DyadicTable;
  private dictionary?: RunDictionary;
  /** Lanes as 32-bit words, one spare word for a run crossing the end; and its bytes. */
  private scratch = new Int32Array(0);
  private scratchBytes = new Uint8Array(0);
  private scratchBits = -1;

  constructor(threshold: number, options: BernoulliBitsOptions = {}) {
    this.threshold = checkThreshold(threshold);
    this.leaves = options.leaves ?? DEFAULTS.leaves;
    this.maxRun = options.maxRun ?? DEFAULTS.maxRun;
    this.digitBits = options.digitBits ?? DEFAULTS.digitBits;
    checkDictionarySize(this.leaves, this.maxRun);
    if (![1, 2, 4, 8, 16].includes(this.digitBits)) throw parameterError('digitBits', `must be 1, 2, 4, 8 or 16, got ${this.digitBits}`);
  }

  /**
   * Overwrites out[0 … ⌈bits/8⌉ − 1] with `bits` independent Bernoulli(threshold / 2^32) lanes packed
   * little-endian (lane j in byte j>>3 at position j&7); the padding bits of the last byte are 0.
   */
  fill(out: Uint8Array, bits: number, rng: RandomSampler): Uint8Array {
    if (!Number.isInteger(bits) || bits < 0 || bits > out.length * 8) throw parameterError('bits', `must be an integer in [0, ${out.length * 8}], got ${bits}`);
    if (bits === 0) return out;
    if (this.table === undefined || this.dictionary === undefined) {
      this.dictionary = runDictionary(this.threshold, this.leaves, this.maxRun);
      this.table = new DyadicTable(this.dictionary.weights, 32 * this.maxRun, this.digitBits);
    }
    const table = this.table;
    const { cells } = table;
    const { patterns, lengths } = this.dictionary;
    const wordCount = (bits + 31) >>> 5;
    if (this.scratchBits !== bits) {
      this.scratch = new Int32Array(wordCount + 1);
      this.scratchBytes = new Uint8Array(this.scratch.buffer, 0, (bits + 7) >>> 3);
      this.scratchBits = bits;
    }
    const lanes = this.scratch;
    lanes.fill(0);
    const D = this.digitBits;
    const perWord = 32 / D;
    const mask = 2 ** D - 1;
    let position = 0;
    while (position < bits) {
      // int32 throughout: digit s is bits [sD, sD + D) of the word, and an arithmetic shift keeps them.
      let word = rng.uint32() | 0;
      for (let s = 0; s < perWord && position < bits; s++) {
        const digit = word & mask;
        word >>= D;
        let leaf = cells[digit]!;
        if (leaf < 0) leaf = table.resolve(digit, rng);
        const run = patterns[leaf]!;
        const shift = position & 31;
        const at = position >>> 5;
        lanes[at]! |= run << shift;
        if (shift !== 0) lanes[at + 1]! |= run >>> (32 - shift);
        position += lengths[leaf]!;
      }
    }
    // Lanes at and past `bits` (the dropped end of the last run) are cleared.
    if ((bits & 31) !== 0) lanes[wordCount - 1]! &= (1 << (bits & 31)) - 1;
    lanes[wordCount] = 0;
    const byteCount = (bits + 7) >>> 3;
    if (LITTLE_ENDIAN) out.set(this.scratchBytes);
    else for (let i = 0; i < byteCount; i++) out[i] = lanes[i >>> 2]! >>> ((i & 3) * 8);
    return out;
  }
}

function checkDictionarySize(leaves: number, maxRun: number): void {
  if (!Number.isInteger(leaves) || leaves < 2 || leaves > 32_767) throw parameterError('leaves', `must be an integer in [2, 32767], got ${leaves}`);
  if (!Number.isInteger(maxRun) || maxRun < 1 || maxRun > 32) throw parameterError('maxRun', `must be an integer in [1, 32], got ${maxRun}`);
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
