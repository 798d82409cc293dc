/**
 * Duchi et al.'s one-dimensional mechanism for a numeric answer.
 * Source: J. C. Duchi, M. I. Jordan, M. J. Wainwright, "Minimax Optimal Procedures for Locally
 * Private Estimation", JASA 113(521), 2018; in the form of Wang et al., ICDE 2019, Algorithm 1.
 *
 * For t ∈ [−1, 1]: report +C with probability (e^ε − 1)/(2e^ε + 2)·t + 1/2, else −C, with
 * C = (e^ε + 1)/(e^ε − 1). E[y] = t, Var[y | t] = C² − t² (worst case C² at t = 0).
 * Privacy: Pr[+C | t] ranges over [1/(e^ε+1), e^ε/(e^ε+1)], a ratio of e^ε (same for −C).
 *
 * Implemented exactly: the answer is first rounded without bias to the input grid t_j = −1 + 2j/M
 * (numeric.ts); the report is output index 1 (+) with probability T_j/2^32, T_j = T_0 + j·D — an
 * integer threshold exactly affine in j. With T* = ⌊2^32·e^ε/(e^ε+1)⌋ (rounded down) and
 * span = 2T* − 2^32, D = ⌊span/M⌋ and T_0 = 2^31 − ⌊MD/2⌋, so T_M = 2^31 + ⌈MD/2⌉ ≤ T* and
 * T_0 ≥ 2^32 − T*. The worst ratio over outputs and inputs is
 *
 *   max(T_M / T_0, (2^32 − T_0)/(2^32 − T_M)) ≤ T* ÷ (2^32 − T*) ≤ e^ε.
 *
 * Because E[index | j] = T_j/2^32 is exactly affine in j, E[index | t] = A + B·t with
 * A = (T_0 + MD/2)/2^32, B = MD/2^33, and (index − A)/B is exactly unbiased; its values are
 * ±(1 − A)/B ≈ ±C. Sums: [n, Σ index, Σ index²] (the last equals the second for 0/1 indices).
 * Preconditions: ε > 0 with span ≥ M (ε ≳ 2M/2^31, i.e. any ε ≥ 10^-4 with M ≤ 10^4).
 *
 * The same kernel, with other output indices and a smaller step D, is the "Duchi" half of the
 * Hybrid mechanism (hybrid.ts).
 */
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import { parameterError } from '../errors.ts';
import type { Rational } from '../exact/rational.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { GridNumericMechanism, GridNumericRandomizer, parseNumericOptions, rational, type GridKernel, type NumericOptions, type NumericSettings } from './numeric.ts';
import type { MechanismDescription } from './types.ts';

/** C = (e^ε + 1)/(e^ε − 1), the magnitude of Duchi et al.'s outputs. */
export function duchiOutputMagnitude(epsilon: number): number {
  return (Math.exp(epsilon) + 1) / Math.expm1(epsilon);
}

/** Paper variance of one report at t ∈ [−1, 1]: C² − t². */
export function duchiVariance(epsilon: number, t: number): number {
  const c = duchiOutputMagnitude(epsilon);
  return c * c - t * t;
}

/** Paper worst case over t (at t = 0): C². */
export function duchiWorstCaseVariance(epsilon: number): number {
  return duchiVariance(epsilon, 0);
}

export interface DuchiKernelOptions {
  epsilon: number;
  inputSteps: number;
  /** Output index for "−" (default 0) and "+" (default 1), within [0, outputCount). */
  lowIndex?: number;
  highIndex?: number;
  outputCount?: number;
  /** Threshold step D per grid point; capped at the largest ε allows (default: that largest). */
  step?: number;
}

/** The largest threshold step D per input grid step that keeps the ratio ≤ e^ε (see header). */
export function duchiMaxStep(epsilon: number, inputSteps: number): number {
  const e = Math.exp(epsilon);
  const top = thresholdAtMost(e / (e + 1));
  const span = 2 * top - THRESHOLD_ONE;
  return Math.floor(span / inputSteps);
}

export class DuchiKernel implements GridKernel {
  readonly inputSteps: number;
  readonly outputCount: number;
  readonly lowIndex: number;
  readonly highIndex: number;
  /** Pr[highIndex | j] = (lowThreshold + j·thresholdStep)/2^32. */
  readonly lowThreshold: number;
  readonly thresholdStep: number;
  readonly highThreshold: number;

  constructor(options: DuchiKernelOptions) {
    this.inputSteps = options.inputSteps;
    this.lowIndex = options.lowIndex ?? 0;
    this.highIndex = options.highIndex ?? 1;
    this.outputCount = options.outputCount ?? 2;
    const maxStep = duchiMaxStep(options.epsilon, options.inputSteps);
    if (maxStep < 1) throw parameterError('epsilon', `too small for gridSize ${options.inputSteps}: the input grid is finer than 2^-32 threshold resolution allows`);
    this.thresholdStep = Math.max(1, Math.min(maxStep, Math.floor(options.step ?? maxStep)));
    const total = this.inputSteps * this.thresholdStep;
    this.lowThreshold = THRESHOLD_ONE / 2 - Math.floor(total / 2);
    this.highThreshold = this.lowThreshold + total;
  }

  threshold(gridPoint: number): number {
    return this.lowThreshold + gridPoint * this.thresholdStep;
  }

  /** max(T_M/T_0, (2^32 − T_0)/(2^32 − T_M)) as exact integers. */
  worstRatio(): Rational {
    const one = BigInt(THRESHOLD_ONE);
    const lo = BigInt(this.lowThreshold);
    const hi = BigInt(this.highThreshold);
    // a/b ≥ c/d ⇔ ad ≥ cb.
    return hi * (one - hi) >= (one - lo) * lo ? rational(hi, lo) : rational(one - lo, one - hi);
  }

  sample(gridPoint: number, rng: RandomSampler): number {
    return rng.bernoulli(this.threshold(gridPoint)) ? this.highIndex : this.lowIndex;
  }

  probability(index: number, gridPoint: number): Rational {
    const one = BigInt(THRESHOLD_ONE);
    const high = BigInt(this.threshold(gridPoint));
    if (index === this.highIndex) return rational(high, one);
    if (index === this.lowIndex) return rational(one - high, one);
    return rational(0, 1);
  }

  isOutput(index: number): boolean {
    return index === this.lowIndex || index === this.highIndex;
  }

  mean(gridPoint: number): number {
    const p = this.threshold(gridPoint) / THRESHOLD_ONE;
    return this.lowIndex + p * (this.highIndex - this.lowIndex);
  }

  meanSquare(gridPoint: number): number {
    const p = this.threshold(gridPoint) / THRESHOLD_ONE;
    return this.lowIndex * this.lowIndex + p * (this.highIndex * this.highIndex - this.lowIndex * this.lowIndex);
  }
}

/** Settings, kernel and implemented ε of Duchi for these options (both halves build from it). */
function duchiParts(options: NumericOptions): [NumericSettings, DuchiKernel, number] {
  const settings = parseNumericOptions(options);
  const kernel = new DuchiKernel({ epsilon: settings.epsilon, inputSteps: settings.gridSize });
  return [settings, kernel, implementedEpsilonOf(kernel.worstRatio(), settings.epsilon)];
}

function describeDuchi(m: GridNumericRandomizer<DuchiKernel>): MechanismDescription {
  const p = m.kernel.highThreshold / THRESHOLD_ONE;
  const low = m.outputValue(0);
  const high = m.outputValue(1);
  return {
    mechanism: m.name,
    epsilon: m.epsilon,
    implementedEpsilon: m.implementedEpsilon,
    truthProbability: p,
    summary: `Only one of two numbers is sent, ${formatValue(low)} or ${formatValue(high)}; the closer your answer is to one end of the range, the likelier that end's number (at most ${p.toFixed(2)}).`,
  };
}

/** The device half (see numeric.ts). */
export class DuchiRandomizer extends GridNumericRandomizer<DuchiKernel> {
  readonly name = 'duchi' as const;

  constructor(options: NumericOptions) {
    super(...duchiParts(options));
  }

  describe(): MechanismDescription {
    return describeDuchi(this);
  }
}

export class DuchiMechanism extends GridNumericMechanism<DuchiKernel> {
  readonly name = 'duchi' as const;

  constructor(options: NumericOptions) {
    super(...duchiParts(options));
  }

  describe(): MechanismDescription {
    return describeDuchi(this);
  }
}

function formatValue(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
