/**
 * Numeric answers over time: α-point rounding to a few levels, a memoized 1-bit response per
 * level (the permanent level), and a fresh bit flip on every report (the instantaneous level).
 * Source: Ding, Kulkarni, Yekhanin, "Collecting Telemetry Data Privately", NeurIPS 2017 (1BitMean,
 * §2; α-point rounding and memoization, §3) — with the instantaneous level added, as RAPPOR's IRR,
 * so that a repeated answer is not re-sent as an identical bit forever.
 *
 * Device: draws r uniform in [0, 2^32) ONCE. An answer x ∈ [low, high] is u = (x − low)/(high − low)
 * ∈ [0, 1], N = u·s with s = levels − 1, and its level is ℓ = ⌊N⌋ + [r < U], U = round(frac(N)·2^32):
 * over the device's r, E[ℓ] = N up to 2^-32 (the resolution of every threshold here), and a device
 * keeps the same level for the same answer — Ding et al.'s α-point rounding (α ↔ 1 − r/2^32).
 * Permanent: bit b = 1 w.p. T_ℓ/O with T_ℓ = T_0 + ℓ·Δ (O = 2^32): linear in ℓ EXACTLY, so E[b] is
 * linear in u. T_s = GRR's keep threshold at ε∞ over 2 values, T_0 = O − T_s, Δ = ⌊(T_s − T_0)/s⌋
 * (the top then moves down to T_0 + sΔ, which only lowers the ratio). ε∞ = ln max(T_top/T_0,
 * (O − T_0)/(O − T_top)), in BigInt.
 * Instantaneous: y = b w.p. T2/O, else 1 − b. Chained: Pr[y = 1 | ℓ] = c(T_ℓ)/O² with
 * c(T) = T·T2 + (O − T)(O − T2), linear in T, so the worst ratio of one report is at the extreme
 * levels: max(c(T_top)/c(T_0), (O² − c(T_0))/(O² − c(T_top))) ≤ e^ε₁; T2 is the largest integer for
 * which that holds exactly (two-level.ts).
 * Estimation: E[y] = A + B·u with A = ((O − T2)·O + (2T2 − O)·T_0)/O² and B = (2T2 − O)·s·Δ/O², so
 * x̂ = low + (high − low)·(ȳ − A)/B is unbiased. Var[x̂] = (high − low)²·μ(1 − μ)/(n·B²) with
 * μ = A + B·ū for answers of mean ū — each report is a Bernoulli(μ_i) and the mean of Bernoullis has
 * variance ≤ μ̄(1 − μ̄)/n; the reported SE uses the empirical ȳ(1 − ȳ)/(n − 1), which (like numeric.ts)
 * includes the spread of the answers. Longitudinal: D = levels (default 2, Ding et al.'s choice when
 * memoizing: fewest permanent responses).
 * Wire: payload 0 or 1; sums [n, Σy].
 */
import { inputError, parameterError, payloadError } from '../../errors.ts';
import { thresholdAtMost } from '../../exact/thresholds.ts';
import type { Rational } from '../../exact/rational.ts';
import { THRESHOLD_ONE, type RandomSampler } from '../../random/sampler.ts';
import { checkEpsilon, checkFiniteNumber, checkInteger } from '../../validate.ts';
import { implementedEpsilonOf } from '../../exact/epsilon.ts';
import { Z_95, type EncodedReport, type MeanEstimate, type MechanismDescription, type CellSink } from '../types.ts';
import { checkLevels, exactlyWithin, largestWith, worseDirection, type TwoLevelRandomizer } from './two-level.ts';

export interface AlphaOneBitOptions {
  epsilon: number;
  epsilonPermanent: number;
  low: number;
  high: number;
  /** Rounding levels s + 1 ≥ 2 (D, the permanent responses a device can use); default 2. */
  levels?: number;
}

const O = BigInt(THRESHOLD_ONE);
const O2 = O * O;

function larger(a: Rational, b: Rational): Rational {
  return a.num * b.den >= b.num * a.den ? a : b;
}

export class AlphaOneBitRandomizer implements TwoLevelRandomizer<number, 0 | 1, 0 | 1, number> {
  readonly name = 'alpha-1bit' as const;
  readonly longitudinal = true as const;
  readonly epsilon: number;
  readonly epsilonPermanent: number;
  readonly implementedEpsilon: number;
  readonly permanentEpsilon: number;
  readonly instantaneousEpsilon: number;
  readonly permanentCount: number;
  readonly linkageBits = 0;
  readonly parameterKey: string;
  readonly low: number;
  readonly high: number;
  /** s: levels are 0…s. */
  readonly steps: number;
  readonly bottom: number;
  readonly step: number;
  readonly keep: number;
  /** E[y] = intercept + slope·u. */
  readonly intercept: number;
  readonly slope: number;

  constructor(options: AlphaOneBitOptions) {
    this.epsilon = checkEpsilon(options?.epsilon);
    this.epsilonPermanent = checkEpsilon(options.epsilonPermanent, 'epsilonPermanent');
    checkLevels(this.epsilon, this.epsilonPermanent);
    this.low = checkFiniteNumber(options.low, 'low');
    this.high = checkFiniteNumber(options.high, 'high');
    if (!(this.high > this.low) || !Number.isFinite(this.high - this.low)) throw parameterError('high', `must be > low (${this.low}) with a finite range, got ${this.high}`);
    const levels = checkInteger(options.levels ?? 2, 'levels', 2, 64);
    this.steps = levels - 1;
    const e = Math.exp(this.epsilonPermanent);
    const top = thresholdAtMost(e / (e + 1));
    this.bottom = THRESHOLD_ONE - top;
    this.step = Math.floor((top - this.bottom) / this.steps);
    if (!(this.step > 0)) throw parameterError('epsilonPermanent', 'too small for this many levels at 2^-32 resolution');
    const [T0, Ttop] = [BigInt(this.bottom), BigInt(this.bottom + this.steps * this.step)];
    this.permanentEpsilon = implementedEpsilonOf(larger({ num: Ttop, den: T0 }, { num: O - T0, den: O - Ttop }), this.epsilonPermanent);
    const c = (t: bigint, t2: bigint) => t * t2 + (O - t) * (O - t2);
    const ratioAt = (keep: number): Rational => {
      const k2 = BigInt(keep);
      return larger(worseDirection({ num: c(Ttop, k2), den: c(T0, k2) }), worseDirection({ num: O2 - c(T0, k2), den: O2 - c(Ttop, k2) }));
    };
    const within = exactlyWithin(this.epsilon);
    const keep = largestWith(THRESHOLD_ONE / 2 + 1, THRESHOLD_ONE - 1, (t) => within(ratioAt(t)));
    if (keep === undefined) throw parameterError('epsilon', 'too small: the chained report would carry no signal at 2^-32 resolution');
    this.keep = keep;
    this.implementedEpsilon = implementedEpsilonOf(ratioAt(keep), this.epsilon);
    this.instantaneousEpsilon = implementedEpsilonOf({ num: BigInt(keep), den: O - BigInt(keep) }, Infinity);
    this.permanentCount = levels;
    const one = THRESHOLD_ONE;
    this.intercept = ((one - keep) * one + (2 * keep - one) * this.bottom) / (one * one);
    this.slope = ((2 * keep - one) * this.steps * this.step) / (one * one);
    this.parameterKey = `alpha-1bit/low=${this.low}/high=${this.high}/levels=${levels}/T0=${this.bottom}/step=${this.step}`;
  }

  device(rng: RandomSampler): number {
    return rng.uint32();
  }

  slotOf(value: number, offset: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < this.low || value > this.high) throw inputError(`answer must be a finite number in [${this.low}, ${this.high}], got ${String(value)}`);
    const position = Math.min(this.steps, Math.max(0, ((value - this.low) * this.steps) / (this.high - this.low)));
    const below = Math.min(this.steps, Math.floor(position));
    const up = below === this.steps ? 0 : Math.round((position - below) * THRESHOLD_ONE);
    return offset < up ? below + 1 : below;
  }

  permanent(level: number, rng: RandomSampler): 0 | 1 {
    return rng.bernoulli(this.bottom + level * this.step) ? 1 : 0;
  }

  instantaneous(bit: 0 | 1, _offset: number, rng: RandomSampler): 0 | 1 {
    return rng.bernoulli(this.keep) ? bit : bit === 1 ? 0 : 1;
  }

  randomize(value: number, rng: RandomSampler): 0 | 1 {
    const offset = this.device(rng);
    return this.instantaneous(this.permanent(this.slotOf(value, offset), rng), offset, rng);
  }

  encodeReport(report: 0 | 1): EncodedReport {
    return { payload: report };
  }

  describe(): MechanismDescription {
    return {
      mechanism: this.name,
      epsilon: this.epsilon,
      implementedEpsilon: this.implementedEpsilon,
      truthProbability: this.keep / THRESHOLD_ONE,
      summary:
        `Only one yes/no flag is sent, more often "yes" the higher your answer. Your answer is rounded to one of ${this.permanentCount} levels by a rule fixed on this device, ` +
        `each level has a fixed flag, and every report flips that flag with probability ${(1 - this.keep / THRESHOLD_ONE).toFixed(2)}.`,
    };
  }
}

export class AlphaOneBitMean extends AlphaOneBitRandomizer {
  readonly sumsLength = 2;

  decodeReport(encoded: EncodedReport): 0 | 1 {
    if (encoded.cohort !== undefined) throw payloadError('alpha-1bit reports have no cohort', 'cohort');
    if (encoded.payload !== 0 && encoded.payload !== 1) throw payloadError(`alpha-1bit payload must be 0 or 1, got ${JSON.stringify(encoded.payload)}`, 'payload');
    return encoded.payload;
  }

  contribute(report: 0 | 1, cells: CellSink): void {
    cells.add(0, 1);
    cells.add(1, report);
  }

  estimate(sums: ArrayLike<number>): MeanEstimate {
    const n = sums[0] ?? 0;
    if (n === 0) return { n, mean: Number.NaN, standardError: Number.NaN, ci95: [Number.NaN, Number.NaN] };
    const share = (sums[1] ?? 0) / n;
    const range = this.high - this.low;
    const mean = this.low + (range * (share - this.intercept)) / this.slope;
    // Empirical Bernoulli variance (n − 1); with one report, the worst case 1/4.
    const spread = n < 2 ? 0.25 : (share * (1 - share) * n) / (n - 1);
    const standardError = (range * Math.sqrt(spread / n)) / this.slope;
    return { n, mean, standardError, ci95: [mean - Z_95 * standardError, mean + Z_95 * standardError] };
  }

  /** Var[x̂] from n reports when every answer is `value` (exact); without it, the worst case over answers. */
  variance(n: number, value?: number): number {
    const range = this.high - this.low;
    let mu: number;
    if (value === undefined) mu = Math.abs(this.intercept - 0.5) < Math.abs(this.intercept + this.slope - 0.5) ? this.intercept : this.intercept + this.slope;
    else mu = this.intercept + this.slope * ((value - this.low) / range);
    const worst = value === undefined && this.intercept <= 0.5 && this.intercept + this.slope >= 0.5 ? 0.25 : mu * (1 - mu);
    return (range * range * worst) / (n * this.slope * this.slope);
  }
}
