/**
 * Hadamard response (HR).
 * Source: Acharya, Sun, Zhang, "Hadamard Response: Estimating Distributions Privately,
 * Efficiently, and with Little Communication", AISTATS 2019 (the basic scheme with blocks of size
 * one, §3: K = 2^⌈log2(k+1)⌉, sets from the rows of the Sylvester Hadamard matrix).
 *
 * Setup: K = the smallest power of two > k. The Sylvester Hadamard matrix has entries
 * H[r][j] = (−1)^{popcount(r & j)}. Input x ∈ [k] uses row r = x + 1 (row 0 is all +1 and would
 * carry no information) and its set C_x = {j ∈ [K] : H[x+1][j] = +1}, |C_x| = K/2.
 * Randomizer: with probability p = e^ε/(e^ε+1) output a uniform element of C_x, otherwise a
 * uniform element of its complement. Output y ∈ [K] takes log2 K bits.
 * Privacy: Pr[y|x] is 2p/K on C_x and 2(1−p)/K off it, so any ratio is ≤ p/(1−p) = e^ε.
 * Debias: rows of a Hadamard matrix are orthogonal, so for x ≠ u, |C_x ∩ C_u| = K/4: a holder of
 * u ≠ x lands in C_x with probability exactly 1/2, a holder of x with probability p. HR is thus a
 * pure protocol with support set C_x, p* = p and q* = 1/2, and the support count is
 *   S_x = Σ_{j ∈ C_x} c_j = (n + Σ_j H[x+1][j]·c_j)/2 = (n + W_{x+1})/2,
 * where W = FWHT(c) is the fast Walsh–Hadamard transform of the output histogram c (O(K log K)
 * for all x at once). f̂_x = (S_x/n − 1/2)/(p − 1/2) = W_{x+1}/(n(2p − 1)).
 * Variance: for fixed respondents S_x is a sum of independent Bernoullis, p for the n·f_x holders
 * and 1/2 for everyone else, so exactly
 *   Var[f̂_x] = [f_x·p(1−p) + (1−f_x)/4] / (n(p − 1/2)²) = 1/(4n(p − 1/2)²) − f_x/n
 *            = (e^ε+1)²/(n(e^ε−1)²) − f_x/n   for p = e^ε/(e^ε+1),
 * which is the pure-protocol formula with q* = 1/2 — the respondents' variance. For the population
 * share (the default, estimand.ts) a sampled respondent's report lands in C_x with probability
 * π = 1/2 + f_x(p − 1/2), so Var = π(1−π)/(n(p − 1/2)²) = the above + f_x(1 − f_x)/n.
 * This is what `variance(n, f, estimand)` returns (pureProtocolVariance(n, f, p*, 1/2, estimand)), verified empirically
 * in test/frequency-statistics.slow.test.ts. That is (e^ε+1)²/(4e^ε) times OLH's first-order variance (1.27× at ε = 1); HR's appeal is
 * log2 K bits per report and O(K log K) server work instead of O(nk).
 *
 * Sampling exactly: draw u uniform on [K]; if H[x+1][u] has the wrong sign, flip the lowest set
 * bit b of x+1 in u. That flips popcount((x+1) & u) by one, so it is a bijection between C_x and
 * its complement, and the result is uniform on the wanted half.
 * Implemented exactly: T = thresholdAtMost(p) (down), so the worst ratio T/(2^32 − T) ≤ e^ε;
 * implementedEpsilon = ln(T/(2^32 − T)) rounded up. Preconditions: k ≥ 2, 0 < ε ≤ 20.
 * Sums: [n, c_0, …, c_{K−1}] (output histogram).
 */
import { inputError, parameterError, payloadError } from '../errors.ts';
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../validate.ts';
import type { Estimand } from './estimand.ts';
import { pureProtocolVariance, clamp01 } from './pure-protocol.ts';
import { Z_95, type EncodedReport, type FrequencyEstimate, type FrequencyOracle, type MechanismDescription, type Randomizer, type CellSink } from './types.ts';

export interface HadamardOptions {
  k: number;
  epsilon: number;
}

/** The device half: K, the threshold, ε, the randomizer and its explanation. */
export class HadamardRandomizer implements Randomizer<number, number> {
  readonly name = 'hadamard' as const;
  readonly k: number;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  /** Output domain size: smallest power of two > k. */
  readonly K: number;
  /** Pr[output in C_x] = inSetThreshold / 2^32. */
  readonly inSetThreshold: number;
  /** Implemented p* (in-set probability) and q* = 1/2. */
  readonly p: number;
  readonly q = 0.5;

  constructor(options: HadamardOptions) {
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options?.epsilon);
    this.K = 2 ** Math.ceil(Math.log2(this.k + 1));
    if (this.K <= this.k) this.K *= 2;
    const e = Math.exp(this.epsilon);
    this.inSetThreshold = thresholdAtMost(e / (e + 1));
    this.p = this.inSetThreshold / THRESHOLD_ONE;
    if (!(this.inSetThreshold > THRESHOLD_ONE / 2 && this.inSetThreshold < THRESHOLD_ONE)) {
      throw parameterError('epsilon', `${this.epsilon} is out of the range Hadamard response can implement at 2^-32 resolution`);
    }
    this.implementedEpsilon = implementedEpsilonOf(ratioRoundedUp(this.inSetThreshold, 1, THRESHOLD_ONE - this.inSetThreshold), this.epsilon);
  }

  /** Whether output j is in C_x (H[x+1][j] = +1). */
  inSet(x: number, j: number): boolean {
    return (popcount((x + 1) & j) & 1) === 0;
  }

  randomize(value: number, rng: RandomSampler): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) {
      throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    }
    const wantInSet = rng.bernoulli(this.inSetThreshold);
    const u = rng.uniformInt(this.K);
    const row = value + 1;
    return this.inSet(value, u) === wantInSet ? u : u ^ (row & -row);
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
        `Your answer picks half of ${this.K} possible codes. With probability ${this.p.toFixed(2)} a random code from that half is sent, ` +
        `otherwise a random code from the other half, so every code could have come from any answer.`,
    };
  }
}

export class HadamardResponse extends HadamardRandomizer implements FrequencyOracle<number> {
  readonly sumsLength: number;
  readonly reportBits: number;

  constructor(options: HadamardOptions) {
    super(options);
    this.sumsLength = this.K + 1;
    this.reportBits = Math.log2(this.K);
  }

  decodeReport(encoded: EncodedReport): number {
    const { payload } = encoded;
    if (encoded.cohort !== undefined) throw payloadError('hadamard reports have no cohort', 'cohort');
    if (typeof payload !== 'number' || !Number.isInteger(payload) || payload < 0 || payload >= this.K) {
      throw payloadError(`hadamard payload must be an integer in [0, ${this.K}), got ${JSON.stringify(payload)}`, 'payload');
    }
    return payload;
  }

  contribute(report: number, cells: CellSink): void {
    cells.add(0, 1);
    cells.add(1 + report, 1);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    const n = sums[0] ?? 0;
    const transform = new Float64Array(this.K);
    for (let j = 0; j < this.K; j++) transform[j] = sums[1 + j] ?? 0;
    fastWalshHadamard(transform);
    const values: number[] = [];
    const standardErrors: number[] = [];
    const ci95: Array<[number, number]> = [];
    for (let x = 0; x < this.k; x++) {
      if (n === 0) {
        values.push(Number.NaN);
        standardErrors.push(Number.NaN);
        ci95.push([Number.NaN, Number.NaN]);
        continue;
      }
      // S_x/n = (1 + W_{x+1}/n)/2, so f̂_x = (S_x/n − 1/2)/(p − 1/2).
      const support = (n + transform[x + 1]!) / 2;
      const estimate = (support / n - this.q) / (this.p - this.q);
      const se = Math.sqrt(Math.max(0, this.variance(n, clamp01(estimate), estimand)));
      values.push(estimate);
      standardErrors.push(se);
      ci95.push([estimate - Z_95 * se, estimate + Z_95 * se]);
    }
    return { n, values, standardErrors, ci95 };
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}

/** In-place unnormalised fast Walsh–Hadamard transform (Sylvester order); length a power of two. */
export function fastWalshHadamard(a: Float64Array): void {
  for (let half = 1; half < a.length; half *= 2) {
    for (let start = 0; start < a.length; start += 2 * half) {
      for (let i = start; i < start + half; i++) {
        const x = a[i]!;
        const y = a[i + half]!;
        a[i] = x + y;
        a[i + half] = x - y;
      }
    }
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
