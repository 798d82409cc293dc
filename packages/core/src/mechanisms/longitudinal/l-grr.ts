/**
 * Longitudinal GRR (L-GRR): GRR at ε∞ as the permanent level, GRR again as the instantaneous level.
 * Source: Arcolezi, Couchot, Al Bouna, Xiao 2022 (L-GRR, §3; multi-freq-ldpy `long_freq_est/L_GRR.py`
 * is a reference implementation); GRR itself: Wang, Blocki, Li, Jha, USENIX Security 2017 §4.1.
 *
 * Levels, as integer thresholds over O = 2^32 (K = k − 1; "other" values drawn uniformly by rejection):
 *   permanent      keep the true value w.p. T1/O, else one of the other K uniformly;  ε∞ = ln(T1·K/(O − T1))
 *   instantaneous  keep the permanent value w.p. T2/O, else one of the other K;       ε_inst = ln(T2·K/(O − T2))
 * Chained (one report): Pr[y = v | v] = P, Pr[y = u | v] = Q for every u ≠ v, with
 *   P·O²K² = K·(T1·T2·K + (O − T1)(O − T2))
 *   Q·O²K² = K·(T1(O − T2) + (O − T1)T2) + (k − 2)(O − T1)(O − T2)
 * so one report is GRR with (P, Q): ε₁ = ln(P/Q), computed from these integers in BigInt. T1 is
 * GRR's threshold at ε∞ (rounded down: grr.ts); T2 is the LARGEST integer whose chained ratio is
 * ≤ e^ε₁ exactly (the least noise the ε₁ asked for allows), found by bisection (two-level.ts) —
 * not from the closed form of Arcolezi et al., whose float value would need its own rounding proof.
 * Estimation: a pure protocol with (P, Q) (pure-protocol.ts): f̂_v = (C_v/n − Q)/(P − Q), variance
 * Q(1−Q)/(n(P−Q)²) + f(1−P−Q)/(n(P−Q)), exact for one report per device (the day cell), for the
 * respondents; the population share's adds f(1−f)/n (both levels are drawn per device, so a
 * sampled device's report is y = v with probability Q + f(P − Q), independently of the others).
 * Longitudinal: D = k slots (one permanent response per answer); see two-level.ts for what D·ε∞ bounds.
 * Wire and sums: GRR's (payload = the reported index; sums [n, C_0, …, C_{k−1}]).
 */
import { inputError, parameterError } from '../../errors.ts';
import { thresholdAtMost } from '../../exact/thresholds.ts';
import { type Rational } from '../../exact/rational.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../../validate.ts';
import { implementedEpsilonOf } from '../../exact/epsilon.ts';
import type { Estimand } from '../estimand.ts';
import { decodeIndexPayload, pureProtocolEstimate, pureProtocolVariance } from '../pure-protocol.ts';
import type { EncodedReport, FrequencyEstimate, MechanismDescription, CellSink } from '../types.ts';
import { checkLevels, exactlyWithin, largestWith, worseDirection, type TwoLevelRandomizer } from './two-level.ts';

export interface LongitudinalOptions {
  k: number;
  /** ε₁: one report. */
  epsilon: number;
  /** ε∞: everything ever sent about one answer (slot). */
  epsilonPermanent: number;
}

const O = BigInt(THRESHOLD_ONE);

/** Chained GRR probabilities of L-GRR as exact rationals over O²K². */
export function lgrrChained(k: number, t1: number, t2: number): { keep: Rational; other: Rational } {
  const K = BigInt(k - 1);
  const a = BigInt(t1);
  const b = BigInt(t2);
  const den = O * O * K * K;
  return {
    keep: { num: K * (a * b * K + (O - a) * (O - b)), den },
    other: { num: K * (a * (O - b) + (O - a) * b) + BigInt(k - 2) * (O - a) * (O - b), den },
  };
}

export interface LgrrLevels {
  permanentKeep: number;
  instantKeep: number;
  /** Chained p* and q* as doubles (for the estimator). */
  p: number;
  q: number;
  implementedEpsilon: number;
  permanentEpsilon: number;
  instantaneousEpsilon: number;
}

/** Integer thresholds of both levels over a domain of `k` values (LOLOHA uses it over [g]). */
export function lgrrLevels(k: number, epsilon: number, epsilonPermanent: number): LgrrLevels {
  checkLevels(epsilon, epsilonPermanent);
  const e = Math.exp(epsilonPermanent);
  const permanentKeep = thresholdAtMost(e / (e + k - 1));
  if (!(permanentKeep * (k - 1) > THRESHOLD_ONE - permanentKeep)) throw parameterError('epsilonPermanent', `too small for k = ${k} at 2^-32 resolution`);
  const within = exactlyWithin(epsilon);
  const chainedRatio = (t2: number): Rational => {
    const { keep, other } = lgrrChained(k, permanentKeep, t2);
    return worseDirection({ num: keep.num, den: other.num });
  };
  // Uniform instantaneous level (T2·k = O) makes P = Q: ratio 1. Search above it.
  const uniform = Math.ceil(THRESHOLD_ONE / k);
  const instantKeep = largestWith(uniform, THRESHOLD_ONE - 1, (t2) => within(chainedRatio(t2)));
  if (instantKeep === undefined || instantKeep * k <= THRESHOLD_ONE) throw parameterError('epsilon', `too small for k = ${k}: the chained report would carry no signal at 2^-32 resolution`);
  const { keep, other } = lgrrChained(k, permanentKeep, instantKeep);
  const p = Number(keep.num) / Number(keep.den);
  const q = Number(other.num) / Number(other.den);
  if (!(p > q)) throw parameterError('epsilon', `too small for k = ${k}`);
  const K = BigInt(k - 1);
  return {
    permanentKeep,
    instantKeep,
    p,
    q,
    implementedEpsilon: implementedEpsilonOf(chainedRatio(instantKeep), epsilon),
    permanentEpsilon: implementedEpsilonOf({ num: BigInt(permanentKeep) * K, den: O - BigInt(permanentKeep) }, epsilonPermanent),
    // Not capped by a request: nobody asks for it; it is what it is.
    instantaneousEpsilon: implementedEpsilonOf({ num: BigInt(instantKeep) * K, den: O - BigInt(instantKeep) }, Infinity),
  };
}

/** GRR over [k] with keep threshold `keep`: the one sampling step both levels use. */
export function grrStep(value: number, k: number, keep: number, rng: RandomSampler): number {
  if (rng.bernoulli(keep)) return value;
  const other = rng.uniformInt(k - 1);
  return other >= value ? other + 1 : other;
}

/** The device half. */
export class LgrrRandomizer implements TwoLevelRandomizer<number, number, number> {
  readonly name = 'l-grr' as const;
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
  readonly permanentKeep: number;
  readonly instantKeep: number;
  /** Chained p*, q* of one report. */
  readonly p: number;
  readonly q: number;

  constructor(options: LongitudinalOptions) {
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options.epsilon);
    this.epsilonPermanent = checkEpsilon(options.epsilonPermanent, 'epsilonPermanent');
    const levels = lgrrLevels(this.k, this.epsilon, this.epsilonPermanent);
    this.permanentKeep = levels.permanentKeep;
    this.instantKeep = levels.instantKeep;
    this.p = levels.p;
    this.q = levels.q;
    this.implementedEpsilon = levels.implementedEpsilon;
    this.permanentEpsilon = levels.permanentEpsilon;
    this.instantaneousEpsilon = levels.instantaneousEpsilon;
    this.permanentCount = this.k;
    this.parameterKey = `l-grr/k=${this.k}/T1=${this.permanentKeep}`;
  }

  device(): null {
    return null;
  }

  slotOf(value: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    return value;
  }

  permanent(slot: number, rng: RandomSampler): number {
    return grrStep(slot, this.k, this.permanentKeep, rng);
  }

  instantaneous(permanent: number, _device: null, rng: RandomSampler): number {
    return grrStep(permanent, this.k, this.instantKeep, rng);
  }

  randomize(value: number, rng: RandomSampler): number {
    return this.instantaneous(this.permanent(this.slotOf(value), rng), null, rng);
  }

  encodeReport(report: number): EncodedReport {
    return { payload: report };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.p,
      summary:
        `Each answer gets a fixed stand-in the first time you give it (your true answer with probability ${(this.permanentKeep / THRESHOLD_ONE).toFixed(2)}, otherwise another one); ` +
        `every report then sends that stand-in or, with probability ${(1 - this.instantKeep / THRESHOLD_ONE).toFixed(2)}, another answer picked at random. ` +
        `One report shows your true answer with probability ${this.p.toFixed(2)}.`,
    };
  }
}

export class LongitudinalGrr extends LgrrRandomizer {
  readonly sumsLength: number;
  readonly reportBits: number;

  constructor(options: LongitudinalOptions) {
    super(options);
    this.sumsLength = this.k + 1;
    this.reportBits = Math.ceil(Math.log2(this.k));
  }

  decodeReport(encoded: EncodedReport): number {
    return decodeIndexPayload(encoded, this.k, 'l-grr');
  }

  contribute(report: number, cells: CellSink): void {
    cells.add(0, 1);
    cells.add(1 + report, 1);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    return pureProtocolEstimate(sums, this.k, this.p, this.q, estimand);
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}
