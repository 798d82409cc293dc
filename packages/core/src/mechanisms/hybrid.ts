/**
 * Hybrid mechanism (HM) for a numeric answer.
 * Source: N. Wang et al., "Collecting and Analyzing Multidimensional Data with Local Differential
 * Privacy", ICDE 2019, §III-C: with probability α run the Piecewise mechanism (piecewise.ts), else
 * Duchi et al.'s (duchi.ts), with α = 1 − e^{−ε/2} when ε > ε* and α = 0 otherwise, where
 * ε* = ln((−5 + 2∛(6353 − 405√241) + 2∛(6353 + 405√241))/27) ≈ 0.61.
 * Both halves are unbiased, so Var[y | t] = α·Var_PM(t) + (1 − α)·Var_Duchi(t); with this α the
 * t² terms cancel and, for ε > ε*, Var[y | t] = (e^{ε/2}+3)/(3e^{ε/2}(e^{ε/2}−1)) +
 * (e^ε+1)²/(e^{ε/2}(e^ε−1)²) for every t (Lemma 5) — below both PM's and Duchi's worst cases.
 *
 * Implemented exactly on one output grid: the PM half is the discretized PM kernel (G = M + W
 * cells); the Duchi half reports one of two cells d0 < d1 of the same grid, symmetric about its
 * centre, with the integer thresholds of duchi.ts. One index space lets the sums stay
 * [n, Σ i, Σ i²] with a single affine debias: E[i | j] = α·E_PM[i | j] + (1−α)·E_D[i | j] is affine
 * in j because both halves are, so the estimator is exactly unbiased whatever α is. To keep the
 * paper's variance (the t² cancellation), the Duchi half is given the PM half's slope in index
 * units: d1 − d0 = Δ is the smallest span (of the grid's parity) for which the largest
 * ε-admissible threshold step reaches that slope — the grid counterpart of Duchi's outputs ±C
 * sitting inside PM's [−C_PM, C_PM] — and the step D is set to match it.
 *
 * Privacy: the mixing coin is T_α/2^32 (any value keeps the bound): for every output index i,
 * Pr[i | j] = α·P_PM(i | j) + (1−α)·P_D(i | j), and a ratio of such sums is at most the larger of
 * the halves' ratios (mediant inequality), each ≤ e^ε exactly (see the two kernels). So
 * implementedEpsilon = max of the halves' (only Duchi's when α = 0). The exactness test checks
 * the mixture itself with BigInt arithmetic.
 */
import { implementedEpsilonOf } from '../exact/epsilon.ts';
import type { Rational } from '../exact/rational.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../random/sampler.ts';
import { DuchiKernel, duchiMaxStep, duchiVariance } from './duchi.ts';
import { GridNumericMechanism, GridNumericRandomizer, mixRationals, parseNumericOptions, type GridKernel, type NumericOptions, type NumericSettings } from './numeric.ts';
import { PiecewiseKernel, piecewiseVariance } from './piecewise.ts';
import type { MechanismDescription } from './types.ts';

/** ε* of Wang et al. 2019 (§III-C): below it the Hybrid mechanism is pure Duchi. */
export const HYBRID_EPSILON_STAR = Math.log((-5 + 2 * Math.cbrt(6353 - 405 * Math.sqrt(241)) + 2 * Math.cbrt(6353 + 405 * Math.sqrt(241))) / 27);

/** α: the probability of using the Piecewise half. */
export function hybridPiecewiseProbability(epsilon: number): number {
  return epsilon > HYBRID_EPSILON_STAR ? -Math.expm1(-epsilon / 2) : 0;
}

/** Paper variance of one HM report at t ∈ [−1, 1]. */
export function hybridVariance(epsilon: number, t: number): number {
  const alpha = hybridPiecewiseProbability(epsilon);
  return alpha * piecewiseVariance(epsilon, t) + (1 - alpha) * duchiVariance(epsilon, t);
}

/** Paper worst case over t: constant in t for ε > ε*, else Duchi's C² (at t = 0). */
export function hybridWorstCaseVariance(epsilon: number): number {
  return Math.max(hybridVariance(epsilon, 0), hybridVariance(epsilon, 1));
}

export class HybridKernel implements GridKernel {
  readonly inputSteps: number;
  readonly outputCount: number;
  readonly piecewise: PiecewiseKernel;
  readonly duchi: DuchiKernel;
  /** Pr[use the Piecewise half] = mixThreshold / 2^32. */
  readonly mixThreshold: number;

  constructor(epsilon: number, inputSteps: number) {
    this.inputSteps = inputSteps;
    this.piecewise = new PiecewiseKernel(epsilon, inputSteps);
    this.outputCount = this.piecewise.outputCount;
    const last = this.outputCount - 1;
    // PM's slope of E[i | j] per input step, in cells.
    const slope = (this.piecewise.mean(inputSteps) - this.piecewise.mean(0)) / inputSteps;
    const maxStep = duchiMaxStep(epsilon, inputSteps);
    let span = Math.max(1, Math.ceil((slope * THRESHOLD_ONE) / Math.max(1, maxStep)));
    if ((span - last) % 2 !== 0) span += 1;
    span = Math.min(span, last);
    const lowIndex = (last - span) / 2;
    const alpha = hybridPiecewiseProbability(epsilon);
    this.mixThreshold = alpha === 0 ? 0 : thresholdAtMost(alpha);
    this.duchi = new DuchiKernel({
      epsilon,
      inputSteps,
      lowIndex,
      highIndex: lowIndex + span,
      outputCount: this.outputCount,
      // Pure Duchi (α = 0) has no slope to match: it takes the largest step ε allows.
      step: this.mixThreshold === 0 ? maxStep : Math.round((slope * THRESHOLD_ONE) / span),
    });
  }

  /** The larger of the halves' worst ratios (only Duchi's when the Piecewise half is never used). */
  worstRatio(): Rational {
    const d = this.duchi.worstRatio();
    if (this.mixThreshold === 0) return d;
    const p = this.piecewise.worstRatio();
    return p.num * d.den >= d.num * p.den ? p : d;
  }

  sample(gridPoint: number, rng: RandomSampler): number {
    return rng.bernoulli(this.mixThreshold) ? this.piecewise.sample(gridPoint, rng) : this.duchi.sample(gridPoint, rng);
  }

  probability(index: number, gridPoint: number): Rational {
    return mixRationals(this.mixThreshold, this.piecewise.probability(index, gridPoint), this.duchi.probability(index, gridPoint));
  }

  isOutput(index: number): boolean {
    return this.mixThreshold === 0 ? this.duchi.isOutput(index) : this.piecewise.isOutput(index);
  }

  mean(gridPoint: number): number {
    return this.mix(this.piecewise.mean(gridPoint), this.duchi.mean(gridPoint));
  }

  meanSquare(gridPoint: number): number {
    return this.mix(this.piecewise.meanSquare(gridPoint), this.duchi.meanSquare(gridPoint));
  }

  private mix(piecewise: number, duchi: number): number {
    const alpha = this.mixThreshold / THRESHOLD_ONE;
    return alpha * piecewise + (1 - alpha) * duchi;
  }
}

/** Settings, kernel and implemented ε of Hybrid for these options (both halves build from it). */
function hybridParts(options: NumericOptions): [NumericSettings, HybridKernel, number] {
  const settings = parseNumericOptions(options);
  const kernel = new HybridKernel(settings.epsilon, settings.gridSize);
  return [settings, kernel, implementedEpsilonOf(kernel.worstRatio(), settings.epsilon)];
}

function describeHybrid(m: GridNumericRandomizer<HybridKernel>): MechanismDescription {
  const alpha = m.kernel.mixThreshold / THRESHOLD_ONE;
  const window = m.kernel.piecewise.windowThreshold / THRESHOLD_ONE;
  return {
    mechanism: m.name,
    epsilon: m.epsilon,
    implementedEpsilon: m.implementedEpsilon,
    truthProbability: alpha * window,
    summary:
      alpha === 0
        ? `Only one of two numbers is sent; the closer your answer is to one end of the range, the likelier that end's number.`
        : `Your answer is replaced by a random number: ${Math.round(alpha * 100)}% of the time drawn near your true answer with probability ${window.toFixed(2)} (else anywhere in a wider range), otherwise one of two fixed numbers leaning towards your answer.`,
  };
}

/** The device half (see numeric.ts). */
export class HybridRandomizer extends GridNumericRandomizer<HybridKernel> {
  readonly name = 'hybrid' as const;

  constructor(options: NumericOptions) {
    super(...hybridParts(options));
  }

  describe(): MechanismDescription {
    return describeHybrid(this);
  }
}

export class HybridMechanism extends GridNumericMechanism<HybridKernel> {
  readonly name = 'hybrid' as const;

  constructor(options: NumericOptions) {
    super(...hybridParts(options));
  }

  describe(): MechanismDescription {
    return describeHybrid(this);
  }
}
