/**
 * Symmetric unary encoding (SUE) — basic one-time RAPPOR.
 * Source: Erlingsson, Pihur, Korolova, CCS 2014 (RAPPOR with f = 0 and a single report, i.e. only
 * the instantaneous randomized response on a one-hot vector); analysed as "SUE" by Wang, Blocki,
 * Li, Jha, USENIX Security 2017, §4.2.
 *
 * Randomizer: encode v ∈ [k] as the one-hot vector e_v; keep each bit with probability
 * p = e^{ε/2}/(e^{ε/2}+1) and flip it otherwise, so Pr[1|1] = p and Pr[1|0] = q = 1 − p.
 * Privacy: two inputs differ in two bits; each contributes at most p/q = e^{ε/2}, so the worst
 * ratio is (p/q)² = e^ε (see unary-encoding.ts for the general two-bit argument).
 * Debias (pure protocol, support = {j : B_j = 1}): f̂_v = (C_v/n − q)/(p − q).
 * Variance: Var[f̂_v] = q(1−q)/(n(p−q)²) + f_v(1−p−q)/(n(p−q)); since p + q = 1 the second term
 * vanishes and Var = e^{ε/2}/(n(e^{ε/2}−1)²) for every f — for the respondents; the population
 * share's adds f_v(1−f_v)/n, largest at f_v = 1/2 (pure-protocol.ts).
 *
 * Implemented exactly: T1 = thresholdAtMost(p)·2^32 (rounded toward privacy), T0 = 2^32 − T1, so
 * the implemented mechanism is still symmetric (p* + q* = 1 exactly) and its worst ratio is
 *   T1(2^32 − T0)/(T0(2^32 − T1)) = (T1/(2^32 − T1))² ≤ (e^{ε/2})² = e^ε,
 * because T1 ≤ 2^32·e^{ε/2}/(e^{ε/2}+1) ⟺ T1/(2^32−T1) ≤ e^{ε/2}. implementedEpsilon is
 * 2·ln(T1/(2^32 − T1)), rounded up. Preconditions: k ≥ 2, 0 < ε ≤ 20.
 * Costs k bits per report; prefer OUE (lower variance for ε > 0) unless symmetric bits are needed.
 */
import { THRESHOLD_ONE } from '../random/sampler.ts';
import { thresholdAtMost } from '../exact/thresholds.ts';
import { UnaryEncoding, UnaryRandomizer, type UnaryEncodingOptions, type UnaryThresholds } from './unary-encoding.ts';

export type SueOptions = UnaryEncodingOptions;

/** P1 and P0 as integer thresholds (see the header). */
export const sueThresholds: UnaryThresholds = (epsilon) => {
  const half = Math.exp(epsilon / 2);
  const trueBit = thresholdAtMost(half / (half + 1));
  return { trueBit, otherBit: THRESHOLD_ONE - trueBit };
};

/** The device half (see unary-encoding.ts). */
export class SueRandomizer extends UnaryRandomizer {
  readonly name = 'sue' as const;

  constructor(options: SueOptions) {
    super(options, sueThresholds);
  }
}

export class SymmetricUnaryEncoding extends UnaryEncoding {
  readonly name = 'sue' as const;

  constructor(options: SueOptions) {
    super(options, sueThresholds);
  }
}
