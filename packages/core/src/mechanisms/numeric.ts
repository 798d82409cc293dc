/**
 * What the numeric mechanisms (Duchi, Piecewise, Hybrid) share: the declared answer range, the
 * fixed input grid, the integer sampling contract and the mean estimator.
 *
 * Why grids at all (Mironov 2012, "On significance of the least significant bits for differential
 * privacy", CCS): a real-valued output computed in floating point leaks its input through the
 * pattern of representable values. Here nothing real-valued is ever sampled:
 *
 * 1. The answer x ∈ [low, high] is mapped to u = (x − low)·M/(high − low) ∈ [0, M] and rounded to
 *    the grid point j = ⌊u⌋ or j + 1, upwards with probability u − ⌊u⌋ (unbiased randomized
 *    rounding; the Bernoulli threshold is the nearest integer to (u − ⌊u⌋)·2^32, so the rounding
 *    bias is at most 2^-33 of a grid step). M = `gridSize` (default 1000), so answers that are
 *    multiples of (high − low)/M — e.g. every integer of a 0–10 pain score — sit exactly on the
 *    grid and are never rounded. The grid point j stands for t_j = −1 + 2j/M ∈ [−1, 1].
 * 2. A {@link GridKernel} maps j to an output index i ∈ {0, …, G−1} using only RandomSampler's
 *    integer draws, so Pr[i | j] is a rational built from the kernel's integers (thresholds over
 *    2^32, cell counts) that the exactness test (test/numeric-exactness.test.ts) computes with
 *    BigInt. The output index — never a real number — is what travels on the wire.
 *
 * Privacy: every kernel satisfies Pr[i | j] ≤ e^ε' · Pr[i | j'] for all i, j, j' (ε' =
 * implementedEpsilon ≤ ε). Step 1 only mixes grid points, and a mixture of distributions that are
 * each within e^ε' of one another stays within e^ε' (Pr[i|x] ≤ max_j Pr[i|j] ≤ e^ε' min_j Pr[i|j]
 * ≤ e^ε' Pr[i|x']), so the rounding probabilities — the only floating-point step, done before any
 * privacy-relevant draw — cannot weaken the guarantee.
 *
 * Unbiasedness: each kernel is built so that E[i | j] is exactly affine in j (checked by test),
 * hence E[i | t] = A + B·t for t on the grid, and by linearity for any t after unbiased rounding.
 * The per-report unbiased value is v(i) = (i − A)/B; the mean of v over reports estimates the mean
 * of t, mapped back affinely to [low, high].
 *
 * Sums: [n, Σ i, Σ i²], integers. They stay exact in a Float64Array while n·(G − 1)² ≤ 2^53
 * (G ≤ 20,000 for gridSize ≤ 10,000: at least 2.2·10^7 reports; with the default grid, G ≤ 2,000
 * and 2.2·10^9 reports).
 *
 * Device and collector derive the same integers from (ε, M). Math.exp is not correctly rounded on
 * every engine: a threshold differing by one unit between them would shift an estimate by
 * ~2^-32 relative (harmless), and a window width W = round(M·e^{−ε/2}) could only differ if
 * M·e^{−ε/2} fell within ~10^-12 of a half-integer.
 *
 * Standard error: from the empirical variance of the reported values, s² = (nΣi² − (Σi)²)/(n(n−1))
 * divided by B², rather than from the theoretical formula. The theoretical variance depends on the
 * unknown spread of the true answers (PM's grows with t²); the empirical one does not need it,
 * is exactly what a superpopulation (respondents sampled from a population) calls for, and for a
 * fixed set of respondents overstates the variance by at most their spread Var(t)/n — never
 * understates it in expectation. With fewer than 2 reports the worst-case variance is used.
 */
import { inputError, parameterError, payloadError } from '../errors.ts';
import type { Rational } from '../exact/rational.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { checkEpsilon, checkFiniteNumber, checkInteger } from '../validate.ts';
import { Z_95, type EncodedReport, type MeanEstimate, type Mechanism, type MechanismDescription, type NumericMechanismName, type Randomizer, type CellSink } from './types.ts';

export interface NumericOptions {
  epsilon: number;
  /** Smallest possible answer (e.g. 0 for a 0–10 pain score). */
  low: number;
  /** Largest possible answer; > low. */
  high: number;
  /**
   * Number of steps M of the fixed input grid over [low, high] (M + 1 grid points). Default 1000.
   * Answers that are multiples of (high − low)/M are never rounded; others are rounded without
   * bias to a neighbouring grid point, adding at most (1/M)² to the variance in [−1, 1] units.
   */
  gridSize?: number;
}

export const DEFAULT_GRID_SIZE = 1000;
/** Keeps the sums exact for ≥ 2.2·10^7 reports (see the header). */
export const MAX_GRID_SIZE = 10_000;

/**
 * A discrete randomizer from input grid points {0, …, M} to output indices {0, …, G−1}, drawing
 * only integers. `mean` and `meanSquare` are E[i | j] and E[i² | j]; `probability` is exact.
 */
export interface GridKernel {
  readonly inputSteps: number;
  readonly outputCount: number;
  sample(gridPoint: number, rng: RandomSampler): number;
  mean(gridPoint: number): number;
  meanSquare(gridPoint: number): number;
  /** Pr[output = index | input grid point], exactly, from the integer thresholds used. */
  probability(index: number, gridPoint: number): Rational;
  /** Whether `index` has positive probability (other indices are refused on the wire). */
  isOutput(index: number): boolean;
}

export interface NumericMechanism extends Mechanism<number, number, MeanEstimate> {
  readonly name: NumericMechanismName;
  readonly low: number;
  readonly high: number;
  readonly gridSize: number;
  /** G: output indices are {0, …, G−1}. */
  readonly outputCount: number;
  readonly kernel: GridKernel;
  /** The unbiased per-report value (in [low, high] units, may lie outside) an output index stands for. */
  outputValue(index: number): number;
  /**
   * Variance of the mean estimated from n reports of the implemented mechanism, in squared answer
   * units, when every true answer is `value` (exact for this grid and these thresholds, including
   * the input rounding); without `value`, an upper bound over all answers.
   */
  variance(n: number, value?: number): number;
}

export interface NumericSettings {
  epsilon: number;
  low: number;
  high: number;
  gridSize: number;
}

export function parseNumericOptions(options: NumericOptions): NumericSettings {
  if (typeof options !== 'object' || options === null) throw parameterError('options', 'must be an object');
  const epsilon = checkEpsilon(options.epsilon);
  const low = checkFiniteNumber(options.low, 'low');
  const high = checkFiniteNumber(options.high, 'high');
  if (!(high > low)) throw parameterError('high', `must be > low (${low}), got ${high}`);
  if (!Number.isFinite(high - low)) throw parameterError('high', 'high − low overflows');
  const gridSize = checkInteger(options.gridSize ?? DEFAULT_GRID_SIZE, 'gridSize', 1, MAX_GRID_SIZE);
  return { epsilon, low, high, gridSize };
}

/** The device half shared by Duchi, Piecewise and Hybrid: range, grid, kernel, ε, randomize. */
export abstract class GridNumericRandomizer<K extends GridKernel = GridKernel> implements Randomizer<number, number> {
  abstract readonly name: NumericMechanismName;
  readonly epsilon: number;
  readonly implementedEpsilon: number;
  readonly low: number;
  readonly high: number;
  readonly gridSize: number;
  readonly outputCount: number;
  readonly kernel: K;
  /** E[i | t] = intercept + slope·t for t ∈ [−1, 1] (exact up to floating-point evaluation). */
  readonly intercept: number;
  readonly slope: number;

  protected constructor(settings: NumericSettings, kernel: K, implementedEpsilon: number) {
    this.epsilon = settings.epsilon;
    this.low = settings.low;
    this.high = settings.high;
    this.gridSize = settings.gridSize;
    this.kernel = kernel;
    this.outputCount = kernel.outputCount;
    this.implementedEpsilon = implementedEpsilon;
    const first = kernel.mean(0);
    const last = kernel.mean(settings.gridSize);
    this.intercept = (first + last) / 2;
    this.slope = (last - first) / 2;
    if (!(this.slope > 0)) throw parameterError('epsilon', `too small for gridSize ${settings.gridSize}: outputs do not depend on the input at 2^-32 resolution`);
  }

  randomize(value: number, rng: RandomSampler): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < this.low || value > this.high) {
      throw inputError(`answer must be a finite number in [${this.low}, ${this.high}], got ${String(value)}`);
    }
    const m = this.gridSize;
    const position = this.gridPosition(value);
    const below = Math.min(m, Math.floor(position));
    const upThreshold = below === m ? 0 : Math.round((position - below) * THRESHOLD_ONE);
    // Always draw, so the number of draws does not depend on the answer.
    const gridPoint = rng.bernoulli(upThreshold) ? below + 1 : below;
    return this.kernel.sample(gridPoint, rng);
  }

  /** u = (x − low)·M/(high − low) ∈ [0, M]; multiplying first puts multiples of (high − low)/M exactly on grid points. */
  gridPosition(value: number): number {
    return Math.min(this.gridSize, Math.max(0, ((value - this.low) * this.gridSize) / (this.high - this.low)));
  }

  encodeReport(report: number): EncodedReport {
    return { payload: report };
  }

  outputValue(index: number): number {
    return this.fromUnit((index - this.intercept) / this.slope);
  }

  abstract describe(): MechanismDescription;

  protected toUnit(value: number): number {
    return (2 * (value - this.low)) / (this.high - this.low) - 1;
  }

  protected fromUnit(t: number): number {
    return this.low + ((t + 1) * (this.high - this.low)) / 2;
  }
}

export abstract class GridNumericMechanism<K extends GridKernel = GridKernel> extends GridNumericRandomizer<K> implements NumericMechanism {
  readonly sumsLength = 3;
  /** max over grid points of Var[v | t_j] in [−1, 1] units. */
  private readonly worstGridVariance: number;

  protected constructor(settings: NumericSettings, kernel: K, implementedEpsilon: number) {
    super(settings, kernel, implementedEpsilon);
    let worst = 0;
    for (let j = 0; j <= settings.gridSize; j++) worst = Math.max(worst, this.gridPointVariance(j));
    this.worstGridVariance = worst;
  }

  decodeReport(encoded: EncodedReport): number {
    const { payload } = encoded;
    if (typeof payload !== 'number' || !Number.isInteger(payload) || payload < 0 || payload >= this.outputCount || !this.kernel.isOutput(payload)) {
      throw payloadError(`${this.name} payload must be an output index in [0, ${this.outputCount}), got ${JSON.stringify(payload)}`, 'payload');
    }
    if (encoded.cohort !== undefined) throw payloadError(`${this.name} reports have no cohort`, 'cohort');
    return payload;
  }

  contribute(report: number, cells: CellSink): void {
    cells.add(0, 1);
    cells.add(1, report);
    cells.add(2, report * report);
  }

  estimate(sums: ArrayLike<number>): MeanEstimate {
    const n = sums[0] ?? 0;
    if (!(n > 0)) return { n, mean: Number.NaN, standardError: Number.NaN, ci95: [Number.NaN, Number.NaN] };
    const sumIndex = sums[1] ?? 0;
    const sumSquares = sums[2] ?? 0;
    const meanUnit = (sumIndex / n - this.intercept) / this.slope;
    const unitVariance = n >= 2 ? sampleVariance(n, sumIndex, sumSquares) / (this.slope * this.slope) : this.worstUnitVariance();
    const halfRange = (this.high - this.low) / 2;
    const mean = this.fromUnit(meanUnit);
    const standardError = Math.sqrt(unitVariance / n) * halfRange;
    return { n, mean, standardError, ci95: [mean - Z_95 * standardError, mean + Z_95 * standardError] };
  }

  variance(n: number, value?: number): number {
    const halfRange = (this.high - this.low) / 2;
    const unit = value === undefined ? this.worstUnitVariance() : this.unitVariance(this.toUnit(value));
    return (unit * halfRange * halfRange) / n;
  }

  /** Var[v | t] of one report in [−1, 1] units: interpolates the grid points and adds the rounding. */
  unitVariance(t: number): number {
    const m = this.gridSize;
    const position = Math.min(m, Math.max(0, ((t + 1) * m) / 2));
    const below = Math.min(m - 1, Math.floor(position));
    const lambda = position - below;
    const step = 2 / m;
    return (1 - lambda) * this.gridPointVariance(below) + lambda * this.gridPointVariance(below + 1) + lambda * (1 - lambda) * step * step;
  }

  /** Upper bound of Var[v | t] over t ∈ [−1, 1]: the worst grid point plus the largest rounding term (1/M)². */
  worstUnitVariance(): number {
    return this.worstGridVariance + 1 / (this.gridSize * this.gridSize);
  }

  /** Var[v | t_j] = (E[i²|j] − E[i|j]²)/B². */
  gridPointVariance(gridPoint: number): number {
    const mean = this.kernel.mean(gridPoint);
    return Math.max(0, this.kernel.meanSquare(gridPoint) - mean * mean) / (this.slope * this.slope);
  }
}

/** (nΣi² − (Σi)²)/(n(n−1)), with the numerator in exact integer arithmetic when the sums are integers. */
function sampleVariance(n: number, sum: number, sumSquares: number): number {
  if (Number.isSafeInteger(n) && Number.isSafeInteger(sum) && Number.isSafeInteger(sumSquares)) {
    const numerator = BigInt(n) * BigInt(sumSquares) - BigInt(sum) * BigInt(sum);
    return Math.max(0, Number(numerator)) / (n * (n - 1));
  }
  return Math.max(0, n * sumSquares - sum * sum) / (n * (n - 1));
}

/** Exact rational helpers for kernels' `probability`. */
export function rational(num: bigint | number, den: bigint | number): Rational {
  return { num: BigInt(num), den: BigInt(den) };
}

/** w·a + (1 − w)·b with w = weight/2^32. */
export function mixRationals(weight: number, a: Rational, b: Rational): Rational {
  const one = BigInt(THRESHOLD_ONE);
  const w = BigInt(weight);
  return { num: w * a.num * b.den + (one - w) * b.num * a.den, den: one * a.den * b.den };
}

/** Σ_{i<n} i and Σ_{i<n} i², as floats (exact below 2^53). */
export function sumBelow(n: number): number {
  return (n * (n - 1)) / 2;
}

export function sumSquaresBelow(n: number): number {
  return ((n - 1) * n * (2 * n - 1)) / 6;
}

