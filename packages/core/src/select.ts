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
import type { FrequencyMechanismName } from './mechanisms/types.ts';
import { checkDomainSize, checkEpsilon, checkInteger } from './validate.ts';

export type SelectableMechanism = Exclude<FrequencyMechanismName, 'binary-rr'>;

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
