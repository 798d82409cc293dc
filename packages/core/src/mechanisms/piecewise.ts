/**
 * Piecewise mechanism (PM) for a numeric answer.
 * Source: N. Wang, X. Xiao, Y. Yang, J. Zhao, S. C. Hui, H. Shin, J. Shin, G. Yu, "Collecting and
 * Analyzing Multidimensional Data with Local Differential Privacy", ICDE 2019, §III-B (Algorithm 2).
 *
 * The paper's mechanism, for t ∈ [−1, 1] and C = (e^{ε/2}+1)/(e^{ε/2}−1): output y ∈ [−C, C] with
 * density p = (e^ε − e^{ε/2})/(2e^{ε/2}+2) on the window [ℓ(t), r(t)] = [(C+1)t/2 − (C−1)/2,
 * ℓ(t) + C − 1] and p/e^ε elsewhere, i.e. y lands in the window with probability
 * e^{ε/2}/(e^{ε/2}+1). E[y] = t and Var[y | t] = t²/(e^{ε/2}−1) + (e^{ε/2}+3)/(3(e^{ε/2}−1)²)
 * (Lemma 1); the worst case is at |t| = 1.
 *
 * Implemented exactly on grids (see numeric.ts for the input grid): the output range is cut into
 * G = M + W cells; the window of input grid point j is the W cells {j, …, j+W−1}; it slides one
 * cell per input step, just as [ℓ(t), r(t)] slides by (C+1)/M per step of 2/M in t. Matching the
 * paper's proportions, window/slide = (C−1)/(C+1) = e^{−ε/2}, so W = max(1, round(M·e^{−ε/2})).
 * The report falls in the window with probability T/2^32, T = ⌊2^32 · W e^ε/(W e^ε + M)⌋ (rounded
 * down), then on a uniform cell of the window (uniformInt(W)), else on a uniform cell of the M
 * others (uniformInt(M)). So every index has probability p_hi = T/(2^32 W) or p_lo =
 * (2^32 − T)/(2^32 M), and
 *
 *   worst ratio = p_hi/p_lo = T·M / ((2^32 − T)·W) ≤ e^ε       (implementedEpsilon = its log)
 *
 * because T was rounded down from the value that makes the ratio exactly e^ε.
 * E[i | j] is affine in j (the window mean moves by one cell per step, the outside mean by −W/M),
 * so the estimator (numeric.ts) is exactly unbiased; the grid adds a cell-width discretization to
 * the variance, ≈ 1/(12B²) with B ≈ 0.4·M/2 cells per unit of t — negligible for M = 1000.
 * Preconditions: ε > 0, 1 ≤ M ≤ 10^4; for large ε the window is one cell and the implemented
 * mechanism keeps its exact ε but its variance departs from the paper's (reported exactly by
 * `variance`).
 */
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import type { Rational } from '../exact/rational.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { GridNumericMechanism, GridNumericRandomizer, parseNumericOptions, rational, sumBelow, sumSquaresBelow, type GridKernel, type NumericOptions, type NumericSettings } from './numeric.ts';
import type { MechanismDescription } from './types.ts';

/** Paper variance of one PM report at t ∈ [−1, 1] (Wang et al. 2019, Lemma 1). */
export function piecewiseVariance(epsilon: number, t: number): number {
  const z = Math.exp(epsilon / 2);
  return (t * t) / (z - 1) + (z + 3) / (3 * (z - 1) * (z - 1));
}

/** Paper worst case over t (at |t| = 1). */
export function piecewiseWorstCaseVariance(epsilon: number): number {
  return piecewiseVariance(epsilon, 1);
}

/** The integer core of the discretized PM: input grid point j ↦ output cell. */
export class PiecewiseKernel implements GridKernel {
  /** M: input grid steps; also the number of cells outside any window. */
  readonly inputSteps: number;
  /** W: cells in the high-probability window. */
  readonly windowWidth: number;
  /** G = M + W. */
  readonly outputCount: number;
  /** Pr[report in the window] = windowThreshold / 2^32. */
  readonly windowThreshold: number;

  constructor(epsilon: number, inputSteps: number) {
    this.inputSteps = inputSteps;
    this.windowWidth = Math.max(1, Math.round(inputSteps * Math.exp(-epsilon / 2)));
    this.outputCount = inputSteps + this.windowWidth;
    const boost = this.windowWidth * Math.exp(epsilon);
    this.windowThreshold = thresholdAtMost(boost / (boost + inputSteps));
  }

  /** p_hi / p_lo = T·M / ((2^32 − T)·W), as the integers the test checks. */
  worstRatio(): Rational {
    return rational(BigInt(this.windowThreshold) * BigInt(this.inputSteps), (BigInt(THRESHOLD_ONE) - BigInt(this.windowThreshold)) * BigInt(this.windowWidth));
  }

  sample(gridPoint: number, rng: RandomSampler): number {
    if (rng.bernoulli(this.windowThreshold)) return gridPoint + rng.uniformInt(this.windowWidth);
    const other = rng.uniformInt(this.inputSteps);
    return other < gridPoint ? other : other + this.windowWidth;
  }

  inWindow(index: number, gridPoint: number): boolean {
    return index >= gridPoint && index < gridPoint + this.windowWidth;
  }

  probability(index: number, gridPoint: number): Rational {
    if (!this.isOutput(index)) return rational(0, 1);
    const one = BigInt(THRESHOLD_ONE);
    return this.inWindow(index, gridPoint)
      ? rational(BigInt(this.windowThreshold), one * BigInt(this.windowWidth))
      : rational(one - BigInt(this.windowThreshold), one * BigInt(this.inputSteps));
  }

  isOutput(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.outputCount;
  }

  mean(gridPoint: number): number {
    const w = this.windowWidth;
    const inside = gridPoint + (w - 1) / 2;
    const outside = (sumBelow(this.outputCount) - (w * gridPoint + sumBelow(w))) / this.inputSteps;
    return this.mix(inside, outside);
  }

  meanSquare(gridPoint: number): number {
    const windowSquares = sumSquaresBelow(gridPoint + this.windowWidth) - sumSquaresBelow(gridPoint);
    const inside = windowSquares / this.windowWidth;
    const outside = (sumSquaresBelow(this.outputCount) - windowSquares) / this.inputSteps;
    return this.mix(inside, outside);
  }

  private mix(inside: number, outside: number): number {
    const p = this.windowThreshold / THRESHOLD_ONE;
    return p * inside + (1 - p) * outside;
  }
}

/** Settings, kernel and implemented ε of Piecewise for these options (both halves build from it). */
function piecewiseParts(options: NumericOptions): [NumericSettings, PiecewiseKernel, number] {
  const settings = parseNumericOptions(options);
  const kernel = new PiecewiseKernel(settings.epsilon, settings.gridSize);
  return [settings, kernel, implementedEpsilonOf(kernel.worstRatio(), settings.epsilon)];
}

function describePiecewise(m: GridNumericRandomizer<PiecewiseKernel>): MechanismDescription {
  const p = m.kernel.windowThreshold / THRESHOLD_ONE;
  return {
    mechanism: m.name,
    epsilon: m.epsilon,
    implementedEpsilon: m.implementedEpsilon,
    truthProbability: p,
    summary: `Your answer is replaced by a random number: with probability ${p.toFixed(2)} it is drawn from a narrow band around your true answer, otherwise from anywhere in a wider range.`,
  };
}

/** The device half (see numeric.ts). */
export class PiecewiseRandomizer extends GridNumericRandomizer<PiecewiseKernel> {
  readonly name = 'piecewise' as const;

  constructor(options: NumericOptions) {
    super(...piecewiseParts(options));
  }

  describe(): MechanismDescription {
    return describePiecewise(this);
  }
}

export class PiecewiseMechanism extends GridNumericMechanism<PiecewiseKernel> {
  readonly name = 'piecewise' as const;

  constructor(options: NumericOptions) {
    super(...piecewiseParts(options));
  }

  describe(): MechanismDescription {
    return describePiecewise(this);
  }
}
