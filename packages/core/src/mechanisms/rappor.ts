/**
 * RAPPOR: Erlingsson, Pihur, Korolova, CCS 2014. A string is hashed into a k-bit Bloom filter
 * (h hashes, salted by the device's cohort in [0, m)), each bit gets a permanent randomized
 * response (PRR) derived from the device secret, and each report sends a fresh instantaneous
 * randomized response (IRR) of the PRR.
 *
 * Parameter naming — Google's, used everywhere here, in params.csv and in the analysis:
 *   f = Pr[a PRR bit is replaced by a fair coin]  (PRR bit = 1 w.p. f/2, 0 w.p. f/2, Bloom bit w.p. 1−f)
 *   p = Pr[IRR bit = 1 | PRR bit = 0]
 *   q = Pr[IRR bit = 1 | PRR bit = 1]           (q > p, else the IRR carries no signal)
 * Beware: the paper and the SUE row of the mechanism table in docs/ use p for "keep" — not here.
 *
 * Privacy (Erlingsson et al. 2014, §4), with the implemented f′, p′, q′:
 *   ε∞ = 2h·ln((1 − f′/2)/(f′/2))    — whatever an observer learns from unlimited reports of one
 *                                      value (the PRR is fixed per Bloom value);
 *   ε₁ = h·ln(q₁(1 − p₁)/(p₁(1 − q₁))), q₁ = Pr[IRR 1 | Bloom 1] = q′(1 − f′/2) + p′·f′/2,
 *                                      p₁ = Pr[IRR 1 | Bloom 0] = p′(1 − f′/2) + q′·f′/2
 *                                    — one report. Sketch: two values' Bloom filters differ in at most
 *   2h bits; bits are independent given the Bloom filter (PRR coins are independent PRF outputs, IRR
 *   coins are fresh), each differing bit contributes at most q₁/p₁ (if it reports 1) or
 *   (1−p₁)/(1−q₁) (if it reports 0), and h of them go each way.
 * `implementedEpsilon` = ε₁ and `permanentEpsilon` = ε∞ of what is implemented: from the integer
 * thresholds, rounded up, with no min against anything (test/rappor-exactness.test.ts checks them in
 * BigInt arithmetic). `epsilon` = the same ε₁ formula in floating point on f, p, q as given —
 * informational: the exact ε₁ of the thresholds is ≤ the exact ε₁ of f, p, q (every rounding below
 * goes toward privacy), but the float figure is not a certified bound (it can be low in its last
 * digits, and relatively more when q − p is tiny); the ledger charges `implementedEpsilon`.
 *
 * Implemented thresholds: f′ = ceil(f·2^b)/2^b (b = 7 in google-py, as the reference; 15 in
 * hardened-v1), p′ = ceil(p·2^32)/2^32, q′ = floor(q·2^32)/2^32 — exact because a double times a
 * power of two is exact. Raising f and p and lowering q shrinks every likelihood ratio.
 *
 * IRR coins: k draws for the "p" coins (bit 0 first), then k draws for the "q" coins, each
 * `uint32 < threshold`; IRR_i = PRR_i ? qcoin_i : pcoin_i. That is the reference's
 * `irr = (p_bits & ~prr) | (q_bits & prr)` with p_gen called before q_gen, so a scripted source
 * replays the reference's unit test (test/rappor.test.ts).
 *
 * Wire: `{ cohort, payload }` where payload is the IRR as lowercase hex of the unsigned integer
 * Σ IRR_i·2^i, exactly ⌈k/4⌉ digits, zero-padded, bits ≥ k zero (k = 16 → "fbed" for 64493).
 *
 * Sums: [n, then for each cohort c = 0 … m−1: N_c, C_{c,0}, …, C_{c,k−1}], length 1 + m(k+1), where
 * N_c = reports from cohort c and C_{c,i} = how many of them had IRR bit i = 1. The per-cohort block
 * is exactly one row of Google's counts.csv (rappor-files.ts).
 *
 * Estimate: per cohort and bit, t̂ = (C − p₁N)/(q₁ − p₁) with (q₁ − p₁) = (1 − f′)(q′ − p′) —
 * Google's analysis/R/decode.R `EstimateBloomCounts` (rappor-estimate.ts); decoding to candidate
 * strings is rappor-decode.ts.
 *
 * `RapporRandomizer` is the device half (no estimator, no PRR from secret bytes); `Rappor` is the
 * full mechanism.
 */
import { lossUpperBound } from '../exact/epsilon.ts';
import { inputError, parameterError, payloadError } from '../errors.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkFiniteNumber, checkInteger } from '../validate.ts';
import {
  bloomBitIndices,
  bloomBits,
  fThresholdFor,
  GOOGLE_PY_F_BITS,
  GOOGLE_PY_MAX_BITS,
  GOOGLE_PY_MAX_HASHES,
  HARDENED_F_BITS,
  HARDENED_MAX_BITS,
  HARDENED_MAX_HASHES,
  permanentBits,
  type RapporEncoding,
  type RapporMode,
} from './rappor-bloom.ts';
import { estimateBloomCounts, type RapporBitEstimate, type RapporProbabilities } from './rappor-estimate.ts';
import type { EncodedReport, Mechanism, MechanismDescription, CellSink } from './types.ts';

export interface RapporOptions {
  /** Bloom filter bits. */
  k: number;
  /** Hash functions. */
  h: number;
  /** Cohorts. */
  m: number;
  /** Pr[PRR bit replaced by a fair coin], in (0, 1). */
  f: number;
  /** Pr[IRR 1 | PRR 0] (Google's p), in [0, 1]. */
  p: number;
  /** Pr[IRR 1 | PRR 1] (Google's q), in [0, 1], > p. */
  q: number;
  mode: RapporMode;
  /** Required in hardened-v1 (domain-separates the PRR); ignored in google-py. */
  metricId?: string;
}

export interface RapporInput {
  value: string;
  /** The device's cohort, in [0, m). */
  cohort: number;
  /** The device secret (HMAC key of the PRR). ≥ 1 byte in google-py, ≥ 16 bytes in hardened-v1. */
  secret: Uint8Array;
}

export interface RapporReport {
  cohort: number;
  /** IRR bits, 0/1, length k. */
  bits: Uint8Array;
}

export const RAPPOR_MAX_COHORTS = 4096;
export const HARDENED_MIN_SECRET_BYTES = 16;

/**
 * The device half: parameters, ε₁ and ε∞, the instantaneous response, the wire encoding and the
 * explanation. The Bloom filter (noble's SHA-256 in hardened-v1) and the permanent response from the
 * secret's bytes (noble's HMAC) are the full `Rappor`'s: the SDK's worker computes both with
 * WebCrypto from `encoding` (rappor-bloom.ts gives the messages), byte for byte the same.
 */
export class RapporRandomizer {
  readonly name = 'rappor' as const;
  readonly k: number;
  readonly h: number;
  readonly m: number;
  readonly mode: RapporMode;
  readonly metricId: string;
  /** Parameters as given. */
  readonly f: number;
  readonly p: number;
  readonly q: number;
  /** Integer thresholds: f′ = fThreshold/2^fBits, p′ = pThreshold/2^32, q′ = qThreshold/2^32. */
  readonly fThreshold: number;
  readonly fBits: number;
  readonly pThreshold: number;
  readonly qThreshold: number;
  /** Implemented probabilities (exact dyadic rationals). */
  readonly implemented: RapporProbabilities;
  /** ε₁ from the parameters as given, rounded up. */
  readonly epsilon: number;
  /** ε₁ of one report, from the integer thresholds, rounded up. */
  readonly implementedEpsilon: number;
  /** ε∞ of the permanent response, from the integer threshold of f, rounded up. */
  readonly permanentEpsilon: number;
  readonly sumsLength: number;
  /** What the Bloom and PRR stages of rappor-bloom.ts need (the SDK hashes with WebCrypto from it). */
  readonly encoding: RapporEncoding;

  constructor(options: RapporOptions) {
    if (typeof options !== 'object' || options === null) throw parameterError('options', 'must be an object');
    const mode = options.mode;
    if (mode !== 'google-py' && mode !== 'hardened-v1') throw parameterError('mode', `must be 'google-py' or 'hardened-v1', got ${String(mode)}`);
    this.mode = mode;
    const maxBits = mode === 'google-py' ? GOOGLE_PY_MAX_BITS : HARDENED_MAX_BITS;
    this.k = checkInteger(options.k, 'k', 1, maxBits);
    const maxHashes = Math.min(this.k, mode === 'google-py' ? GOOGLE_PY_MAX_HASHES : HARDENED_MAX_HASHES);
    this.h = checkInteger(options.h, 'h', 1, maxHashes);
    this.m = checkInteger(options.m, 'm', 1, RAPPOR_MAX_COHORTS);
    this.f = checkFiniteNumber(options.f, 'f');
    if (!(this.f > 0 && this.f < 1)) throw parameterError('f', `must be in (0, 1), got ${this.f}`);
    this.p = checkFiniteNumber(options.p, 'p');
    if (!(this.p >= 0 && this.p <= 1)) throw parameterError('p', `must be in [0, 1], got ${this.p}`);
    this.q = checkFiniteNumber(options.q, 'q');
    if (!(this.q >= 0 && this.q <= 1)) throw parameterError('q', `must be in [0, 1], got ${this.q}`);
    if (!(this.q > this.p)) throw parameterError('q', `must exceed p (q = Pr[IRR 1 | PRR 1], p = Pr[IRR 1 | PRR 0]), got p = ${this.p}, q = ${this.q}`);
    if (mode === 'hardened-v1') {
      if (typeof options.metricId !== 'string' || options.metricId.length === 0) throw parameterError('metricId', 'is required (a non-empty string) in hardened-v1 mode');
    } else if (options.metricId !== undefined && typeof options.metricId !== 'string') {
      throw parameterError('metricId', 'must be a string');
    }
    this.metricId = options.metricId ?? '';

    this.fBits = mode === 'google-py' ? GOOGLE_PY_F_BITS : HARDENED_F_BITS;
    this.fThreshold = fThresholdFor(this.f, this.fBits);
    // f is rounded up to the 2^-b grid (toward privacy); above 1 − 2^-b it becomes f′ = 1, a PRR of
    // pure coin flips: reports carry no information and the debias (÷ (1 − f′)) has no answer.
    if (this.fThreshold >= 2 ** this.fBits) {
      throw parameterError('f', `rounds up to 1 on the 2^-${this.fBits} grid of ${mode} (f ≤ ${1 - 2 ** -this.fBits} required), got ${this.f}: the permanent response would be pure noise`);
    }
    this.pThreshold = Math.ceil(this.p * THRESHOLD_ONE);
    this.qThreshold = Math.floor(this.q * THRESHOLD_ONE);
    if (!(this.qThreshold > this.pThreshold)) throw parameterError('q', `q − p is below the 2^-32 resolution (p = ${this.p}, q = ${this.q})`);
    this.implemented = {
      f: this.fThreshold / 2 ** this.fBits,
      p: this.pThreshold / THRESHOLD_ONE,
      q: this.qThreshold / THRESHOLD_ONE,
    };
    this.encoding = { mode, k: this.k, h: this.h, fThreshold: this.fThreshold, fBits: this.fBits, metricId: this.metricId };
    this.epsilon = rapporOneReportEpsilon({ f: this.f, p: this.p, q: this.q }, this.h);
    // What is implemented, from the integers, with no min against `epsilon`: a rounding that went
    // the wrong way must show, not be hidden (test/rappor-exactness.test.ts checks both exactly).
    const implementedLoss = implementedRapporLoss(this.fThreshold, this.fBits, this.pThreshold, this.qThreshold);
    this.implementedEpsilon = roundUp(this.h * implementedLoss.perBit);
    this.permanentEpsilon = roundUp(2 * this.h * implementedLoss.permanentPerBit);
    this.sumsLength = 1 + this.m * (this.k + 1);
  }

  /** Step 3: a fresh instantaneous randomized response: k "p" coins, then k "q" coins. */
  instantaneousResponse(prrBits: Uint8Array, rng: RandomSampler): Uint8Array {
    this.checkBits(prrBits, 'prrBits', inputError);
    const k = this.k;
    const pCoins = new Uint8Array(k);
    for (let i = 0; i < k; i++) pCoins[i] = rng.bernoulli(this.pThreshold) ? 1 : 0;
    const irr = new Uint8Array(k);
    for (let i = 0; i < k; i++) {
      const qCoin = rng.bernoulli(this.qThreshold) ? 1 : 0;
      irr[i] = prrBits[i] ? qCoin : pCoins[i]!;
    }
    return irr;
  }

  encodeReport(report: RapporReport): EncodedReport {
    return { payload: bitsToHex(report.bits), cohort: report.cohort };
  }

  describe(): MechanismDescription {
    const truth = 1 - this.implemented.f / 2;
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: truth,
      summary: `Your answer is turned into ${this.k} bits; each bit of your permanent answer is kept with probability ${truth.toFixed(2)} and set at random otherwise, and every report re-randomizes each bit again (a 1 is sent with probability ${this.implemented.q.toFixed(2)}, a 0 with probability ${(1 - this.implemented.p).toFixed(2)}).`,
    };
  }

  protected checkCohort(cohort: unknown, error: typeof inputError): asserts cohort is number {
    if (typeof cohort !== 'number' || !Number.isInteger(cohort) || cohort < 0 || cohort >= this.m) {
      throw error(`cohort must be an integer in [0, ${this.m}), got ${String(cohort)}`, 'cohort');
    }
  }

  protected checkBits(bits: unknown, name: string, error: typeof inputError): asserts bits is Uint8Array {
    if (!(bits instanceof Uint8Array) || bits.length !== this.k) throw error(`${name} must be a Uint8Array of length ${this.k}`, name);
    for (const bit of bits) if (bit > 1) throw error(`${name} must hold only 0 and 1`, name);
  }
}

export class Rappor extends RapporRandomizer implements Mechanism<RapporInput, RapporReport, RapporBitEstimate> {
  /** The params.csv row (rappor-files.ts) with the implemented f′, p′, q′. */
  paramsRow(): { k: number; h: number; m: number; p: number; q: number; f: number } {
    return { k: this.k, h: this.h, m: this.m, p: this.implemented.p, q: this.implemented.q, f: this.implemented.f };
  }

  /** Step 1: the Bloom filter bits of `value` in `cohort`. Deterministic; the SDK may memoize. */
  bloom(value: string, cohort: number): Uint8Array {
    if (typeof value !== 'string') throw inputError(`value must be a string, got ${typeof value}`, 'value');
    this.checkCohort(cohort, inputError);
    return bloomBits(this.encoding, value, cohort);
  }

  /** Bloom bit positions of hash 0 … h−1 (with repeats), for building the candidate map. */
  bloomIndices(value: string, cohort: number): number[] {
    if (typeof value !== 'string') throw inputError(`value must be a string, got ${typeof value}`, 'value');
    this.checkCohort(cohort, inputError);
    return bloomBitIndices(this.encoding, value, cohort);
  }

  /** Step 2: the permanent randomized response of a Bloom filter. Deterministic in (secret, bloom). */
  permanentResponse(bloomBits: Uint8Array, secret: Uint8Array): Uint8Array {
    this.checkBits(bloomBits, 'bloomBits', inputError);
    this.checkSecret(secret);
    return permanentBits(this.encoding, bloomBits, secret);
  }

  randomize(input: RapporInput, rng: RandomSampler): RapporReport {
    if (typeof input !== 'object' || input === null) throw inputError('RAPPOR input must be { value, cohort, secret }');
    const bloom = this.bloom(input.value, input.cohort);
    const prr = this.permanentResponse(bloom, input.secret);
    return { cohort: input.cohort, bits: this.instantaneousResponse(prr, rng) };
  }

  decodeReport(encoded: EncodedReport): RapporReport {
    const { payload, cohort } = encoded;
    if (cohort === undefined) throw payloadError('rappor reports need a cohort', 'cohort');
    this.checkCohort(cohort, payloadError);
    const digits = Math.ceil(this.k / 4);
    if (typeof payload !== 'string' || payload.length !== digits || !/^[0-9a-f]*$/.test(payload)) {
      throw payloadError(`rappor payload must be ${digits} lowercase hex digits, got ${JSON.stringify(payload)}`, 'payload');
    }
    const bits = hexToBits(payload, this.k);
    if (bits === undefined) throw payloadError(`rappor payload sets bits at or above k = ${this.k}`, 'payload');
    return { cohort, bits };
  }

  /** The report count, the cohort's count and its set bits: 2 + (set bits) cells of the m·(k + 1) + 1. */
  contribute(report: RapporReport, cells: CellSink): void {
    const base = 1 + report.cohort * (this.k + 1);
    cells.add(0, 1);
    cells.add(base, 1);
    for (let i = 0; i < this.k; i++) if (report.bits[i]) cells.add(base + 1 + i, 1);
  }

  estimate(sums: ArrayLike<number>): RapporBitEstimate {
    return estimateBloomCounts({ k: this.k, m: this.m, ...this.implemented }, sums);
  }

  private checkSecret(secret: unknown): asserts secret is Uint8Array {
    const min = this.mode === 'google-py' ? 1 : HARDENED_MIN_SECRET_BYTES;
    if (!(secret instanceof Uint8Array) || secret.length < min) throw inputError(`secret must be a Uint8Array of at least ${min} bytes`, 'secret');
  }
}

/** Per-bit likelihoods of one report: q₁ = Pr[IRR 1 | Bloom 1], p₁ = Pr[IRR 1 | Bloom 0]. */
export function rapporReportProbabilities({ f, p, q }: RapporProbabilities): { p1: number; q1: number } {
  return { q1: q * (1 - f / 2) + p * (f / 2), p1: p * (1 - f / 2) + q * (f / 2) };
}

/** ε₁ = h·ln(q₁(1−p₁)/(p₁(1−q₁))), rounded up (Erlingsson et al. 2014, §4). */
export function rapporOneReportEpsilon(probabilities: RapporProbabilities, h: number): number {
  const { p1, q1 } = rapporReportProbabilities(probabilities);
  return roundUp(h * Math.log((q1 * (1 - p1)) / (p1 * (1 - q1))));
}

/** ε∞ = 2h·ln((1 − f/2)/(f/2)), rounded up (Erlingsson et al. 2014, §4). */
export function rapporPermanentEpsilon(f: number, h: number): number {
  return roundUp(2 * h * Math.log((1 - f / 2) / (f / 2)));
}

/**
 * ln of the per-bit ratios of the implemented thresholds f′ = F/2^b, p′ = P/2^32, q′ = Q/2^32, each
 * an upper bound. With S = 2^(b+1) and D = S·2^32, p₁ = (P(S − F) + QF)/D and q₁ = (Q(S − F) + PF)/D
 * have integer numerators ≤ D ≤ 2^48, so q₁(1 − p₁)/(p₁(1 − q₁)) and (1 − f′/2)/(f′/2) come from
 * exact integers and ratioRoundedUp bounds them from above. (The float formula of
 * rapporOneReportEpsilon loses most of its relative precision when q₁ − p₁ is tiny.)
 */
function implementedRapporLoss(fThreshold: number, fBits: number, pThreshold: number, qThreshold: number): { perBit: number; permanentPerBit: number } {
  const s = 2 ** (fBits + 1);
  const d = s * THRESHOLD_ONE;
  const p1 = pThreshold * (s - fThreshold) + qThreshold * fThreshold;
  const q1 = qThreshold * (s - fThreshold) + pThreshold * fThreshold;
  return { perBit: Math.log(ratioRoundedUp(q1, d - p1, p1, d - q1)), permanentPerBit: Math.log(ratioRoundedUp(s - fThreshold, 1, fThreshold)) };
}

/** Rounds a computed loss up past any floating-point error of log and the products (≪ 1e-12). */
function roundUp(loss: number): number {
  return Math.max(0, lossUpperBound(loss));
}

/** IRR bits → lowercase hex of Σ bit_i·2^i, ⌈k/4⌉ digits (most significant digit first). */
export function bitsToHex(bits: Uint8Array): string {
  const digits = Math.ceil(bits.length / 4);
  let out = '';
  for (let d = digits - 1; d >= 0; d--) {
    let nibble = 0;
    for (let j = 3; j >= 0; j--) nibble = nibble * 2 + (bits[4 * d + j] ?? 0);
    out += nibble.toString(16);
  }
  return out;
}

/** Inverse of bitsToHex; undefined if a bit ≥ k is set. `hex` must already be validated. */
export function hexToBits(hex: string, k: number): Uint8Array | undefined {
  const bits = new Uint8Array(k);
  const digits = hex.length;
  for (let d = 0; d < digits; d++) {
    const nibble = Number.parseInt(hex[digits - 1 - d]!, 16);
    for (let j = 0; j < 4; j++) {
      const bit = (nibble >> j) & 1;
      const index = 4 * d + j;
      if (index < k) bits[index] = bit;
      else if (bit) return undefined;
    }
  }
  return bits;
}
