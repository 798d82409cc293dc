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
 *    the rest of the last leaf dropped. For OUE at ε = 2 (LEAVES = 1024, MAX_RUN = 32) a leaf averages
 *    18 lanes: about 56 draws for k = 1024, against 1,024 draws one bit at a time.
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
 *       rest of U is never drawn (all but at most LEAVES − 1 of the 65,536 cells);
 *     - a cell holding a boundary names the leaf j0 of its first value instead; U's further digits
 *       are drawn and U compared with N_j0, N_j0+1, … digit by digit until U < N_j — the first
 *       STORED digits of each N_j from a table, later ones (reached with probability about
 *       2^−(16·STORED)) recomputed exactly from the weights. No rounding: U and the N_j are integers.
 *
 * Which randomness feeds which digit: the first digits come from 32-bit words drawn in order, two
 * per word (bits 0 … D−1, then 16 … 16+D−1); a boundary cell draws fresh words, one digit (the low
 * D bits) each. Every digit is a fresh uniform value used once, and whether more are drawn depends only on
 * digits already read, so successive leaves are independent draws. How many words are drawn
 * depends on the random digits only, never on which bit a caller later overwrites (the unary
 * encodings' true bit).
 *
 * LEAVES, MAX_RUN, D and STORED are parameters only so that the tests can enumerate every path of
 * the random digits on small dictionaries (test/bernoulli-bits.test.ts). Tables are built on first
 * use, once per threshold and randomizer (about 10 ms; 140 kB: the 2^16-cell table, the boundaries'
 * leading digits and the dictionary).
 */
import { parameterError } from '../errors.ts';
import { THRESHOLD_ONE, type RandomSampler } from './sampler.ts';

export interface BernoulliBitsOptions {
  /** Dictionary size (default 1024). */
  leaves?: number;
  /** Longest run in the dictionary, ≤ 32 so that a run fits one 32-bit word (default 32). */
  maxRun?: number;
  /** Bits per digit of U, 1 to 16 (default 16). */
  digitBits?: number;
  /** Leading digits of each boundary kept in a table; later ones are recomputed exactly when a comparison gets that far (default 4). */
  storedDigits?: number;
}

const DEFAULTS = { leaves: 1024, maxRun: 32, digitBits: 16, storedDigits: 4 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Exact inverse-CDF sampler of a distribution over 0 … m−1 whose probabilities are
 * weight(j) / 2^totalBits (non-negative integers summing to 2^totalBits), reading U one
 * `digitBits`-bit digit at a time, most significant first.
 */
export class DyadicTable {
  readonly outcomes: number;
  readonly totalBits: number;
  readonly digitBits: number;
  /** Digits of U and of each boundary: ⌈totalBits / digitBits⌉ (U's last digit may have unused low bits, always 0 in a boundary). */
  readonly digits: number;
  /** Leading digits of each boundary kept in `bounds`. */
  readonly storedDigits: number;
  /**
   * First digit d → the outcome j when the cell [d·S, (d+1)·S) (S = 2^(totalBits − digitBits))
   * lies inside [N_{j−1}, N_j); else −1 − j0, with j0 the outcome of the cell's first value d·S.
   */
  readonly cells: Int16Array;
  /** The first `storedDigits` digits of N_0 … N_{m−2} (N_{m−1} = 2^totalBits is implicit). */
  readonly bounds: Uint16Array;
  private readonly weight: (j: number) => bigint;
  private readonly drawn: Uint16Array;

  constructor(outcomes: number, weight: (j: number) => bigint, totalBits: number, digitBits: number, storedDigits = DEFAULTS.storedDigits) {
    if (!Number.isInteger(digitBits) || digitBits < 1 || digitBits > 16) throw parameterError('digitBits', `must be an integer in [1, 16], got ${digitBits}`);
    if (!Number.isInteger(totalBits) || totalBits < digitBits) throw parameterError('totalBits', `must be an integer ≥ digitBits, got ${totalBits}`);
    if (!Number.isInteger(outcomes) || outcomes < 1 || outcomes > 32_767) throw parameterError('outcomes', `must be an integer in [1, 32767], got ${outcomes}`);
    this.outcomes = outcomes;
    this.totalBits = totalBits;
    this.digitBits = digitBits;
    this.digits = Math.ceil(totalBits / digitBits);
    if (!Number.isInteger(storedDigits) || storedDigits < 1) throw parameterError('storedDigits', `must be a positive integer, got ${storedDigits}`);
    this.storedDigits = Math.min(storedDigits, this.digits);
    this.weight = weight;
    this.cells = new Int16Array(2 ** digitBits);
    this.bounds = new Uint16Array(Math.max(0, outcomes - 1) * this.storedDigits);
    this.drawn = new Uint16Array(this.digits);
    const cellShift = BigInt(totalBits - digitBits);
    const roundUp = (1n << cellShift) - 1n;
    const cellCount = 2 ** digitBits;
    let previous = 0n;
    for (let j = 0; j < outcomes; j++) {
      const w = weight(j);
      if (typeof w !== 'bigint' || w < 0n) throw parameterError(`weight(${j})`, 'must be a non-negative bigint');
      const next = previous + w;
      // The cells whose first value d·S (S = 2^(totalBits − D)) lies in [N_{j−1}, N_j): d from
      // ⌈N_{j−1}/S⌉ to ⌈N_j/S⌉ − 1. Those with (d+1)·S ≤ N_j, i.e. d < ⌊N_j/S⌋, are inside the
      // interval; the last one may hold the boundary N_j and gets the hint −1 − j instead.
      const first = Number((previous + roundUp) >> cellShift);
      const inside = Math.min(Number(next >> cellShift), cellCount);
      const stop = Math.min(Number((next + roundUp) >> cellShift), cellCount);
      if (inside > first) this.cells.fill(j, first, inside);
      for (let d = Math.max(first, inside); d < stop; d++) this.cells[d] = -1 - j;
      if (j < outcomes - 1) {
        for (let t = 0; t < this.storedDigits; t++) this.bounds[j * this.storedDigits + t] = this.digitOf(next, t);
      }
      previous = next;
    }
    if (previous !== 1n << BigInt(totalBits)) throw parameterError('weight', `weights must sum to 2^${totalBits}`);
  }

  /** Digit t (0 = most significant) of an integer in [0, 2^totalBits), padded to `digits` digits. */
  digitOf(value: bigint, t: number): number {
    const shift = this.digits * this.digitBits - this.digitBits * (t + 1);
    return Number(((value << BigInt(this.digits * this.digitBits - this.totalBits)) >> BigInt(shift)) & BigInt(2 ** this.digitBits - 1));
  }

  /**
   * The outcome for first digit `first` of a cell holding a boundary: the least j ≥ j0 with
   * U < N_j (every N_i, i < j0, is ≤ the cell's first value ≤ U), drawing U's further digits (one
   * fresh word each, its low D bits) only when a comparison needs them.
   */
  resolve(first: number, hint: number, rng: RandomSampler): number {
    const { bounds, drawn: u, storedDigits: stored } = this;
    const mask = 2 ** this.digitBits - 1;
    const last = this.outcomes - 1;
    u[0] = first;
    let count = 1;
    for (let j = -1 - hint; j < last; j++) {
      // U < N_j, digit by digit; equal in every digit means U = N_j: not below.
      const base = j * stored;
      let t = 0;
      while (t < stored) {
        if (t === count) u[count++] = rng.uint32() & mask;
        if (u[t] !== bounds[base + t]) break;
        t++;
      }
      if (t < stored) {
        if (u[t]! < bounds[base + t]!) return j;
        continue;
      }
      if (stored === this.digits) continue;
      // The stored digits are equal (probability about 2^−(D·stored) per comparison): N_j exactly.
      let exact = 0n;
      for (let i = 0; i <= j; i++) exact += this.weight(i);
      for (t = stored; t < this.digits; t++) {
        if (t === count) u[count++] = rng.uint32() & mask;
        const b = this.digitOf(exact, t);
        if (u[t] !== b) break;
      }
      if (t < this.digits && u[t]! < this.digitOf(exact, t)) return j;
    }
    return last;
  }
}

/** The run dictionary: leaf j is `lengths[j]` lanes whose values are the low bits of `patterns[j]` (lane 0 = bit 0). */
export interface RunDictionary {
  threshold: number;
  maxRun: number;
  patterns: Int32Array;
  lengths: Uint8Array;
  /** Set lanes of each leaf. */
  ones: Uint8Array;
}

/** Tunstall's dictionary for Bernoulli(threshold/2^32) lanes, most probable leaf first (see the header). */
export function runDictionary(threshold: number, leaves: number, maxRun: number): RunDictionary {
  checkThreshold(threshold);
  checkDictionarySize(leaves, maxRun);
  const q = threshold / THRESHOLD_ONE;
  const probability = [1 - q, q];
  const pattern = [0, 1];
  const length = [1, 1];
  // Split the most probable leaf that may still grow (ties: the lowest index, so the tree is fixed).
  // A linear scan: the dictionary is built once per threshold (about a million comparisons).
  while (probability.length < leaves) {
    let best = -1;
    for (let i = 0; i < probability.length; i++) if (length[i]! < maxRun && probability[i]! > 0 && (best < 0 || probability[i]! > probability[best]!)) best = i;
    if (best < 0) break;
    const p = probability[best]!;
    const n = length[best]!;
    probability[best] = p * (1 - q); // s → s0 in place, s1 appended
    length[best] = n + 1;
    probability.push(p * q);
    pattern.push(pattern[best]! | (1 << n));
    length.push(n + 1);
  }
  const order = probability.map((_, i) => i).sort((a, b) => probability[b]! - probability[a]! || length[a]! - length[b]! || pattern[a]! - pattern[b]!);
  return {
    threshold,
    maxRun,
    patterns: Int32Array.from(order, (i) => pattern[i]!),
    lengths: Uint8Array.from(order, (i) => length[i]!),
    ones: Uint8Array.from(order, (i) => popcount(pattern[i]!)),
  };
}

/** Exact weight of every leaf over 2^(32·maxRun): T^a (2^32 − T)^b · 2^(32·(maxRun − a − b)). */
export function runWeights(dictionary: RunDictionary): (j: number) => bigint {
  const t = BigInt(dictionary.threshold);
  const f = BigInt(THRESHOLD_ONE) - t;
  const cache = new Map<number, bigint>();
  return (j) => {
    const ones = dictionary.ones[j]!;
    const length = dictionary.lengths[j]!;
    const key = ones * 64 + length;
    let w = cache.get(key);
    if (w === undefined) {
      w = (t ** BigInt(ones) * f ** BigInt(length - ones)) << BigInt(32 * (dictionary.maxRun - length));
      cache.set(key, w);
    }
    return w;
  };
}

/** Fills bit strings with independent Bernoulli(threshold / 2^32) lanes (see the header). */
export class BernoulliBits {
  readonly threshold: number;
  readonly leaves: number;
  readonly maxRun: number;
  readonly digitBits: number;
  readonly storedDigits: number;
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
    this.storedDigits = options.storedDigits ?? DEFAULTS.storedDigits;
    checkDictionarySize(this.leaves, this.maxRun);
    if (!Number.isInteger(this.digitBits) || this.digitBits < 1 || this.digitBits > 16) throw parameterError('digitBits', `must be an integer in [1, 16], got ${this.digitBits}`);
    if (!Number.isInteger(this.storedDigits) || this.storedDigits < 1) throw parameterError('storedDigits', `must be a positive integer, got ${this.storedDigits}`);
  }

  /** The dictionary and its table (built on first use). */
  tables(): { dictionary: RunDictionary; table: DyadicTable } {
    if (this.table === undefined) this.build();
    return { dictionary: this.dictionary!, table: this.table! };
  }

  private build(): void {
    const dictionary = runDictionary(this.threshold, this.leaves, this.maxRun);
    this.table = new DyadicTable(dictionary.lengths.length, runWeights(dictionary), 32 * this.maxRun, this.digitBits, this.storedDigits);
    this.dictionary = dictionary;
  }

  /**
   * Overwrites out[0 … ⌈bits/8⌉ − 1] with `bits` independent Bernoulli(threshold / 2^32) lanes packed
   * little-endian (lane j in byte j>>3 at position j&7); the padding bits of the last byte are 0.
   */
  fill(out: Uint8Array, bits: number, rng: RandomSampler): Uint8Array {
    if (!Number.isInteger(bits) || bits < 0 || bits > out.length * 8) throw parameterError('bits', `must be an integer in [0, ${out.length * 8}], got ${bits}`);
    if (bits === 0) return out;
    if (this.table === undefined) this.build();
    const table = this.table!;
    const { cells } = table;
    const { patterns, lengths } = this.dictionary!;
    const wordCount = (bits + 31) >>> 5;
    if (this.scratchBits !== bits) {
      this.scratch = new Int32Array(wordCount + 1);
      this.scratchBytes = new Uint8Array(this.scratch.buffer, 0, (bits + 7) >>> 3);
      this.scratchBits = bits;
    }
    const lanes = this.scratch;
    lanes.fill(0);
    const mask = 2 ** this.digitBits - 1;
    let position = 0;
    for (;;) {
      // Two first digits per word: bits [0, D) and [16, 16 + D).
      const word = rng.uint32();
      let digit = word & mask;
      let leaf = cells[digit]!;
      if (leaf < 0) leaf = table.resolve(digit, leaf, rng);
      let run = patterns[leaf]!;
      let shift = position & 31;
      let at = position >>> 5;
      lanes[at]! |= run << shift;
      if (shift !== 0) lanes[at + 1]! |= run >>> (32 - shift);
      position += lengths[leaf]!;
      if (position >= bits) break;
      digit = (word >>> 16) & mask;
      leaf = cells[digit]!;
      if (leaf < 0) leaf = table.resolve(digit, leaf, rng);
      run = patterns[leaf]!;
      shift = position & 31;
      at = position >>> 5;
      lanes[at]! |= run << shift;
      if (shift !== 0) lanes[at + 1]! |= run >>> (32 - shift);
      position += lengths[leaf]!;
      if (position >= bits) break;
    }
    // Lanes at and past `bits` (the dropped end of the last run) are cleared.
    if ((bits & 31) !== 0) lanes[wordCount - 1]! &= (1 << (bits & 31)) - 1;
    lanes[wordCount] = 0;
    if (LITTLE_ENDIAN) out.set(this.scratchBytes);
    else for (let i = 0; i < this.scratchBytes.length; i++) out[i] = lanes[i >>> 2]! >>> ((i & 3) * 8);
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
