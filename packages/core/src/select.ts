/**
 * `auto`: the frequency oracle of least variance for a domain size k, a budget ε and an optional
 * bandwidth limit (bits per report).
 *
 * Each candidate is scored by its variance of f̂_v at f ≈ 0 for n = 1 (every variance below scales
 * as 1/n, so n does not change the ranking). Formulas: Wang, Blocki, Li, Jha, USENIX Security 2017
 * (GRR §4.1, SUE §4.2, OUE §4.3, OLH §4.4, with OLH's integer g = round(e^ε + 1) plugged into the
 * pure-protocol formula q*(1−q*)/(p*−q*)² rather than its continuous approximation); Hadamard
 * response as a pure protocol with p* = e^ε/(e^ε+1), q* = 1/2 (Acharya, Sun, Zhang, AISTATS 2019),
 * i.e. ((e^ε+1)/(e^ε−1))².
 *
 *   grr       (e^ε + k − 2)/(e^ε − 1)²            ⌈log₂ k⌉ bits
 *   sue       e^{ε/2}/(e^{ε/2} − 1)²               k bits
 *   oue       4e^ε/(e^ε − 1)²                      k bits
 *   olh       q(1−q)/(p−q)², g = round(e^ε+1)      32 + ⌈log₂ g⌉ bits (seed + bucket)
 *   hadamard  ((e^ε + 1)/(e^ε − 1))²               log₂ K bits, K = 2^⌈log₂(k+1)⌉ (hadamard.ts)
 *
 * Determinism matters more than the last digit: the device and the collector must resolve `auto`
 * to the same mechanism, so the score uses closed forms (not the implemented thresholds), and a
 * candidate replaces the current best only when it is lower by more than a relative 1e-9 — near-ties
 * (OUE and OLH agree to first order) go to the earlier candidate in {@link SELECTION_ORDER}.
 */
import { parameterError } from './errors.ts';
import { LgrrRandomizer } from './mechanisms/longitudinal/l-grr.ts';
import { LueRandomizer } from './mechanisms/longitudinal/l-ue.ts';
import { LolohaRandomizer } from './mechanisms/longitudinal/loloha.ts';
import { pureProtocolVariance } from './mechanisms/pure-protocol.ts';
import type { LongitudinalFrequencyName, OneLevelFrequencyName } from './mechanisms/types.ts';
import { checkDomainSize, checkEpsilon, checkInteger } from './validate.ts';

export type SelectableMechanism = Exclude<OneLevelFrequencyName, 'binary-rr'>;

/** Tie-break order: cheaper server work and smaller reports first. */
export const SELECTION_ORDER: readonly SelectableMechanism[] = ['grr', 'oue', 'olh', 'hadamard', 'sue'];

export interface SelectOptions {
  /** Largest report size the deployment accepts, in bits. */
  maxBits?: number;
}

export interface MechanismScore {
  mechanism: SelectableMechanism;
  /** n·Var[f̂_v] at f = 0. */
  unitVariance: number;
  reportBits: number;
}

/** OLH's hash range, as olh.ts computes it (capped at 2^21). */
export function olhHashRange(epsilon: number): number {
  return Math.min(2 ** 21, Math.max(2, Math.round(Math.exp(epsilon) + 1)));
}

export function scoreMechanism(mechanism: SelectableMechanism, k: number, epsilon: number): MechanismScore {
  const e = Math.exp(epsilon);
  switch (mechanism) {
    case 'grr':
      return { mechanism, unitVariance: (e + k - 2) / (e - 1) ** 2, reportBits: Math.ceil(Math.log2(k)) };
    case 'sue': {
      const h = Math.exp(epsilon / 2);
      return { mechanism, unitVariance: h / (h - 1) ** 2, reportBits: k };
    }
    case 'oue':
      return { mechanism, unitVariance: (4 * e) / (e - 1) ** 2, reportBits: k };
    case 'olh': {
      const g = olhHashRange(epsilon);
      const p = e / (e + g - 1);
      const q = 1 / g;
      return { mechanism, unitVariance: (q * (1 - q)) / (p - q) ** 2, reportBits: 32 + Math.ceil(Math.log2(g)) };
    }
    case 'hadamard':
      return { mechanism, unitVariance: ((e + 1) / (e - 1)) ** 2, reportBits: Math.ceil(Math.log2(k + 1)) };
  }
}

/** Every candidate's score, in {@link SELECTION_ORDER}. */
export function scoreMechanisms(k: number, epsilon: number): MechanismScore[] {
  checkDomainSize(k);
  checkEpsilon(epsilon);
  return SELECTION_ORDER.map((m) => scoreMechanism(m, k, epsilon));
}

/**
 * The least-variance frequency oracle for (k, ε) whose reports fit in `maxBits`. Throws
 * PARAMETER_INVALID naming `maxBits` when no candidate fits.
 */
export function selectMechanism(k: number, epsilon: number, options: SelectOptions = {}): SelectableMechanism {
  const maxBits = options.maxBits === undefined ? Infinity : checkInteger(options.maxBits, 'maxBits', 1);
  let best: MechanismScore | undefined;
  for (const score of scoreMechanisms(k, epsilon)) {
    if (score.reportBits > maxBits) continue;
    if (best === undefined || score.unitVariance < best.unitVariance * (1 - 1e-9)) best = score;
  }
  if (best === undefined) throw parameterError('maxBits', `no frequency oracle fits in ${maxBits} bits for k = ${k}`);
  return best.mechanism;
}

/** Tie-break order of the two-level forms: smaller reports, then fewer permanent responses. */
export const LONGITUDINAL_SELECTION_ORDER: readonly LongitudinalFrequencyName[] = ['l-grr', 'loloha', 'l-oue', 'l-osue', 'l-sue', 'l-soue'];

export interface LongitudinalScore {
  mechanism: LongitudinalFrequencyName;
  /** n·Var[f̂_v] at f = 0, from the chained p*, q* of the IMPLEMENTED thresholds (exact integers, identical on both ends). */
  unitVariance: number;
  reportBits: number;
  /** D: the permanent responses a device can use, so the lifetime charge is D·ε∞. */
  permanentCount: number;
  /** Bits every report of a device repeats (LOLOHA's hash index). */
  linkageBits: number;
}

/** The device half of a two-level frequency oracle by name (throws PARAMETER_INVALID when it cannot implement the levels). */
export function longitudinalFrequencyRandomizer(mechanism: LongitudinalFrequencyName, options: { k: number; epsilon: number; epsilonPermanent: number }): LgrrRandomizer | LueRandomizer | LolohaRandomizer {
  if (mechanism === 'l-grr') return new LgrrRandomizer(options);
  if (mechanism === 'loloha') return new LolohaRandomizer(options);
  if (mechanism === 'l-sue' || mechanism === 'l-oue' || mechanism === 'l-osue' || mechanism === 'l-soue') return new LueRandomizer(mechanism, options);
  throw parameterError('mechanism', `unknown two-level frequency oracle ${JSON.stringify(mechanism)}`);
}

/** A two-level form's score, or undefined when (k, ε₁, ε∞) is outside what it can implement. */
export function scoreLongitudinal(mechanism: LongitudinalFrequencyName, k: number, epsilon: number, epsilonPermanent: number): LongitudinalScore | undefined {
  let randomizer: LgrrRandomizer | LueRandomizer | LolohaRandomizer;
  try {
    randomizer = longitudinalFrequencyRandomizer(mechanism, { k, epsilon, epsilonPermanent });
  } catch {
    return undefined;
  }
  const reportBits =
    randomizer instanceof LgrrRandomizer ? Math.ceil(Math.log2(k)) : randomizer instanceof LolohaRandomizer ? Math.ceil(randomizer.linkageBits) + Math.ceil(Math.log2(randomizer.g)) : k;
  return { mechanism, unitVariance: pureProtocolVariance(1, 0, randomizer.p, randomizer.q), reportBits, permanentCount: randomizer.permanentCount, linkageBits: randomizer.linkageBits };
}

/**
 * `auto` for a question with a permanent level: the two-level form of least variance of ONE
 * report for (k, ε₁, ε∞) that fits in `maxBits` (the issue's rule). Scores come from the
 * implemented integer thresholds, so the device and the collector resolve the same form. The
 * lifetime charge differs (D = k for L-GRR and the L-UE family, g ≤ 31 for LOLOHA): a question
 * whose k·ε∞ exceeds the device's lifetime cap can name `loloha` explicitly.
 */
export function selectLongitudinalMechanism(k: number, epsilon: number, epsilonPermanent: number, options: SelectOptions = {}): LongitudinalFrequencyName {
  checkDomainSize(k);
  checkEpsilon(epsilon);
  checkEpsilon(epsilonPermanent, 'epsilonPermanent');
  const maxBits = options.maxBits === undefined ? Infinity : checkInteger(options.maxBits, 'maxBits', 1);
  let best: LongitudinalScore | undefined;
  for (const mechanism of LONGITUDINAL_SELECTION_ORDER) {
    const score = scoreLongitudinal(mechanism, k, epsilon, epsilonPermanent);
    if (score === undefined || score.reportBits > maxBits) continue;
    if (best === undefined || score.unitVariance < best.unitVariance * (1 - 1e-9)) best = score;
  }
  if (best === undefined) throw parameterError('epsilonPermanent', `no two-level frequency oracle implements ε₁ = ${epsilon}, ε∞ = ${epsilonPermanent} for k = ${k}${maxBits === Infinity ? '' : ` in ${maxBits} bits`}`);
  return best.mechanism;
}
