/**
 * Padding-and-sampling for multiselect questions ("tick every symptom you had": a set of at most
 * L of k items).
 * Source: T. Wang, N. Li, S. Jha, "Locally Differentially Private Frequent Itemset Mining",
 * IEEE S&P 2018, §IV (padding-and-sampling frequency oracle).
 *
 * Randomizer: pad the set v (|v| ≤ L) with the dummy items k, k+1, …, k + (L − |v|) − 1 to exactly
 * L items, pick one of them uniformly (uniformInt(L)), and report it through an inner ε-LDP
 * frequency oracle over the k + L values: GRR (default; best when k + L − 2 < 3e^ε) or OLH
 * (olh.ts; best for larger k + L, Wang et al. 2017 §4.4).
 * Privacy: for any output y, Pr[y | v] = (1/L)·Σ_{x ∈ padded v} Pr_FO[y | x] is an average of
 * values that are each within e^ε of any other input's, so the mechanism is exactly as private as
 * the inner oracle: implementedEpsilon = the inner oracle's.
 * Debias: an item x ∈ v is the one picked with probability exactly 1/L, so the inner oracle's
 * frequency of x estimates F_x/L, where F_x is the prevalence (share of respondents whose set
 * contains x): F̂_x = L·f̂_x, unbiased. Prevalences do not sum to one (Σ F_x = mean set size).
 * Variance, for a pure inner protocol (p*, q*), with π̄ = q* + F(p* − q*)/L:
 *
 * - respondents (answers fixed): respondent u supports x with probability
 *   π_u = q* + [x ∈ v_u](p* − q*)/L, independently, and Σ_u π_u(1 − π_u) = n·π̄(1 − π̄) − Σ_u (π_u − π̄)²
 *   with Σ_u (π_u − π̄)² = n·F(1 − F)(p* − q*)²/L², so
 *
 *     Var_R[F̂_x] = L²·π̄(1 − π̄)/(n(p* − q*)²) − F(1 − F)/n = L²·Var_FO,R(n, F/L) + F(L − 1)/n;
 *
 * - population (respondents an independent sample with prevalence F; the default, estimand.ts):
 *   every report supports x independently with the same probability π̄ (an answer holds x with
 *   probability F, and then x is the item picked with probability 1/L), so
 *
 *     Var_P[F̂_x] = L²·π̄(1 − π̄)/(n(p* − q*)²) = L²·Var_FO,P(n, F/L) = Var_R[F̂_x] + F(1 − F)/n —
 *
 *   the inner oracle's population variance at its own frequency F/L, scaled by L², and the
 *   respondents' plus the same sampling term f(1−f)/n as every share (estimand.ts).
 *
 * Var_FO is the inner oracle's variance (pure-protocol.ts). For OLH, q* = 1/g is the support
 * probability averaged over the report's fresh hash seed, which is what makes each respondent's
 * support indicator Bernoulli(π_u) and independent of the others. The often quoted "L² × the inner
 * respondents' variance" leaves out F(L − 1)/n — the noise of picking one of L items — and
 * understates the variance noticeably when k is small and ε large; the reported SE includes it.
 * Preconditions: 1 ≤ L ≤ k, k + L ≤ 65,536. Answers are arrays of distinct item indices in [0, k)
 * with at most L entries (the empty set is a valid answer: a dummy is reported).
 * Payload and sums: the inner oracle's, over k + L values.
 *
 * `PaddingSamplingRandomizer` is the device half (over the inner oracle's device half);
 * `PaddingAndSampling` adds decoding and the estimator over the full inner oracle.
 */
import { inputError, parameterError } from '../errors.ts';
import type { RandomSampler } from '../random/sampler.ts';
import { checkDomainSize, checkEpsilon, checkInteger, MAX_DOMAIN_SIZE } from '../validate.ts';
import { GeneralizedRandomizedResponse, GrrRandomizer } from './grr.ts';
import { OlhRandomizer, OptimizedLocalHashing } from './olh.ts';
import { LgrrRandomizer, LongitudinalGrr } from './longitudinal/l-grr.ts';
import { Loloha, LolohaRandomizer } from './longitudinal/loloha.ts';
import { isTwoLevel, type AnyTwoLevelRandomizer } from './longitudinal/two-level.ts';
import { paddingInners, type PaddingInnerName } from './registry.ts';
import { DEFAULT_ESTIMAND, type Estimand } from './estimand.ts';
import { clamp01 } from './pure-protocol.ts';
import { Z_95, type EncodedReport, type FrequencyEstimate, type FrequencyOracle, type Mechanism, type MechanismDescription, type Randomizer, type CellSink } from './types.ts';

/** One-level inner oracles, and the two-level ones (longitudinal/) that need `epsilonPermanent`. */
export type PaddingSamplingInner = PaddingInnerName;
const INNERS: readonly string[] = paddingInners();

export interface PaddingSamplingOptions {
  /** Number of items to choose from. */
  k: number;
  /** L: the most items one answer may contain. */
  maxItems: number;
  epsilon: number;
  /** Inner frequency oracle over k + L values; default 'grr'. */
  inner?: PaddingSamplingInner;
  /** ε∞ of a two-level inner oracle ('l-grr', 'loloha'). */
  epsilonPermanent?: number;
  /** LOLOHA inner only: its hash range (default: the one of least variance at this ε). */
  g?: number;
}

/**
 * Per-item prevalence: `values[x]` estimates the share of respondents whose answer contains x
 * (values do not sum to one). Same shape as a frequency estimate.
 */
export type PrevalenceEstimate = FrequencyEstimate;

/** What the padding step hands to: the inner oracle's device half (or the full oracle). */
type InnerFactory<T> = (inner: unknown, domainSize: number, epsilon: number, epsilonPermanent?: number, g?: number) => T;

/** The device half: L, the inner oracle's device half, the randomizer and its explanation. */
export class PaddingSamplingRandomizer<Inner extends Randomizer<number, unknown> = Randomizer<number, unknown>> implements Randomizer<readonly number[], unknown> {
  readonly name = 'padding-sampling' as const;
  readonly k: number;
  readonly maxItems: number;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  readonly inner: Inner;

  constructor(options: PaddingSamplingOptions, createInner: InnerFactory<Inner> = createInnerRandomizer as InnerFactory<Inner>) {
    if (typeof options !== 'object' || options === null) throw parameterError('options', 'must be an object');
    this.k = checkDomainSize(options.k);
    this.maxItems = checkInteger(options.maxItems, 'maxItems', 1, this.k);
    if (this.k + this.maxItems > MAX_DOMAIN_SIZE) throw parameterError('maxItems', `k + maxItems must be ≤ ${MAX_DOMAIN_SIZE}, got ${this.k + this.maxItems}`);
    this.epsilon = checkEpsilon(options.epsilon);
    const inner = options.inner ?? 'grr';
    if (!INNERS.includes(inner)) throw parameterError('inner', `must be one of ${INNERS.join(', ')}, got ${JSON.stringify(inner)}`);
    if ((inner === 'l-grr' || inner === 'loloha') !== (options.epsilonPermanent !== undefined)) throw parameterError('epsilonPermanent', `is required with a two-level inner oracle (l-grr, loloha) and only then`);
    if (options.g !== undefined && inner !== 'loloha') throw parameterError('g', 'is for a LOLOHA inner oracle only');
    this.inner = createInner(inner, this.k + this.maxItems, this.epsilon, options.epsilonPermanent, options.g);
    this.implementedEpsilon = this.inner.implementedEpsilon;
  }

  randomize(items: readonly number[], rng: RandomSampler): unknown {
    return this.inner.randomize(this.pick(items, rng), rng);
  }

  /** The padding step: one of the answer's items, or a dummy, uniformly (a fresh draw on every report). */
  pick(items: readonly number[], rng: RandomSampler): number {
    this.checkItems(items);
    const pick = rng.uniformInt(this.maxItems);
    return pick < items.length ? items[pick]! : this.k + (pick - items.length);
  }

  // Two-level form (inner 'l-grr' or 'loloha'): the padding step runs on every report, then the
  // picked value goes through the inner oracle's slot, permanent and instantaneous levels. Every
  // report is still the inner oracle's ε₁ (an average of ε₁-LDP distributions), and a device only
  // ever uses the inner oracle's D slots (g for LOLOHA), so two-level.ts's D·ε∞ carries over.
  get longitudinal(): boolean {
    return isTwoLevel(this.inner);
  }

  private get twoLevel(): AnyTwoLevelRandomizer {
    if (!isTwoLevel(this.inner)) throw parameterError('inner', 'this padding-and-sampling question has a one-level inner oracle');
    return this.inner;
  }

  get epsilonPermanent(): number {
    return this.twoLevel.epsilonPermanent;
  }
  get permanentEpsilon(): number {
    return this.twoLevel.permanentEpsilon;
  }
  get instantaneousEpsilon(): number {
    return this.twoLevel.instantaneousEpsilon;
  }
  get permanentCount(): number {
    return this.twoLevel.permanentCount;
  }
  get linkageBits(): number {
    return this.twoLevel.linkageBits;
  }
  get parameterKey(): string {
    return `padding-sampling/k=${this.k}/L=${this.maxItems}/${this.twoLevel.parameterKey}`;
  }
  device(rng: RandomSampler): unknown {
    return this.twoLevel.device(rng);
  }
  slotOf(items: readonly number[], device: unknown, rng: RandomSampler): number {
    return this.twoLevel.slotOf(this.pick(items, rng), device, rng);
  }
  permanent(slot: number, rng: RandomSampler): unknown {
    return this.twoLevel.permanent(slot, rng);
  }
  instantaneous(permanent: unknown, device: unknown, rng: RandomSampler): unknown {
    return this.twoLevel.instantaneous(permanent, device, rng);
  }

  encodeReport(report: unknown): EncodedReport {
    return this.inner.encodeReport(report);
  }

  describe(): MechanismDescription {
    const inner = this.inner.describe();
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: inner.truthProbability,
      summary: `One of your choices is picked at random (or a placeholder, if you chose fewer than ${this.maxItems}) and only that one is sent, protected like this: ${inner.summary}`,
    };
  }

  private checkItems(items: readonly number[]): void {
    if (!Array.isArray(items)) throw inputError(`answer must be an array of item indices, got ${typeof items}`);
    if (items.length > this.maxItems) throw inputError(`answer has ${items.length} items, at most ${this.maxItems} allowed`);
    const seen = new Set<number>();
    items.forEach((item, position) => {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item >= this.k) {
        throw inputError(`item must be an integer index in [0, ${this.k}), got ${String(item)}`, `answer.${position}`);
      }
      if (seen.has(item)) throw inputError(`item ${item} appears twice`, `answer.${position}`);
      seen.add(item);
    });
  }
}

export class PaddingAndSampling extends PaddingSamplingRandomizer<FrequencyOracle<unknown>> implements Mechanism<readonly number[], unknown, PrevalenceEstimate> {
  readonly sumsLength: number;

  constructor(options: PaddingSamplingOptions) {
    super(options, createInnerOracle);
    this.sumsLength = this.inner.sumsLength;
  }

  decodeReport(encoded: EncodedReport): unknown {
    return this.inner.decodeReport(encoded);
  }

  contribute(report: unknown, cells: CellSink): void {
    this.inner.contribute(report, cells);
  }

  /** Standard errors for `estimand` (estimand.ts; default: the population prevalence). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): PrevalenceEstimate {
    const innerEstimate = this.inner.estimate(sums);
    const n = innerEstimate.n;
    const values: number[] = [];
    const standardErrors: number[] = [];
    const ci95: Array<[number, number]> = [];
    for (let x = 0; x < this.k; x++) {
      const value = this.maxItems * innerEstimate.values[x]!;
      const se = n > 0 ? Math.sqrt(Math.max(0, this.variance(n, clamp01(value), estimand))) : Number.NaN;
      values.push(value);
      standardErrors.push(se);
      ci95.push([value - Z_95 * se, value + Z_95 * se]);
    }
    return { n, values, standardErrors, ci95 };
  }

  /** Var[F̂_x] from n reports when the true prevalence of x is `prevalence`, for `estimand` (see header). */
  variance(n: number, prevalence = 0, estimand: Estimand = DEFAULT_ESTIMAND): number {
    const l = this.maxItems;
    if (estimand === 'population') return l * l * this.inner.variance(n, prevalence / l, 'population');
    return l * l * this.inner.variance(n, prevalence / l, 'respondents') + (prevalence * (l - 1)) / n;
  }
}

function createInnerRandomizer(inner: unknown, k: number, epsilon: number, epsilonPermanent?: number, g?: number): Randomizer<number, unknown> {
  if (inner === 'l-grr') return new LgrrRandomizer({ k, epsilon, epsilonPermanent: epsilonPermanent! });
  if (inner === 'loloha') return new LolohaRandomizer({ k, epsilon, epsilonPermanent: epsilonPermanent!, ...(g === undefined ? {} : { g }) });
  return inner === 'olh' ? new OlhRandomizer({ k, epsilon }) : new GrrRandomizer({ k, epsilon });
}

function createInnerOracle(inner: unknown, k: number, epsilon: number, epsilonPermanent?: number, g?: number): FrequencyOracle<unknown> {
  if (inner === 'l-grr') return new LongitudinalGrr({ k, epsilon, epsilonPermanent: epsilonPermanent! }) as FrequencyOracle<unknown>;
  if (inner === 'loloha') return new Loloha({ k, epsilon, epsilonPermanent: epsilonPermanent!, ...(g === undefined ? {} : { g }) }) as FrequencyOracle<unknown>;
  return (inner === 'olh' ? new OptimizedLocalHashing({ k, epsilon }) : new GeneralizedRandomizedResponse({ k, epsilon })) as FrequencyOracle<unknown>;
}
