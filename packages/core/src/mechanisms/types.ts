/**
 * The contracts every mechanism implements. A mechanism is a value that carries its randomizer,
 * its privacy loss and its estimator together (OpenDP's "measurement" idea), so the device and
 * the collector can never disagree on parameters: both build it from the same campaign question.
 *
 * Aggregation state is a flat vector of sums (`Float64Array`, integers exact up to 2^53) whose
 * meaning each mechanism documents. Index 0 is always the number of reports. Sums merge by
 * element-wise addition, so collector instances, days and cohorts combine without raw reports.
 */
import type { RandomSampler } from '../random/sampler.ts';
import type { Estimand } from './estimand.ts';
import type { MechanismName, MechanismWithEstimate, MechanismWithLevels } from './registry.ts';

// Every name union comes from the registry (registry.ts), the one list of mechanisms.
export type { MechanismName };
export type FrequencyMechanismName = MechanismWithEstimate<'frequency'>;
export type OneLevelFrequencyName = Extract<FrequencyMechanismName, MechanismWithLevels<1>>;
/** Two-level frequency oracles (longitudinal/). */
export type LongitudinalFrequencyName = Extract<FrequencyMechanismName, MechanismWithLevels<2>>;
export type NumericMechanismName = Extract<MechanismWithEstimate<'mean'>, MechanismWithLevels<1>>;

/** A JSON value as it travels in a report's `payload`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a randomized report becomes on the wire (see docs/protocol.md). */
export interface EncodedReport {
  payload: JsonValue;
  /** Present only for mechanisms with cohorts (RAPPOR). */
  cohort?: number;
}

/** Plain-language numbers behind a mechanism, for `explain()` in the SDK. */
export interface MechanismDescription {
  mechanism: MechanismName;
  epsilon: number;
  implementedEpsilon: number;
  /** Probability that the report carries the true answer in the simplest reading of the mechanism. */
  truthProbability: number;
  /** One sentence a patient can read. */
  summary: string;
}

/**
 * The device half of a mechanism: its parameters, its privacy loss, the randomizer and the plain
 * words behind it — nothing the collector alone needs. Each mechanism file exports it as
 * `XRandomizer`, and the full mechanism (`X extends XRandomizer`) adds decoding and estimation, so
 * a bundle that only randomizes (the SDK's worker) leaves the estimators out.
 */
export interface Randomizer<Input, Report> {
  readonly name: MechanismName;
  /** ε asked for. */
  readonly epsilon: number;
  /** ε of what is implemented (integer thresholds), rounded up; always ≤ `epsilon`. */
  readonly implementedEpsilon: number;
  /** Randomizes one true input. Throws INPUT_INVALID (nothing drawn) when the input is out of domain. */
  randomize(input: Input, rng: RandomSampler): Report;
  encodeReport(report: Report): EncodedReport;
  describe(): MechanismDescription;
}

/** Where a report's cells go (Mechanism.contribute): dense sums, a sparse list, a test's recorder. */
export interface CellSink {
  add(index: number, delta: number): void;
}

export interface Mechanism<Input, Report, Estimate> extends Randomizer<Input, Report> {
  /** Validates and parses a wire report; throws PAYLOAD_INVALID naming what is wrong. */
  decodeReport(encoded: EncodedReport): Report;
  /** Length of the sum vector (index 0 = report count). */
  readonly sumsLength: number;
  /**
   * The one per-report aggregation primitive: calls `cells.add(index, delta)` for each cell of the
   * sum vector that this report changes, each index at most once, delta an integer (a zero delta
   * may be passed and changes nothing). Dense sums (aggregate/cells.ts `addToSums`, `Accumulator`)
   * and the collector's stored cells (`sparseContribution`) are both built from it, so a report
   * costs memory and time in proportion to the cells it touches — RAPPOR 2 + its set bits of
   * m·(k + 1) + 1, OLH 1 + the ≈ k/g values hashing to its bucket — not to `sumsLength`.
   */
  contribute(report: Report, cells: CellSink): void;
  /**
   * Optional bulk form: adds contribute's cells of every report to dense `sums` (length
   * `sumsLength`), faster (the unary encodings count 32 positions at a time, fast/bit-counter.ts).
   * Tests check it equals contribute report by report.
   */
  addAllToSums?(reports: readonly Report[], sums: Float64Array): void;
  /**
   * Debiased estimate from sums. For shares (frequencies, prevalences) the standard errors are for
   * `estimand` (estimand.ts): the population share by default, or the share among the respondents.
   * Means have one, empirical, SE that already includes the spread of the answers (numeric.ts), and
   * RAPPOR's bit counts are decoded before any share exists (rappor-decode.ts takes the estimand):
   * both ignore it.
   */
  estimate(sums: ArrayLike<number>, estimand?: Estimand): Estimate;
}

/** A debiased frequency vector with its uncertainty. */
export interface FrequencyEstimate {
  n: number;
  /** Unbiased estimates of the frequency of each domain value (may be negative or exceed 1). */
  values: number[];
  standardErrors: number[];
  /** 95% normal-approximation intervals, value ± 1.96·SE. */
  ci95: Array<[number, number]>;
}

/** A mean of a numeric answer in its declared range, with its uncertainty. */
export interface MeanEstimate {
  n: number;
  mean: number;
  standardError: number;
  ci95: [number, number];
}

/** Frequency oracle over the domain {0, …, k−1}. */
export interface FrequencyOracle<Report = unknown> extends Mechanism<number, Report, FrequencyEstimate> {
  readonly name: FrequencyMechanismName;
  readonly k: number;
  /**
   * Variance of one f̂_v from n reports when the true frequency is f, with the implemented p*, q*:
   * for the population share (default) π(1−π)/(n(p*−q*)²) with π = q* + f(p*−q*); for the
   * respondents Wang et al. 2017's q*(1−q*)/(n(p*−q*)²) + f(1−p*−q*)/(n(p*−q*)) — f(1−f)/n less
   * (pure-protocol.ts, estimand.ts).
   */
  variance(n: number, f?: number, estimand?: Estimand): number;
  /** Bits one report takes on the wire (for `selectMechanism`'s bandwidth limit). */
  readonly reportBits: number;
}

export const Z_95 = 1.959963984540054;
