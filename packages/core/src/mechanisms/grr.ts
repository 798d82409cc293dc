/**
 * Generalized (k-ary) randomized response, a.k.a. direct encoding.
 * Source: Kairouz, Bonawitz, Ramage 2016 ("Discrete distribution estimation under LDP");
 * Wang, Blocki, Li, Jha 2017 §4.1 (USENIX Security), whose notation this file follows.
 *
 * Randomizer: report the true value v with probability p = e^ε / (e^ε + k − 1); otherwise report
 * one of the other k − 1 values uniformly, so each of them has q = 1 / (e^ε + k − 1).
 * Privacy: for any inputs v, v' and output y, Pr[y|v]/Pr[y|v'] ≤ p/q = e^ε.
 * Debias (pure protocol, support = {y}): f̂_v = (C_v/n − q)/(p − q).
 * Variance: Var[f̂_v] = q(1−q)/(n(p−q)²) + f_v(1−p−q)/(n(p−q)); for small f ≈ (e^ε+k−2)/(n(e^ε−1)²).
 * That is the respondents' variance; the population share's (the default) adds f_v(1−f_v)/n, i.e.
 * π(1−π)/(n(p−q)²) with π = q + f_v(p−q) (pure-protocol.ts, estimand.ts).
 *
 * Implemented exactly: p* = T/2^32 with T rounded down (thresholdAtMost), and the "other" value is
 * drawn uniformly by rejection, so q* = (1 − p*)/(k − 1) and the worst ratio
 * p* ÷ q* = T(k−1)/(2^32 − T) ≤ e^ε. Preconditions: k ≥ 2, ε > 0 and p* > q* at 2^-32 resolution.
 * Best when k − 2 < 3e^ε (Wang et al. 2017 §4.4); otherwise OUE/OLH have lower variance.
 * Sums: [n, C_0, …, C_{k−1}].
 *
 * `GrrRandomizer` is the device half; `GeneralizedRandomizedResponse` adds decoding and the estimator.
 */
import { inputError, parameterError } from '../errors.ts';
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../validate.ts';
import type { Estimand } from './estimand.ts';
import { decodeIndexPayload, pureProtocolEstimate, pureProtocolVariance } from './pure-protocol.ts';
import type { EncodedReport, FrequencyEstimate, FrequencyOracle, MechanismDescription, Randomizer, CellSink } from './types.ts';

export interface GrrOptions {
  k: number;
  epsilon: number;
}

/** The device half: thresholds, ε, the randomizer and its explanation. */
export class GrrRandomizer implements Randomizer<number, number> {
  readonly name = 'grr' as const;
  readonly k: number;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  /** Pr[report the true value] = keepThreshold / 2^32. */
  readonly keepThreshold: number;
  /** Implemented p* and q*. */
  readonly p: number;
  readonly q: number;

  constructor(options: GrrOptions) {
    this.k = checkDomainSize(options.k);
    this.epsilon = checkEpsilon(options.epsilon);
    const e = Math.exp(this.epsilon);
    this.keepThreshold = thresholdAtMost(e / (e + this.k - 1));
    this.p = this.keepThreshold / THRESHOLD_ONE;
    this.q = (1 - this.p) / (this.k - 1);
    if (!(this.p > this.q)) throw parameterError('epsilon', `too small for k = ${this.k}: the keep probability does not exceed the others' at 2^-32 resolution`);
    // p* ÷ q* = T(k−1)/(2^32−T): computed from the integers to keep the ratio honest.
    this.implementedEpsilon = implementedEpsilonOf(ratioRoundedUp(this.keepThreshold, this.k - 1, THRESHOLD_ONE - this.keepThreshold), this.epsilon);
  }

  randomize(value: number, rng: RandomSampler): number {
    checkValue(value, this.k);
    if (rng.bernoulli(this.keepThreshold)) return value;
    const other = rng.uniformInt(this.k - 1);
    return other >= value ? other + 1 : other;
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
      summary: `Your true answer is sent with probability ${this.p.toFixed(2)}; otherwise one of the other ${this.k - 1} answers, picked at random, is sent instead.`,
    };
  }
}

export class GeneralizedRandomizedResponse extends GrrRandomizer implements FrequencyOracle<number> {
  readonly sumsLength: number;
  readonly reportBits: number;

  constructor(options: GrrOptions) {
    super(options);
    this.sumsLength = this.k + 1;
    this.reportBits = Math.ceil(Math.log2(this.k));
  }

  decodeReport(encoded: EncodedReport): number {
    return decodeIndexPayload(encoded, this.k, 'grr');
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

export function checkValue(value: unknown, k: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= k) {
    throw inputError(`answer must be an integer index in [0, ${k}), got ${String(value)}`);
  }
}
