/**
 * The longitudinal unary encodings L-SUE, L-OUE, L-OSUE and L-SOUE: a unary encoding at ε∞ as the
 * permanent level (one k-bit vector per answer), then every bit re-randomized on each report.
 * Source: Arcolezi, Couchot, Al Bouna, Xiao 2022 (§3; multi-freq-ldpy `long_freq_est/L_SUE.py`,
 * `L_OUE.py`, `L_OSUE.py`, `L_SOUE.py`); L-SUE is "basic one-time RAPPOR" (Erlingsson et al. 2014).
 *
 *   permanent      SUE (T1 + T0 = O) or OUE (T1 = O/2) at ε∞, as in sue.ts / oue.ts;
 *   instantaneous  per bit, Pr[1 | permanent bit 1] = A/O, Pr[1 | permanent bit 0] = B/O, with
 *                  symmetric (A = O − t, B = t: the "SUE" second round) or
 *                  optimized (A = O/2, B = t: the "OUE" second round).
 *   L-SUE = SUE + symmetric, L-OSUE = OUE + symmetric, L-OUE = OUE + optimized, L-SOUE = SUE + optimized.
 *
 * Chained per bit (bits stay independent): the true bit is 1 w.p. P = (T1·A + (O − T1)·B)/O²,
 * another bit w.p. Q = (T0·A + (O − T0)·B)/O². One report is a unary encoding with (P, Q): inputs
 * v ≠ v' differ in bits v and v' only, so the worst ratio is P(O² − Q)/(Q(O² − P)) (unary-encoding.ts),
 * computed in BigInt; t is the SMALLEST integer (least noise) for which it is ≤ e^ε₁ (two-level.ts).
 * Estimation: the pure protocol with (P, Q), population or respondents (pure-protocol.ts), exact for
 * one report per device (the day cell). D = k (one permanent vector per answer).
 * Instantaneous level alone: two permanent vectors may differ in all k bits, so ε_inst = k·ln(A(O−B)/(B(O−A))).
 * Wire and sums: unary-encoding.ts's (k bits, base64url; sums [n, C_0, …, C_{k−1}]).
 */
import { inputError, parameterError } from '../../errors.ts';
import type { Rational } from '../../exact/rational.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../../validate.ts';
import { implementedEpsilonOf } from '../../exact/epsilon.ts';
import { oueThresholds } from '../oue.ts';
import type { Estimand } from '../estimand.ts';
import { pureProtocolEstimate, pureProtocolVariance } from '../pure-protocol.ts';
import { sueThresholds } from '../sue.ts';
import type { EncodedReport, FrequencyEstimate, MechanismDescription, CellSink } from '../types.ts';
import { addBitReportsToSums, base64UrlEncode, contributeBits, decodeUnaryBits } from '../unary-encoding.ts';
import { checkLevels, exactlyWithin, smallestWith, worseDirection, type TwoLevelRandomizer } from './two-level.ts';
import type { LongitudinalOptions } from './l-grr.ts';

export type LueName = 'l-sue' | 'l-oue' | 'l-osue' | 'l-soue';

const FIRST_ROUND: Record<LueName, 'sue' | 'oue'> = { 'l-sue': 'sue', 'l-oue': 'oue', 'l-osue': 'oue', 'l-soue': 'sue' };
const SECOND_ROUND: Record<LueName, 'symmetric' | 'optimized'> = { 'l-sue': 'symmetric', 'l-oue': 'optimized', 'l-osue': 'symmetric', 'l-soue': 'optimized' };

const O = BigInt(THRESHOLD_ONE);
const HALF = THRESHOLD_ONE / 2;

/** Chained per-bit probabilities (over O²) for permanent thresholds (t1, t0) and instantaneous (a, b). */
export function lueChained(t1: number, t0: number, a: number, b: number): { p: Rational; q: Rational } {
  const [T1, T0, A, B] = [t1, t0, a, b].map(BigInt) as [bigint, bigint, bigint, bigint];
  const den = O * O;
  return { p: { num: T1 * A + (O - T1) * B, den }, q: { num: T0 * A + (O - T0) * B, den } };
}

/** P(1 − Q)/(Q(1 − P)) (or its inverse, whichever is larger), exactly. */
export function unaryChainedRatio(p: Rational, q: Rational): Rational {
  return worseDirection({ num: p.num * (q.den - q.num), den: q.num * (p.den - p.num) });
}

/** The device half of the four. */
export class LueRandomizer implements TwoLevelRandomizer<number, Uint8Array, Uint8Array> {
  readonly name: LueName;
  readonly longitudinal = true as const;
  readonly k: number;
  readonly epsilon: number;
  readonly epsilonPermanent: number;
  readonly implementedEpsilon: number;
  readonly permanentEpsilon: number;
  readonly instantaneousEpsilon: number;
  readonly permanentCount: number;
  readonly linkageBits = 0;
  readonly parameterKey: string;
  /** Permanent level: Pr[bit = 1] = trueBit/O for the answer's bit, otherBit/O for the others. */
  readonly trueBit: number;
  readonly otherBit: number;
  /** Instantaneous level: Pr[1 | 1] = keepOne/O, Pr[1 | 0] = flipZero/O. */
  readonly keepOne: number;
  readonly flipZero: number;
  readonly p: number;
  readonly q: number;
  readonly byteLength: number;

  constructor(name: LueName, options: LongitudinalOptions) {
    if (!(name in FIRST_ROUND)) throw parameterError('mechanism', `unknown unary encoding ${JSON.stringify(name)}`);
    this.name = name;
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options.epsilon);
    this.epsilonPermanent = checkEpsilon(options.epsilonPermanent, 'epsilonPermanent');
    checkLevels(this.epsilon, this.epsilonPermanent);
    const first = (FIRST_ROUND[name] === 'sue' ? sueThresholds : oueThresholds)(this.epsilonPermanent);
    this.trueBit = first.trueBit;
    this.otherBit = first.otherBit;
    const second = (t: number): [number, number] => (SECOND_ROUND[name] === 'symmetric' ? [THRESHOLD_ONE - t, t] : [HALF, t]);
    const within = exactlyWithin(this.epsilon);
    const ratioAt = (t: number) => {
      const [a, b] = second(t);
      const { p, q } = lueChained(this.trueBit, this.otherBit, a, b);
      return unaryChainedRatio(p, q);
    };
    // t = O/2 makes both instantaneous probabilities 1/2: ratio 1. Less noise is below it.
    const t = smallestWith(1, HALF, (x) => within(ratioAt(x)));
    if (t === undefined || t >= HALF) throw parameterError('epsilon', `too small for ${name}: the chained report would carry no signal at 2^-32 resolution`);
    [this.keepOne, this.flipZero] = second(t);
    const { p, q } = lueChained(this.trueBit, this.otherBit, this.keepOne, this.flipZero);
    this.p = Number(p.num) / Number(p.den);
    this.q = Number(q.num) / Number(q.den);
    this.implementedEpsilon = implementedEpsilonOf(ratioAt(t), this.epsilon);
    const [T1, T0] = [BigInt(this.trueBit), BigInt(this.otherBit)];
    this.permanentEpsilon = implementedEpsilonOf(worseDirection({ num: T1 * (O - T0), den: T0 * (O - T1) }), this.epsilonPermanent);
    const [A, B] = [BigInt(this.keepOne), BigInt(this.flipZero)];
    this.instantaneousEpsilon = this.k * implementedEpsilonOf(worseDirection({ num: A * (O - B), den: B * (O - A) }), Infinity);
    this.permanentCount = this.k;
    this.byteLength = Math.ceil(this.k / 8);
    this.parameterKey = `${name}/k=${this.k}/T1=${this.trueBit}/T0=${this.otherBit}`;
  }

  device(): null {
    return null;
  }

  slotOf(value: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    return value;
  }

  // k independent bits per level, one 32-bit draw each (the count of draws never depends on the answer).
  permanent(slot: number, rng: RandomSampler): Uint8Array {
    const { k, trueBit, otherBit } = this;
    const bits = new Uint8Array(this.byteLength);
    for (let j = 0; j < k; j++) if (rng.uint32() < (j === slot ? trueBit : otherBit)) bits[j >> 3]! |= 1 << (j & 7);
    return bits;
  }

  instantaneous(permanent: Uint8Array, _device: null, rng: RandomSampler): Uint8Array {
    const { k, keepOne, flipZero } = this;
    const bits = new Uint8Array(this.byteLength);
    for (let j = 0; j < k; j++) if (rng.uint32() < ((permanent[j >> 3]! >> (j & 7)) & 1 ? keepOne : flipZero)) bits[j >> 3]! |= 1 << (j & 7);
    return bits;
  }

  randomize(value: number, rng: RandomSampler): Uint8Array {
    return this.instantaneous(this.permanent(this.slotOf(value), rng), null, rng);
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
        `Your answer is sent as ${this.k} yes/no flags. Each answer gets a fixed noisy set of flags the first time you give it, and every report adds fresh noise to each flag: ` +
        `the flag of your true answer says "yes" with probability ${this.p.toFixed(2)}, every other flag with probability ${this.q.toFixed(2)}.`,
    };
  }
}

export class LongitudinalUnaryEncoding extends LueRandomizer {
  readonly sumsLength: number;
  readonly reportBits: number;

  constructor(name: LueName, options: LongitudinalOptions) {
    super(name, options);
    this.sumsLength = this.k + 1;
    this.reportBits = this.k;
  }

  decodeReport(encoded: EncodedReport): Uint8Array {
    return decodeUnaryBits(encoded, this.k, this.name);
  }

  contribute(report: Uint8Array, cells: CellSink): void {
    contributeBits(report, cells);
  }

  /** The one-level unary encodings' bulk count (unary-encoding.ts): the wire layout is the same. */
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
