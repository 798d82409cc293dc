/**
 * Accuracy planning before a campaign is published: "with n patients and ε, how wide is the 95%
 * interval?" and the inverse, "what ε do we need for ±h?". Every plan is for an estimand
 * (estimand.ts): the population share by default — what the collector releases by default — or the
 * share among the respondents.
 *
 * Frequencies. Every frequency oracle here is a pure protocol (Wang, Blocki, Li, Jha, USENIX
 * Security 2017, §3) with support probabilities p*, q* (pure-protocol.ts):
 *   population   Var[f̂_v] = π(1−π)/(n(p*−q*)²),  π = q* + f_v(p* − q*);
 *   respondents  Var[f̂_v] = q*(1−q*)/(n(p*−q*)²) + f_v(1 − p* − q*)/(n(p*−q*))  (= the above − f_v(1−f_v)/n).
 * Worst case over f ∈ [0, 1]: for the population, π(1−π) is largest where π is nearest 1/2, so at
 * f* = clip((1/2 − q*)/(p* − q*), 0, 1) — 1/2 for binary RR and SUE (p* + q* = 1), 1 whenever
 * p* ≤ 1/2 (OUE, OLH, GRR with k − 1 ≥ e^ε, e.g. k = 16 at ε = 2), ≈ 0.66 for GRR with k = 4 at
 * ε = 2; for the respondents the variance is affine in f, so f = 0 when 1 − p* − q* ≤ 0 and f = 1
 * otherwise. {@link plan} reports f = 0 (`atZero`, where both estimands agree), the worst case and the
 * f it is reached at, and optionally a given share. The closed-form p, q are used for one-level
 * mechanisms (the implemented thresholds differ by < 2^-32). Check: n = 1,000, ε = 2, yes/no gives
 * ±4.07 points in the worst case for the population (f = 1/2), ±2.64 for the respondents.
 *
 * Means. The collector's SE of a mean is the empirical one (numeric.ts): the spread of the reported
 * values y, whose variance for sampled respondents is E[Var(y | t)] + Var(t) = E[E(y² | t)] − (E t)².
 * With the paper's Var(y | t) = V(t) (Duchi et al. 2018; Wang et al., ICDE 2019 for Piecewise and
 * Hybrid), every V here is affine in t² — Duchi C² − t², Piecewise t²/(e^{ε/2}−1) + …, Hybrid
 * constant above ε* and Duchi's below — so the worst case over populations is
 * max_{t² ∈ {0, 1}} V(t) + t², reached by answers split evenly between ±t (mean 0): Duchi's stays
 * C², Piecewise's and Hybrid's (above ε*) gain the 1 of answers spread over the whole range. That is
 * the population plan; the respondents' worst case is max V(t), all answers at the worst t. Both
 * in t ∈ [−1, 1] units, scaled by ((high−low)/2)² (the input grid adds at most (1/M)², see numeric.ts).
 *
 * RAPPOR (string questions). What a clinic can learn from a candidate list is which candidates are
 * detected at all: {@link planRapporDetection} gives the smallest share detectable at n — Currie's
 * detection limit from rappor-detection.ts, the function the decoder's `detectionLimit` (and so the
 * collector's "not detectable below ≈ x%") comes from, fed the SE₀ predicted from the design.
 *
 * The inverse searches ε by bisection over multiples of {@link EPSILON_STEP} (half-widths decrease
 * in ε), keeping the upper end, so the returned ε is rounded up and always reaches the half-width.
 */
import { parameterError } from './errors.ts';
import { duchiVariance } from './mechanisms/duchi.ts';
import { checkEstimand, type Estimand } from './mechanisms/estimand.ts';
import { hybridVariance } from './mechanisms/hybrid.ts';
import { piecewiseVariance } from './mechanisms/piecewise.ts';
import { checkPower, DEFAULT_DETECTION_ALPHA, DEFAULT_DETECTION_POWER, detectionLimit, detectionThreshold, rapporStandardErrorAtZero } from './mechanisms/rappor-detection.ts';
import { clamp01, pureProtocolVariance } from './mechanisms/pure-protocol.ts';
import { Z_95, type FrequencyMechanismName, type LongitudinalFrequencyName, type NumericMechanismName, type OneLevelFrequencyName } from './mechanisms/types.ts';
import { longitudinalFrequencyRandomizer, olhHashRange, selectLongitudinalMechanism, selectMechanism } from './select.ts';
import { isMechanismName, isTwoLevelName, mechanismMeta } from './mechanisms/registry.ts';
import { checkDomainSize, checkEpsilon, checkFiniteNumber, checkInteger, MAX_EPSILON } from './validate.ts';

/** Granularity of the ε the planner proposes. */
export const EPSILON_STEP = 0.01;

export interface PureProtocolParameters {
  p: number;
  q: number;
}

/** Closed-form p*, q* of each frequency oracle (see each mechanism's header). */
export function pureParameters(mechanism: OneLevelFrequencyName, k: number, epsilon: number): PureProtocolParameters {
  const e = Math.exp(epsilon);
  switch (mechanism) {
    case 'binary-rr':
      return { p: e / (e + 1), q: 1 / (e + 1) };
    case 'grr':
      return { p: e / (e + k - 1), q: 1 / (e + k - 1) };
    case 'sue': {
      const h = Math.exp(epsilon / 2);
      return { p: h / (h + 1), q: 1 / (h + 1) };
    }
    case 'oue':
      return { p: 0.5, q: 1 / (e + 1) };
    case 'olh': {
      const g = olhHashRange(epsilon);
      return { p: e / (e + g - 1), q: 1 / g };
    }
    case 'hadamard':
      return { p: e / (e + 1), q: 0.5 };
  }
}

export interface FrequencyPlanInput {
  mechanism: FrequencyMechanismName | 'auto';
  k: number;
  epsilon: number;
  n: number;
  maxBits?: number;
  /**
   * ε∞ of a permanent level: required by the two-level forms (l-grr, l-sue, l-oue, l-osue,
   * l-soue, loloha), and with `auto` it selects among them. Their p*, q* are the chained ones of
   * the implemented thresholds (exact, not a closed form), so the plan is the collector's variance.
   */
  epsilonPermanent?: number;
  /** What the interval is for (estimand.ts); default the population share. */
  estimand?: Estimand;
  /** A share in [0, 1] to plan at as well (`atShare`), e.g. the one expected. */
  share?: number;
}

/** SE and 95% half-width of one frequency whose true value is `f`. */
export interface PlannedInterval {
  f: number;
  standardError: number;
  halfWidth95: number;
}

export interface FrequencyPlan {
  /** The mechanism planned for (`auto` resolved). */
  mechanism: FrequencyMechanismName;
  k: number;
  epsilon: number;
  n: number;
  estimand: Estimand;
  /** One frequency whose true value is ≈ 0 (rare answers); the same for both estimands. */
  atZero: PlannedInterval;
  /** The largest SE over true frequencies in [0, 1], and the frequency where it is reached (header). */
  worstCase: PlannedInterval;
  /** At `share`, when it was given. */
  atShare?: PlannedInterval;
}

export function plan(input: FrequencyPlanInput): FrequencyPlan {
  const k = input.mechanism === 'binary-rr' ? checkInteger(input.k, 'k', 2, 2) : checkDomainSize(input.k);
  const epsilon = checkEpsilon(input.epsilon);
  const n = checkInteger(input.n, 'n', 1);
  const estimand = checkEstimand(input.estimand);
  const share = input.share === undefined ? undefined : checkShare(input.share);
  const epsilonPermanent = input.epsilonPermanent === undefined ? undefined : checkEpsilon(input.epsilonPermanent, 'epsilonPermanent');
  const mechanism = resolveFrequencyMechanism(input.mechanism, k, epsilon, input.maxBits, epsilonPermanent);
  const { p, q } = isLongitudinalName(mechanism)
    ? longitudinalFrequencyRandomizer(mechanism, { k, epsilon, epsilonPermanent: epsilonPermanent! })
    : pureParameters(mechanism, k, epsilon);
  const at = (f: number): PlannedInterval => {
    const standardError = Math.sqrt(pureProtocolVariance(n, f, p, q, estimand));
    return { f, standardError, halfWidth95: Z_95 * standardError };
  };
  return {
    mechanism,
    k,
    epsilon,
    n,
    estimand,
    atZero: at(0),
    worstCase: at(worstFrequency(p, q, estimand)),
    ...(share === undefined ? {} : { atShare: at(share) }),
  };
}

/**
 * The f ∈ [0, 1] maximising Var[f̂] (planner header): for the population where π = q + f(p − q)
 * is nearest 1/2, for the respondents 0 or 1 by the sign of 1 − p − q.
 */
export function worstFrequency(p: number, q: number, estimand: Estimand = 'population'): number {
  if (estimand === 'respondents') return 1 - p - q > 0 ? 1 : 0;
  return clamp01((0.5 - q) / (p - q));
}

function checkShare(value: unknown): number {
  const f = checkFiniteNumber(value, 'share');
  if (!(f >= 0 && f <= 1)) throw parameterError('share', `must be in [0, 1], got ${f}`);
  return f;
}

function isLongitudinalName(mechanism: FrequencyMechanismName): mechanism is LongitudinalFrequencyName {
  return isTwoLevelName(mechanism);
}

function resolveFrequencyMechanism(mechanism: unknown, k: number, epsilon: number, maxBits: number | undefined, epsilonPermanent: number | undefined): FrequencyMechanismName {
  const bits = maxBits === undefined ? {} : { maxBits };
  if (mechanism === 'auto') return epsilonPermanent === undefined ? selectMechanism(k, epsilon, bits) : selectLongitudinalMechanism(k, epsilon, epsilonPermanent, bits);
  if (typeof mechanism === 'string' && isLongitudinalName(mechanism as FrequencyMechanismName)) {
    if (epsilonPermanent === undefined) throw parameterError('epsilonPermanent', `is required by the two-level ${mechanism}`);
    return mechanism as LongitudinalFrequencyName;
  }
  if (epsilonPermanent !== undefined) throw parameterError('epsilonPermanent', `only two-level mechanisms have a permanent level; ${JSON.stringify(mechanism)} is charged per report`);
  if (isMechanismName(mechanism) && mechanismMeta(mechanism).estimate === 'frequency' && !isTwoLevelName(mechanism)) return mechanism as FrequencyMechanismName;
  throw parameterError('mechanism', `unknown frequency mechanism ${JSON.stringify(mechanism)}`);
}

export interface EpsilonForInput {
  k: number;
  n: number;
  /** Target 95% half-width of a frequency, in (0, 1). */
  halfWidth: number;
  mechanism?: FrequencyMechanismName | 'auto';
  /** Which variance to meet the target for; default 'worst' (any true frequency). */
  basis?: 'zero' | 'worst';
  maxBits?: number;
  /** For two-level forms: ε∞ = ratio·ε₁ (> 1) at every ε₁ searched. */
  epsilonPermanentRatio?: number;
  /** What the interval is for (estimand.ts); default the population share. */
  estimand?: Estimand;
}

export interface EpsilonPlan {
  epsilon: number;
  mechanism: FrequencyMechanismName;
  /** Half-width actually reached at that ε (≤ the target). */
  halfWidth95: number;
}

/** Smallest ε (a multiple of EPSILON_STEP, rounded up) reaching the half-width; throws if ε ≤ 20 cannot. */
export function epsilonFor(input: EpsilonForInput): EpsilonPlan {
  const target = checkHalfWidth(input.halfWidth);
  const basis = input.basis ?? 'worst';
  const halfWidthAt = (epsilon: number): { halfWidth: number; mechanism: FrequencyMechanismName } => {
    const result = plan({
      mechanism: input.mechanism ?? 'auto',
      k: input.k,
      epsilon,
      n: input.n,
      ...(input.estimand === undefined ? {} : { estimand: input.estimand }),
      ...(input.maxBits === undefined ? {} : { maxBits: input.maxBits }),
      // The permanent level keeps its ratio to ε₁ while the search moves ε₁.
      ...(input.epsilonPermanentRatio === undefined ? {} : { epsilonPermanent: epsilon * input.epsilonPermanentRatio }),
    });
    return { halfWidth: basis === 'zero' ? result.atZero.halfWidth95 : result.worstCase.halfWidth95, mechanism: result.mechanism };
  };
  const epsilon = smallestEpsilon((e) => halfWidthAt(e).halfWidth <= target, `halfWidth ${target} is out of reach with n = ${input.n} even at ε = ${MAX_EPSILON}`);
  const reached = halfWidthAt(epsilon);
  return { epsilon, mechanism: reached.mechanism, halfWidth95: reached.halfWidth };
}

export interface NForInput {
  mechanism: FrequencyMechanismName | 'auto';
  k: number;
  epsilon: number;
  /** Target 95% half-width of a frequency, in (0, 1). */
  halfWidth: number;
  /** Which variance to meet the target for; default 'worst' (any true frequency). */
  basis?: 'zero' | 'worst';
  maxBits?: number;
  epsilonPermanent?: number;
  estimand?: Estimand;
}

/**
 * Smallest number of reports n reaching the half-width at this ε (issue 14 §3). Every variance here
 * is c/n, so n = ⌈n₀(w(n₀)/h)²⌉ from any n₀, then moved by one where floating point puts it off.
 */
export function nFor(input: NForInput): { n: number; mechanism: FrequencyMechanismName; halfWidth95: number } {
  const target = checkHalfWidth(input.halfWidth);
  const basis = input.basis ?? 'worst';
  const widthAt = (n: number): { halfWidth: number; mechanism: FrequencyMechanismName } => {
    const { halfWidth, ...rest } = input;
    void halfWidth;
    const result = plan({ ...rest, n });
    return { halfWidth: basis === 'zero' ? result.atZero.halfWidth95 : result.worstCase.halfWidth95, mechanism: result.mechanism };
  };
  let n = Math.max(1, Math.ceil(widthAt(1).halfWidth ** 2 / (target * target)));
  while (n > 1 && widthAt(n - 1).halfWidth <= target) n--;
  while (widthAt(n).halfWidth > target) n++;
  const reached = widthAt(n);
  return { n, mechanism: reached.mechanism, halfWidth95: reached.halfWidth };
}

export interface MeanPlanInput {
  mechanism: NumericMechanismName;
  epsilon: number;
  n: number;
  low: number;
  high: number;
  /**
   * Default `population`: the worst case over populations of the collector's empirical SE (header).
   * `respondents`: the worst case over fixed answers, max_t Var(y | t).
   */
  estimand?: Estimand;
}

export interface MeanPlan {
  mechanism: NumericMechanismName;
  epsilon: number;
  n: number;
  estimand: Estimand;
  /** Worst case (the paper formulas at the maximising answers, see the header), in answer units. */
  standardError: number;
  halfWidth95: number;
}

export function planMean(input: MeanPlanInput): MeanPlan {
  const epsilon = checkEpsilon(input.epsilon);
  const n = checkInteger(input.n, 'n', 1);
  const low = checkFiniteNumber(input.low, 'low');
  const high = checkFiniteNumber(input.high, 'high');
  if (!(high > low)) throw parameterError('high', `must be > low (${low}), got ${high}`);
  const estimand = checkEstimand(input.estimand);
  const unit = worstUnitVariance(input.mechanism, epsilon, estimand);
  const halfRange = (high - low) / 2;
  const standardError = Math.sqrt((unit * halfRange * halfRange) / n);
  return { mechanism: input.mechanism, epsilon, n, estimand, standardError, halfWidth95: Z_95 * standardError };
}

export interface EpsilonForMeanInput {
  mechanism: NumericMechanismName;
  n: number;
  low: number;
  high: number;
  /** Target 95% half-width of the mean, in answer units. */
  halfWidth: number;
  estimand?: Estimand;
}

export function epsilonForMean(input: EpsilonForMeanInput): { epsilon: number; mechanism: NumericMechanismName; halfWidth95: number } {
  const target = checkFiniteNumber(input.halfWidth, 'halfWidth');
  if (!(target > 0)) throw parameterError('halfWidth', `must be > 0, got ${target}`);
  const at = (epsilon: number): number => planMean({ ...input, epsilon }).halfWidth95;
  const epsilon = smallestEpsilon((e) => at(e) <= target, `halfWidth ${target} is out of reach with n = ${input.n} even at ε = ${MAX_EPSILON}`);
  return { epsilon, mechanism: input.mechanism, halfWidth95: at(epsilon) };
}

/**
 * Worst unit variance of one report (header): V(t) is affine in t² for all three mechanisms, so the
 * maximum over t ∈ [−1, 1] of V(t) (respondents) or of V(t) + t² (population) is at t ∈ {0, 1}.
 */
function worstUnitVariance(mechanism: unknown, epsilon: number, estimand: Estimand): number {
  const variance = paperVariance(mechanism);
  const spread = estimand === 'population' ? 1 : 0;
  return Math.max(variance(epsilon, 0), variance(epsilon, 1) + spread);
}

function paperVariance(mechanism: unknown): (epsilon: number, t: number) => number {
  switch (mechanism) {
    case 'duchi':
      return duchiVariance;
    case 'piecewise':
      return piecewiseVariance;
    case 'hybrid':
      return hybridVariance;
    default:
      throw parameterError('mechanism', `unknown numeric mechanism ${JSON.stringify(mechanism)}`);
  }
}

function checkHalfWidth(value: unknown): number {
  const h = checkFiniteNumber(value, 'halfWidth');
  if (!(h > 0 && h < 1)) throw parameterError('halfWidth', `must be in (0, 1), got ${h}`);
  return h;
}

/**
 * Smallest multiple of EPSILON_STEP in [EPSILON_STEP, MAX_EPSILON] satisfying `ok`, by bisection on
 * the step index. The result always satisfies `ok`; should integer effects (OLH's g, the switch of
 * `auto` between mechanisms) make `ok` locally non-monotone, it may not be the very smallest one.
 */
function smallestEpsilon(ok: (epsilon: number) => boolean, unreachable: string): number {
  const steps = Math.round(MAX_EPSILON / EPSILON_STEP);
  const at = (i: number): number => Number((i * EPSILON_STEP).toFixed(2));
  if (!ok(at(steps))) throw parameterError('halfWidth', unreachable);
  let lo = 0; // at(lo) fails or lo = 0
  let hi = steps; // at(hi) succeeds
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(at(mid))) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

export interface RapporDetectionPlanInput {
  /** Bloom filter bits, hashes, and Google's f, p, q (the campaign's, or a Rappor's `implemented`). */
  k: number;
  h: number;
  f: number;
  p: number;
  q: number;
  /** Reports expected in the cell (a day, or the total). */
  n: number;
  /** Candidates decoded against (the Bonferroni split of α). */
  candidates: number;
  /** Family-wise false-detection rate (default 0.05, the decoder's). */
  alpha?: number;
  /** Probability of detecting a share at the limit (default 0.95, the decoder's). */
  power?: number;
}

export interface RapporDetectionPlan {
  n: number;
  candidates: number;
  /** Φ⁻¹(1 − α/S), as the decoder's `zThreshold`. */
  zThreshold: number;
  power: number;
  /** Predicted SE₀ of one candidate's share (rappor-detection.ts `rapporStandardErrorAtZero`). */
  standardErrorAtZero: number;
  /** The smallest share detected with probability `power`: the decoder's `detectionLimit` at this SE₀. */
  detectableShare: number;
}

/**
 * The smallest share of reports a RAPPOR candidate needs to be detected at n (header): before
 * collection, what the collector will later say of a candidate it did not detect ("below ≈ x%").
 * Predicted for a fit without values outside the list; those raise the decoder's SE₀ by √φ̂.
 */
export function planRapporDetection(input: RapporDetectionPlanInput): RapporDetectionPlan {
  const n = checkInteger(input.n, 'n', 1);
  const candidates = checkInteger(input.candidates, 'candidates', 1);
  const alpha = checkFiniteNumber(input.alpha ?? DEFAULT_DETECTION_ALPHA, 'alpha');
  const power = checkPower(checkFiniteNumber(input.power ?? DEFAULT_DETECTION_POWER, 'power'));
  const design = { k: checkInteger(input.k, 'k', 1), h: checkInteger(input.h, 'h', 1), f: checkFiniteNumber(input.f, 'f'), p: checkFiniteNumber(input.p, 'p'), q: checkFiniteNumber(input.q, 'q') };
  const zThreshold = detectionThreshold(alpha, candidates);
  const standardErrorAtZero = rapporStandardErrorAtZero(design, n);
  return { n, candidates, zThreshold, power, standardErrorAtZero, detectableShare: detectionLimit({ standardErrorAtZero, zThreshold, power }) };
}
