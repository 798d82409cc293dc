/**
 * What SUE and OUE share: a unary encoding of v ∈ [k] as the one-hot vector e_v, each bit then
 * perturbed independently (Wang, Blocki, Li, Jha, USENIX Security 2017, §4.2):
 *
 *   Pr[B_j = 1] = P1 = T1/2^32  if j = v      (the true bit)
 *   Pr[B_j = 1] = P0 = T0/2^32  if j ≠ v      (any other bit)
 *
 * Privacy. For inputs v ≠ v', only bits v and v' have different distributions, so for any output
 * vector B the ratio Pr[B|v]/Pr[B|v'] is a product of two factors, maximised by B_v = 1, B_v' = 0:
 *
 *   worst ratio = (P1/P0) · ((1−P0)/(1−P1)) = T1(2^32 − T0) / (T0(2^32 − T1)).
 *
 * The subclasses round T1 and T0 so that this exact rational is ≤ e^ε; `implementedEpsilon` is
 * its logarithm. Estimation is the pure protocol with p* = P1, q* = P0 (pure-protocol.ts); bits
 * are independent, so for fixed respondents the variance formula there is exact, and so is its
 * population form (each report's bit v is Bernoulli(q* + f_v(p* − q*)) for sampled respondents).
 *
 * Wire: base64url (RFC 4648 §5, no padding characters) of the k bits packed little-endian — bit j
 * in byte j>>3 at position j&7. Decoding is canonical: exact length, zero padding bits in the last
 * byte and zero unused bits in the last base64 character, so each report has one encoding only.
 * Sums: [n, C_0, …, C_{k−1}] with C_j the number of reports with bit j set.
 *
 * Sampling: the k bits are drawn as k independent Bernoulli(P0) lanes by an exact run sampler
 * (random/bernoulli-bits.ts, about 56 table draws instead of 1,024 at k = 1024), then the true bit
 * is replaced by its own Bernoulli(P1) draw. Summing: `addAllToSums` counts many reports 32
 * positions at a time (fast/bit-counter.ts); `contribute` one report, one set bit at a time.
 *
 * `UnaryRandomizer` is the device half (thresholds, ε, randomize, encode, explanation);
 * `UnaryEncoding` adds decoding and the estimator. sue.ts and oue.ts give each its thresholds.
 */
import { inputError, payloadError, parameterError } from '../errors.ts';
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { DenseSums } from '../aggregate/cells.ts';
import { BitCounter } from '../fast/bit-counter.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { BernoulliBits } from '../random/bernoulli-bits.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../validate.ts';
import type { Estimand } from './estimand.ts';
import { pureProtocolEstimate, pureProtocolVariance } from './pure-protocol.ts';
import type { EncodedReport, FrequencyEstimate, FrequencyOracle, MechanismDescription, Randomizer, CellSink } from './types.ts';

export interface UnaryEncodingOptions {
  k: number;
  epsilon: number;
}

/** Integer thresholds of the true bit (P1 = trueBit/2^32) and of every other bit (P0). */
export type UnaryThresholds = (epsilon: number) => { trueBit: number; otherBit: number };

/** The device half of SUE and OUE. */
export abstract class UnaryRandomizer implements Randomizer<number, Uint8Array> {
  abstract readonly name: 'sue' | 'oue';
  readonly k: number;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  /** Pr[true bit reported as 1] = trueBitThreshold / 2^32 (P1). */
  readonly trueBitThreshold: number;
  /** Pr[any other bit reported as 1] = otherBitThreshold / 2^32 (P0). */
  readonly otherBitThreshold: number;
  /** Implemented p* = P1 and q* = P0. */
  readonly p: number;
  readonly q: number;
  /** Bytes of a packed report. */
  readonly byteLength: number;
  /** Sampler of the other bits (its byte tables are built on the first randomize). */
  readonly #otherBits: BernoulliBits;

  protected constructor(options: UnaryEncodingOptions, thresholds: UnaryThresholds) {
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options?.epsilon);
    const { trueBit, otherBit } = thresholds(this.epsilon);
    this.trueBitThreshold = trueBit;
    this.otherBitThreshold = otherBit;
    this.p = trueBit / THRESHOLD_ONE;
    this.q = otherBit / THRESHOLD_ONE;
    if (!(trueBit > otherBit && otherBit > 0 && trueBit < THRESHOLD_ONE)) {
      throw parameterError('epsilon', `${this.epsilon} is out of the range this encoding can implement at 2^-32 resolution`);
    }
    this.implementedEpsilon = implementedEpsilonOf(unaryWorstRatio(trueBit, otherBit), this.epsilon);
    this.byteLength = Math.ceil(this.k / 8);
    this.#otherBits = new BernoulliBits(otherBit);
  }

  randomize(value: number, rng: RandomSampler): Uint8Array {
    return this.randomizeInto(value, rng, new Uint8Array(this.byteLength));
  }

  /**
   * randomize, written into `out` (at least ⌈k/8⌉ bytes; those are overwritten) instead of a new
   * array — for simulations: above 64 bytes a typed array is allocated outside the JavaScript heap,
   * and at k = 1024 allocating the report costs about as much as sampling it.
   */
  randomizeInto(value: number, rng: RandomSampler, out: Uint8Array): Uint8Array {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) {
      throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    }
    if (!(out instanceof Uint8Array) || out.length < this.byteLength) throw parameterError('out', `must be a Uint8Array of at least ${this.byteLength} bytes`);
    // All k bits as independent Bernoulli(P0) (bernoulli-bits.ts, exact), then the true bit
    // replaced by its own independent Bernoulli(P1) draw. Dropping bit v of k independent bits
    // leaves the other k − 1 independent Bernoulli(P0): the same distribution as one draw per bit
    // with the true bit's threshold at v; and which draws are made does not depend on v.
    const bits = this.#otherBits.fill(out, this.k, rng);
    const mask = 1 << (value & 7);
    const byte = bits[value >> 3]!;
    bits[value >> 3] = rng.uint32() < this.trueBitThreshold ? byte | mask : byte & ~mask;
    return bits;
  }

  encodeReport(report: Uint8Array): EncodedReport {
    return { payload: base64UrlEncode(report) };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.p,
      summary:
        `Your answer is sent as a list of ${this.k} yes/no flags, one per possible answer. ` +
        `The flag of your true answer says "yes" with probability ${this.p.toFixed(2)}; ` +
        `every other flag says "yes" with probability ${this.q.toFixed(2)}, so no single flag gives you away.`,
    };
  }
}

export abstract class UnaryEncoding extends UnaryRandomizer implements FrequencyOracle<Uint8Array> {
  readonly sumsLength: number;
  readonly reportBits: number;

  protected constructor(options: UnaryEncodingOptions, thresholds: UnaryThresholds) {
    super(options, thresholds);
    this.sumsLength = this.k + 1;
    this.reportBits = this.k;
  }

  decodeReport(encoded: EncodedReport): Uint8Array {
    return decodeUnaryBits(encoded, this.k, this.name);
  }

  contribute(report: Uint8Array, cells: CellSink): void {
    contributeBits(report, cells);
  }

  /** The dense sums of contribute over every report, 32 bit positions at a time (addBitReportsToSums). */
  addAllToSums(reports: readonly Uint8Array[], sums: Float64Array): void {
    addBitReportsToSums(reports, sums);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    return pureProtocolEstimate(sums, this.k, this.p, this.q, estimand);
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}

/**
 * The k-bit layout's one decoder (SUE, OUE and the longitudinal unary encodings): exact length,
 * zero padding bits, canonical base64url — so each report has one encoding only.
 */
export function decodeUnaryBits(encoded: EncodedReport, k: number, name: string): Uint8Array {
  const { payload } = encoded;
  if (encoded.cohort !== undefined) throw payloadError(`${name} reports have no cohort`, 'cohort');
  if (typeof payload !== 'string') throw payloadError(`${name} payload must be a base64url string, got ${typeof payload}`, 'payload');
  const byteLength = Math.ceil(k / 8);
  const bytes = base64UrlDecode(payload, byteLength);
  const spare = byteLength * 8 - k;
  if (spare > 0 && bytes[byteLength - 1]! >> (8 - spare) !== 0) throw payloadError(`${name} payload has bits set beyond k = ${k}`, 'payload');
  return bytes;
}

/** Cell 0 and cell 1 + j for every set bit j of a packed report, +1 each: 1 + (set bits) cells. */
export function contributeBits(report: Uint8Array, cells: CellSink): void {
  cells.add(0, 1);
  for (let i = 0; i < report.length; i++) {
    let byte = report[i]!;
    while (byte !== 0) {
      const bit = 31 - Math.clz32(byte & -byte);
      cells.add(1 + i * 8 + bit, 1);
      byte &= byte - 1;
    }
  }
}

/** contributeBits into dense sums (the bulk path's odd-length and small-batch reports). */
function addBitsToSums(report: Uint8Array, sums: Float64Array): void {
  contributeBits(report, new DenseSums(sums));
}

/** Reports per chunk copied into 32-bit words for the bit-sliced counter (16 kB at k = 1024: stays in L1). */
const CHUNK_REPORTS = 128;
/** How far ahead reports are read while copying. */
const PREFETCH = 8;
/** Below this many reports, one set bit at a time is as fast. */
const SMALL_BATCH = 32;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The same sums as addBitsToSums over every report, counted 32 positions at a time: the reports
 * are copied, a chunk at a time, into 32-bit words (bit j → bit j mod 32 of word ⌊j/32⌋, the
 * packed little-endian layout read as words) and added by the bit-sliced BitCounter; a report of
 * another length than the first is added alone. Exact: integer counts, flushed into the Float64
 * sums (exact up to 2^53).
 */
export function addBitReportsToSums(reports: readonly Uint8Array[], sums: Float64Array): void {
  if (reports.length < SMALL_BATCH) {
    for (const report of reports) addBitsToSums(report, sums);
    return;
  }
  const byteLength = reports[0]!.length;
  const wordsPerReport = Math.ceil(byteLength / 4);
  if (wordsPerReport === 0) {
    sums[0]! += reports.length;
    return;
  }
  const chunk = new Uint32Array(CHUNK_REPORTS * wordsPerReport);
  const chunkBytes = new Uint8Array(chunk.buffer);
  const counter = new BitCounter(wordsPerReport * 32);
  let filled = 0;
  let touched = 0;
  for (let i = 0; i < reports.length; i++) {
    // Read a report a few places ahead so that its bytes are on their way to the cache when it is
    // copied (reports are separate allocations: each copy otherwise waits on memory).
    const ahead = reports[i + PREFETCH];
    if (ahead !== undefined && ahead.length > 0) touched ^= ahead[0]! ^ ahead[ahead.length - 1]!;
    const report = reports[i]!;
    if (report.length !== byteLength) {
      addBitsToSums(report, sums);
      continue;
    }
    chunkBytes.set(report, filled * wordsPerReport * 4); // the rest of each slot stays 0
    if (++filled === CHUNK_REPORTS) {
      addChunk(counter, chunk, filled);
      filled = 0;
    }
  }
  if (filled > 0) addChunk(counter, chunk, filled);
  if (touched === -1) sums[0]! += 0; // keeps the reads ahead from being optimized away
  sums[0]! += counter.count;
  counter.addCountsTo(sums, 1); // positions past the sums (padding bits, always 0 in decoded reports) are left out
}

function addChunk(counter: BitCounter, chunk: Uint32Array, reports: number): void {
  // Big-endian platforms read the bytes of a word the other way round: swap to the little-endian value.
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < reports * counter.words; i++) {
      const w = chunk[i]!;
      chunk[i] = (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
    }
  }
  counter.addPacked(chunk, reports);
}

/** Worst ratio T1(2^32 − T0) / (T0(2^32 − T1)), rounded up to a double. */
export function unaryWorstRatio(trueBit: number, otherBit: number): number {
  return ratioRoundedUp(trueBit, THRESHOLD_ONE - otherBit, otherBit, THRESHOLD_ONE - trueBit);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Character code → 6-bit value (−1 outside the alphabet); built on first decode, so encode-only bundles drop it. */
let decodeTable: Int8Array | undefined;
function decodeTableOf(): Int8Array {
  if (decodeTable === undefined) {
    decodeTable = new Int8Array(128).fill(-1);
    for (let i = 0; i < ALPHABET.length; i++) decodeTable[ALPHABET.charCodeAt(i)] = i;
  }
  return decodeTable;
}

/** RFC 4648 §5 base64url without '=' padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Strict, canonical decoding of exactly `byteLength` bytes; throws PAYLOAD_INVALID otherwise. */
export function base64UrlDecode(text: string, byteLength: number): Uint8Array {
  const expectedChars = Math.ceil((byteLength * 8) / 6);
  if (text.length !== expectedChars) throw payloadError(`payload must be ${expectedChars} base64url characters for ${byteLength} bytes, got ${text.length}`, 'payload');
  const out = new Uint8Array(byteLength);
  const table = decodeTableOf();
  let buffer = 0;
  let bufferedBits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) throw payloadError(`payload has a character outside the base64url alphabet at position ${i}`, 'payload');
    buffer = ((buffer << 6) | value) & 0xffff;
    bufferedBits += 6;
    if (bufferedBits >= 8) {
      bufferedBits -= 8;
      out[o++] = (buffer >> bufferedBits) & 0xff;
    }
  }
  if ((buffer & ((1 << bufferedBits) - 1)) !== 0) throw payloadError('payload is not canonical base64url (unused trailing bits set)', 'payload');
  return out;
}
