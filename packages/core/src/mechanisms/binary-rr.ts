/**
 * Binary randomized response (Warner 1965, "Randomized response: a survey technique for
 * eliminating evasive answer bias", JASA 60(309)).
 *
 * Randomizer: keep the true bit with probability p = e^ε/(e^ε+1), flip it with q = 1 − p.
 * Privacy: Pr[y|b]/Pr[y|b'] ≤ p/q = e^ε.
 * Debias: f̂_1 = (c/n − q)/(p − q) where c counts reported 1s; f̂_0 = 1 − f̂_1.
 * Variance: for a fixed set of n true answers the reported-1 count is a sum of independent
 * Bernoullis with variance n₁p(1−p) + n₀q(1−q) = n·p(1−p), so Var[f̂] = p(1−p)/(n(2p−1)²),
 * independent of f (the pure-protocol formula with p* + q* = 1 reduces to it) — the respondents'
 * variance. For the population share (the default, estimand.ts) every report is 1 independently
 * with π = q + f(2p − 1), so Var = π(1−π)/(n(2p−1)²) = p(1−p)/(n(2p−1)²) + f(1−f)/n, largest at
 * f = 1/2: 1/(4n(2p−1)²) (n = 1,000, ε = 2: ±4.07 points at 95%, against ±2.64 for the respondents).
 *
 * Implemented exactly: p* = T/2^32 with T rounded down, so p* ÷ (1−p*) = T/(2^32−T) ≤ e^ε.
 * Sums: [n, reported zeros, reported ones].
 *
 * `BinaryRrRandomizer` is the device half (parameters, ε, randomize, explanation);
 * `BinaryRandomizedResponse` adds decoding and the estimator.
 */
import { parameterError, payloadError } from '../errors.ts';
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkEpsilon } from '../validate.ts';
import { checkValue } from './grr.ts';
import type { Estimand } from './estimand.ts';
import { pureProtocolEstimate, pureProtocolVariance } from './pure-protocol.ts';
import type { EncodedReport, FrequencyEstimate, FrequencyOracle, MechanismDescription, Randomizer, CellSink } from './types.ts';

export interface BinaryRrOptions {
  epsilon: number;
}

/** The device half: thresholds, ε, the randomizer and its explanation. */
export class BinaryRrRandomizer implements Randomizer<number, 0 | 1> {
  readonly name = 'binary-rr' as const;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  readonly keepThreshold: number;
  readonly p: number;
  readonly q: number;

  constructor(options: BinaryRrOptions) {
    this.epsilon = checkEpsilon(options.epsilon);
    const e = Math.exp(this.epsilon);
    this.keepThreshold = thresholdAtMost(e / (e + 1));
    this.p = this.keepThreshold / THRESHOLD_ONE;
    this.q = 1 - this.p;
    if (!(this.p > this.q)) throw parameterError('epsilon', 'too small: keep probability is not above 1/2 at 2^-32 resolution');
    this.implementedEpsilon = implementedEpsilonOf(ratioRoundedUp(this.keepThreshold, 1, THRESHOLD_ONE - this.keepThreshold), this.epsilon);
  }

  /** `value` is 0 (no / false) or 1 (yes / true). */
  randomize(value: number, rng: RandomSampler): 0 | 1 {
    checkValue(value, 2);
    const keep = rng.bernoulli(this.keepThreshold);
    return (keep ? value : 1 - value) as 0 | 1;
  }

  encodeReport(report: 0 | 1): EncodedReport {
    return { payload: report };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.p,
      summary: `Your true answer is sent with probability ${this.p.toFixed(2)}; ${this.q.toFixed(2)} of the time the opposite answer is sent instead.`,
    };
  }
}

export class BinaryRandomizedResponse extends BinaryRrRandomizer implements FrequencyOracle<0 | 1> {
  readonly k = 2;
  readonly sumsLength = 3;
  readonly reportBits = 1;

  decodeReport(encoded: EncodedReport): 0 | 1 {
    if (encoded.payload !== 0 && encoded.payload !== 1) throw payloadError(`binary-rr payload must be 0 or 1, got ${JSON.stringify(encoded.payload)}`, 'payload');
    if (encoded.cohort !== undefined) throw payloadError('binary-rr reports have no cohort', 'cohort');
    return encoded.payload;
  }

  contribute(report: 0 | 1, cells: CellSink): void {
    cells.add(0, 1);
    cells.add(1 + report, 1);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    return pureProtocolEstimate(sums, 2, this.p, this.q, estimand);
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}
