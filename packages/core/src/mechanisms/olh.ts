/**
 * Optimized local hashing (OLH).
 * Source: Wang, Blocki, Li, Jha, "Locally Differentially Private Protocols for Frequency
 * Estimation", USENIX Security 2017, §4.4 (local hashing; "optimized" for g = e^ε + 1).
 *
 * Randomizer: draw a fresh public seed s (uniform uint32), hash the answer to x = H_s(v) ∈ [g],
 * then apply generalized randomized response over [g]: report y = x with probability
 * p = e^ε/(e^ε+g−1), otherwise one of the g − 1 other values uniformly. Report (s, y).
 * g = max(2, round(e^ε + 1)), capped at 2^21 (see below).
 * Privacy: s is independent of v; for a fixed s, Pr[y|v]/Pr[y|v'] ≤ p/((1−p)/(g−1)) = e^ε whatever
 * the hash does, because y depends on v only through H_s(v). So privacy does not rest on the hash.
 * Debias (pure protocol): a report supports v when H_s(v) = y. A holder of v supports it with
 * p* = p; a holder of u ≠ v with q* = Pr_s[H_s(v) = H_s(u)]·p + (1 − Pr_s[…])·(1−p)/(g−1), which
 * equals 1/g exactly when the collision probability is 1/g. Then f̂_v = (C_v/n − 1/g)/(p − 1/g).
 * Variance: q*(1−q*)/(n(p*−q*)²) + f_v(1−p*−q*)/(n(p*−q*)) ≈ 4e^ε/(n(e^ε−1)²) for g = e^ε+1 (the
 * respondents'); the population share's adds f_v(1−f_v)/n (pure-protocol.ts): a sampled
 * respondent's report supports v with probability π = q* + f_v(p*−q*) over the answer and the seed.
 *
 * The hash family: H_s(v) = ⌊XXH32(le32(v), s) · g / 2^32⌋, XXH32 (Collet, xxHash spec) of the
 * 4-byte little-endian value with the seed s (checked against a published XXH32 vector in the test),
 * reduced to [g] by a multiply-shift (Lemire 2019)
 * rather than `mod g`. For a fixed v, s ↦ XXH32(v, s) is a bijection of the uint32s (seed addition,
 * multiplication by an odd constant, rotation and the xor-shift/odd-multiply avalanche are each
 * bijective), so H_s(v) is uniform over [g] up to the unavoidable 2^32-grid granularity: each bucket
 * gets ⌊2^32/g⌋ or ⌈2^32/g⌉ seeds, a relative deviation ≤ g/2^32 ≤ 2^-11 (g ≤ 2^21). What the
 * estimator needs is the pairwise collision probability Pr_s[H_s(u) = H_s(v)] = 1/g; XXH32 is not
 * a provably 2-universal family, so that is an empirical property, which test/olh.test.ts measures
 * (collision rates of many pairs against 1/g, within binomial error). We therefore use q* = 1/g.
 * The cap g ≤ 2^21 keeps XXH32·g < 2^53 (exact in a double); it only binds for ε > ln(2^21 − 1) ≈ 14.6,
 * where p is recomputed for the capped g, so the mechanism stays ε-LDP.
 *
 * Implemented exactly: keep threshold T = thresholdAtMost(p) (down), the other value drawn
 * uniformly by rejection, so the worst ratio is T(g−1)/(2^32 − T) ≤ e^ε (as GRR over [g]).
 * Preconditions: k ≥ 2, 0 < ε ≤ 20. Sums: [n, C_0, …, C_{k−1}] (support counts), so adding a
 * report costs k hashes; `contribute` precomputes the per-value hash inputs and the bucket's range
 * of 32-bit hash values, so the loop has no allocation and no division.
 */
import { inputError, parameterError, payloadError } from '../errors.ts';
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { ratioRoundedUp } from '../exact/upward-ratio.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkDomainSize, checkEpsilon } from '../validate.ts';
import type { Estimand } from './estimand.ts';
import { pureProtocolEstimate, pureProtocolVariance } from './pure-protocol.ts';
import type { CellSink, EncodedReport, FrequencyEstimate, FrequencyOracle, MechanismDescription, Randomizer } from './types.ts';

export interface OlhOptions {
  k: number;
  epsilon: number;
}

export interface OlhReport {
  /** Public hash seed, uniform uint32. */
  seed: number;
  /** Randomized hash bucket in [0, g). */
  y: number;
}

export const OLH_MAX_G = 2 ** 21;

const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

/** XXH32 of the 4-byte little-endian encoding of `value` with `seed`, as an unsigned 32-bit integer. */
export function xxh32Uint32(value: number, seed: number): number {
  return xxh32Finish((seed + xxh32Input(value)) | 0);
}

/** The seed-independent part of XXH32(le32(v), ·): PRIME32_5 + length + v·PRIME32_3 (mod 2^32). */
function xxh32Input(value: number): number {
  return (PRIME32_5 + 4 + Math.imul(value, PRIME32_3)) | 0;
}

function xxh32Finish(h: number): number {
  h = Math.imul((h << 17) | (h >>> 15), PRIME32_4);
  h ^= h >>> 15;
  h = Math.imul(h, PRIME32_2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The device half: g, thresholds, ε, the randomizer and its explanation. */
export class OlhRandomizer implements Randomizer<number, OlhReport> {
  readonly name = 'olh' as const;
  readonly k: number;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  /** Hash range. */
  readonly g: number;
  /** Pr[report the true bucket] = keepThreshold / 2^32. */
  readonly keepThreshold: number;
  /** Implemented p* (= keep probability) and q* (= 1/g). */
  readonly p: number;
  readonly q: number;

  constructor(options: OlhOptions) {
    this.k = checkDomainSize(options?.k);
    this.epsilon = checkEpsilon(options?.epsilon);
    const e = Math.exp(this.epsilon);
    this.g = Math.min(OLH_MAX_G, Math.max(2, Math.round(e + 1)));
    this.keepThreshold = thresholdAtMost(e / (e + this.g - 1));
    this.p = this.keepThreshold / THRESHOLD_ONE;
    this.q = 1 / this.g;
    if (!(this.p > this.q)) throw parameterError('epsilon', `too small: the keep probability does not exceed 1/g at 2^-32 resolution`);
    this.implementedEpsilon = implementedEpsilonOf(ratioRoundedUp(this.keepThreshold, this.g - 1, THRESHOLD_ONE - this.keepThreshold), this.epsilon);
  }

  /** H_seed(value) ∈ [g]. */
  hash(seed: number, value: number): number {
    return Math.floor((xxh32Uint32(value, seed) * this.g) / THRESHOLD_ONE);
  }

  randomize(value: number, rng: RandomSampler): OlhReport {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.k) {
      throw inputError(`answer must be an integer index in [0, ${this.k}), got ${String(value)}`);
    }
    const seed = rng.uint32();
    const bucket = this.hash(seed, value);
    if (rng.bernoulli(this.keepThreshold)) return { seed, y: bucket };
    const other = rng.uniformInt(this.g - 1);
    return { seed, y: other >= bucket ? other + 1 : other };
  }

  encodeReport(report: OlhReport): EncodedReport {
    return { payload: [report.seed, report.y] };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.p,
      summary:
        `Your answer is first mixed into one of ${this.g} groups by a random public code, so many answers share each group. ` +
        `The true group is sent with probability ${this.p.toFixed(2)}; otherwise another group, picked at random, is sent instead.`,
    };
  }
}

export class OptimizedLocalHashing extends OlhRandomizer implements FrequencyOracle<OlhReport> {
  readonly sumsLength: number;
  readonly reportBits: number;
  private readonly hashInputs: Int32Array;
  /** The values whose hash hits the report's bucket, for one contribute call (≤ k of them). */
  private readonly hits: Int32Array;

  constructor(options: OlhOptions) {
    super(options);
    this.sumsLength = this.k + 1;
    this.reportBits = 32 + Math.ceil(Math.log2(this.g));
    this.hashInputs = new Int32Array(this.k);
    for (let v = 0; v < this.k; v++) this.hashInputs[v] = xxh32Input(v);
    this.hits = new Int32Array(this.k);
  }

  decodeReport(encoded: EncodedReport): OlhReport {
    const { payload } = encoded;
    if (encoded.cohort !== undefined) throw payloadError('olh reports have no cohort', 'cohort');
    if (!Array.isArray(payload) || payload.length !== 2) throw payloadError('olh payload must be [seed, y]', 'payload');
    const [seed, y] = payload;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= THRESHOLD_ONE) {
      throw payloadError(`olh seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`, 'payload.0');
    }
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= this.g) {
      throw payloadError(`olh y must be an integer in [0, ${this.g}), got ${JSON.stringify(y)}`, 'payload.1');
    }
    return { seed, y };
  }

  /** The report count and every value v whose hash lands in y (about k/g of them): the support cells. */
  contribute(report: OlhReport, cells: CellSink): void {
    cells.add(0, 1);
    const { seed, y } = report;
    // H_seed(v) = y ⟺ ⌊h·g/2^32⌋ = y ⟺ lo ≤ h < hi with lo = ⌈y·2^32/g⌉, hi = ⌈(y+1)·2^32/g⌉.
    const lo = bucketStart(y, this.g);
    const width = bucketStart(y + 1, this.g) - lo;
    const inputs = this.hashInputs;
    const k = this.k;
    // Everything in the loop stays in 32-bit integer registers: seed and lo (both < 2^32, so not
    // always int32 as JS numbers) are reinterpreted as int32 once, and the bucket test is done on
    // the wrapped difference — lo ≤ h < lo + width ⟺ (h − lo) mod 2^32 < width, unsigned.
    const seed32 = seed | 0;
    const hits = this.hits;
    let count = 0;
    const lo32 = lo | 0;
    // xxh32Finish inlined: this loop is the collector's hot path (k hashes per report).
    for (let v = 0; v < k; v++) {
      let h = (seed32 + inputs[v]!) | 0;
      h = Math.imul((h << 17) | (h >>> 15), PRIME32_4);
      h ^= h >>> 15;
      h = Math.imul(h, PRIME32_2);
      h ^= h >>> 13;
      h = Math.imul(h, PRIME32_3);
      h ^= h >>> 16;
      // Branch-free: the test is true for 1 value in g at random, which a branch would mispredict;
      // v is written at the end of the hits every time and kept only when it hits.
      hits[count] = v;
      count += +(((h - lo32) | 0) >>> 0 < width);
    }
    for (let i = 0; i < count; i++) cells.add(1 + hits[i]!, 1);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population share). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): FrequencyEstimate {
    return pureProtocolEstimate(sums, this.k, this.p, this.q, estimand);
  }

  variance(n: number, f = 0, estimand?: Estimand): number {
    return pureProtocolVariance(n, f, this.p, this.q, estimand);
  }
}

/** Smallest h with ⌊h·g/2^32⌋ ≥ y, i.e. ⌈y·2^32/g⌉, in exact integer arithmetic (y ≤ g ≤ 2^21). */
function bucketStart(y: number, g: number): number {
  // y·2^32 ≤ 2^53, exact; the ceiling of the exact quotient is recovered with one integer check.
  const product = y * THRESHOLD_ONE;
  let start = Math.ceil(product / g);
  if ((start - 1) * g >= product) start -= 1;
  else if (start * g < product) start += 1;
  return start;
}
