/**
 * LOLOHA — longitudinal local hashing, for answers that change over time.
 * Source: Arcolezi, Pinzón, Palamidessi, Gambs, "Frequency estimation of evolving data under local
 * differential privacy", EDBT 2023 (LOLOHA: a local hash fixed per device, then L-GRR over the g
 * hashed values with the permanent response memoized per hashed value).
 *
 * Device: draws ONE hash h_a from the family below, once (the SDK derives it from the device secret
 * and the question's parameters). An answer v uses slot h_a(v) ∈ [g]; the permanent level is GRR
 * over [g] at ε∞ of the slot, the instantaneous level GRR over [g] again — exactly L-GRR over [g]
 * (l-grr.ts: thresholds, chained (P, Q) and ε₁ in BigInt). Report: (a, y).
 * Longitudinal: D = g slots whatever the domain size, so the permanent responses of all answers a
 * patient ever gives, however often they change, are at most g — the paper's g·ε∞ (see
 * two-level.ts for the relation this bounds and the change pattern it does not).
 *
 * Hash family (instead of the paper's xxhash with a random seed): g is prime; write v and a in
 * base g with m = ⌈log_g k⌉ digits and let h_a(v) = Σ_i a_i·v_i mod g. For v ≠ v' the digit
 * vectors differ somewhere, so over a uniform a, Pr[h_a(v) = h_a(v')] = 1/g EXACTLY (a non-zero
 * linear form over GF(g) is uniform). That is what makes the estimator unbiased with q* = 1/g:
 * a device whose answer u ≠ v supports v (y = h_a(v)) with probability P/g + (1 − 1/g)·Q = 1/g,
 * since P + (g − 1)Q = 1. Estimation: pure protocol with (P, 1/g), variance (population or
 * respondents, one report per device) as pure-protocol.ts.
 * Linkage: a is the same on every report of a device: log2(g^m) = m·log2(g) bits (≈ log2 k;
 * e.g. 3.17 bits for k = 9, g = 3), stated per question in `linkageBits`; a batch of
 * several LOLOHA questions carries the sum (their hashes are independent).
 * Wire: payload [a, y], integers; sums [n, C_0, …, C_{k−1}] with C_v = #{reports with y = h_a(v)}.
 */
import { inputError, parameterError, payloadError } from '../../errors.ts';
import type { RandomSampler } from '../../random/sampler.ts';
import { checkDomainSize, checkEpsilon, checkInteger } from '../../validate.ts';
import type { Estimand } from '../estimand.ts';
import { pureProtocolEstimate, pureProtocolVariance } from '../pure-protocol.ts';
import type { EncodedReport, FrequencyEstimate, MechanismDescription, CellSink } from '../types.ts';
import { grrStep, lgrrLevels, type LgrrLevels, type LongitudinalOptions } from './l-grr.ts';
import { checkLevels, type TwoLevelRandomizer } from './two-level.ts';

/** Primes `auto` chooses g from (g above the domain size buys nothing). */
export const LOLOHA_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31] as const;

export interface LolohaOptions extends LongitudinalOptions {
  /** g, a prime ≤ 31; default: the one of least variance (ties: the smaller, which loses less over a lifetime). */
  g?: number;
}

export interface LolohaReport {
  hash: number;
  value: number;
}

/** The variance-minimizing prime g for (k, ε₁, ε∞), with its levels. */
export function lolohaBestG(k: number, epsilon: number, epsilonPermanent: number): { g: number; levels: LgrrLevels } {
  let best: { g: number; levels: LgrrLevels; unitVariance: number } | undefined;
  for (const g of LOLOHA_PRIMES) {
    if (g > Math.max(2, k)) break;
    let levels: LgrrLevels;
    try {
      levels = lgrrLevels(g, epsilon, epsilonPermanent);
    } catch {
      continue;
    }
    const unitVariance = pureProtocolVariance(1, 0, levels.p, 1 / g);
    if (best === undefined || unitVariance < best.unitVariance * (1 - 1e-9)) best = { g, levels, unitVariance };
  }
  if (best === undefined) throw parameterError('epsilon', `too small for LOLOHA over k = ${k}`);
  return best;
}

export class LolohaRandomizer implements TwoLevelRandomizer<number, number, LolohaReport, number> {
  readonly name = 'loloha' as const;
  readonly longitudinal = true as const;
  readonly k: number;
  readonly g: number;
  /** Digits m of the hash index (base g). */
  readonly digits: number;
  /** g^m: hash indices are [0, hashCount). */
  readonly hashCount: number;
  readonly epsilon: number;
  readonly epsilonPermanent: number;
  readonly implementedEpsilon: number;
  readonly permanentEpsilon: number;
  readonly instantaneousEpsilon: number;
  readonly permanentCount: number;
  readonly linkageBits: number;
  readonly parameterKey: string;
  readonly permanentKeep: number;
  readonly instantKeep: number;
  readonly p: number;
  readonly q: number;

  constructor(options: LolohaOptions) {
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options.epsilon);
    this.epsilonPermanent = checkEpsilon(options.epsilonPermanent, 'epsilonPermanent');
    checkLevels(this.epsilon, this.epsilonPermanent);
    let levels: LgrrLevels;
    if (options.g === undefined) ({ g: this.g, levels } = lolohaBestG(this.k, this.epsilon, this.epsilonPermanent));
    else {
      this.g = checkInteger(options.g, 'g', 2, 31);
      if (!(LOLOHA_PRIMES as readonly number[]).includes(this.g)) throw parameterError('g', `must be a prime ≤ 31 (the hash family needs GF(g)), got ${this.g}`);
      levels = lgrrLevels(this.g, this.epsilon, this.epsilonPermanent);
    }
    this.digits = Math.max(1, Math.ceil(Math.log(this.k) / Math.log(this.g) - 1e-12));
    while (this.g ** this.digits < this.k) this.digits++;
    this.hashCount = this.g ** this.digits;
    this.permanentKeep = levels.permanentKeep;
    this.instantKeep = levels.instantKeep;
    this.p = levels.p;
    this.q = 1 / this.g;
    this.implementedEpsilon = levels.implementedEpsilon;
    this.permanentEpsilon = levels.permanentEpsilon;
    this.instantaneousEpsilon = levels.instantaneousEpsilon;
    this.permanentCount = this.g;
    this.linkageBits = this.digits * Math.log2(this.g);
    this.parameterKey = `loloha/k=${this.k}/g=${this.g}/T1=${this.permanentKeep}`;
  }

  /** The device's hash index, uniform over the family. */
  device(rng: RandomSampler): number {
    return rng.uniformInt(this.hashCount);
  }

  hash(hashIndex: number, value: number): number {
    const g = this.g;
    let sum = 0;
    for (let i = 0, a = hashIndex, v = value; i < this.digits; i++, a = Math.floor(a / g), v = Math.floor(v / g)) sum += (a % g) * (v % g);
    return sum % g;
  }

  slotOf(value: number, hashIndex: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    return this.hash(hashIndex, value);
  }

  permanent(slot: number, rng: RandomSampler): number {
    return grrStep(slot, this.g, this.permanentKeep, rng);
  }

  instantaneous(permanent: number, hashIndex: number, rng: RandomSampler): LolohaReport {
    return { hash: hashIndex, value: grrStep(permanent, this.g, this.instantKeep, rng) };
  }

  randomize(value: number, rng: RandomSampler): LolohaReport {
    const hashIndex = this.device(rng);
    return this.instantaneous(this.permanent(this.slotOf(value, hashIndex), rng), hashIndex, rng);
  }

  encodeReport(report: LolohaReport): EncodedReport {
    return { payload: [report.hash, report.value] };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.p,
      summary:
        `Your answer is first sorted into one of ${this.g} groups by a rule fixed on this device, so many answers share a group. ` +
        `Each group gets a fixed stand-in, and every report sends that stand-in or, at random, another group (the true group with probability ${this.p.toFixed(2)}).`,
    };
  }
}

export class Loloha extends LolohaRandomizer {
  readonly sumsLength: number;
  readonly reportBits: number;

  private readonly scratchA: Int32Array;
  private readonly scratchD: Int32Array;

  constructor(options: LolohaOptions) {
    super(options);
    this.sumsLength = this.k + 1;
    this.scratchA = new Int32Array(this.digits);
    this.scratchD = new Int32Array(this.digits);
    this.reportBits = Math.ceil(this.linkageBits) + Math.ceil(Math.log2(this.g));
  }

  decodeReport(encoded: EncodedReport): LolohaReport {
    const { payload } = encoded;
    if (encoded.cohort !== undefined) throw payloadError('loloha reports have no cohort', 'cohort');
    if (!Array.isArray(payload) || payload.length !== 2) throw payloadError('loloha payload must be [hash index, value]', 'payload');
    const [hash, value] = payload;
    if (typeof hash !== 'number' || !Number.isInteger(hash) || hash < 0 || hash >= this.hashCount) throw payloadError(`loloha hash index must be an integer in [0, ${this.hashCount})`, 'payload.0');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.g) throw payloadError(`loloha value must be an integer in [0, ${this.g})`, 'payload.1');
    return { hash, value };
  }

  /**
   * Adds the report's support: every v with h_a(v) = y. O(k) with a small constant: walking v up
   * like an odometer over its base-g digits, each digit that moves (carries included) adds its
   * coefficient a_i to h mod g — a digit wrapping from g − 1 to 0 changes a_i·d_i by −(g−1)·a_i ≡ a_i
   * (mod g) — so h_a(v) costs amortized O(1) per v instead of m multiplications (test: equal to
   * `hash` for every v).
   */
  contribute(report: LolohaReport, cells: CellSink): void {
    cells.add(0, 1);
    const { g, digits, k } = this;
    const a = this.scratchA;
    const d = this.scratchD;
    for (let i = 0, x = report.hash; i < digits; i++, x = Math.floor(x / g)) {
      a[i] = x % g;
      d[i] = 0;
    }
    const y = report.value;
    let h = 0;
    for (let v = 0; v < k; v++) {
      if (h === y) cells.add(1 + v, 1);
      for (let i = 0; i < digits; i++) {
        h += a[i]!;
        if (h >= g) h -= g;
        if (++d[i]! < g) break;
        d[i] = 0;
      }
    }
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    return pureProtocolEstimate(sums, this.k, this.p, this.q, estimand);
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}
