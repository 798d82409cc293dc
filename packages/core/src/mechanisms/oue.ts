/**
 * Optimized unary encoding (OUE).
 * Source: Wang, Blocki, Li, Jha, "Locally Differentially Private Protocols for Frequency
 * Estimation", USENIX Security 2017, §4.3.
 *
 * Randomizer: encode v ∈ [k] as the one-hot vector e_v; report the true bit as 1 with probability
 * p = 1/2 and every other bit as 1 with probability q = 1/(e^ε+1).
 * Privacy: inputs differ in two bits; the worst output (B_v = 1, B_v' = 0) has ratio
 * (p/q)·((1−q)/(1−p)) = (1−q)/q = e^ε (unary-encoding.ts gives the two-bit argument).
 * Debias (pure protocol): f̂_v = (C_v/n − q)/(p − q).
 * Variance: Var[f̂_v] = q(1−q)/(n(p−q)²) + f_v(1−p−q)/(n(p−q)) = 4e^ε/(n(e^ε−1)²) + f_v·…;
 * p = 1/2 minimises the first term over p (Wang et al. §4.3), which is why it is "optimized".
 * The population share's variance adds f_v(1−f_v)/n: π(1−π)/(n(p−q)²), π = q + f_v(1/2 − q) ≤ 1/2,
 * so it grows all the way to f_v = 1 (pure-protocol.ts).
 *
 * Implemented exactly: T1 = 2^31 (p = 1/2 is a dyadic rational, no rounding), and
 * T0 = thresholdAtLeast(1/(e^ε+1)) rounded UP, so that the worst ratio
 *   T1(2^32 − T0)/(T0(2^32 − T1)) = (2^32 − T0)/T0 ≤ e^ε  ⟺  T0 ≥ 2^32/(e^ε+1).
 * implementedEpsilon = ln((2^32 − T0)/T0), rounded up. Preconditions: k ≥ 2, 0 < ε ≤ 20.
 * Best for moderate k when k − 2 ≥ 3e^ε (else GRR) and k bits per report are affordable (else OLH
 * or Hadamard response, same variance to first order with O(log k) bits).
 */
import { thresholdAtLeast } from '../exact/thresholds.ts';
import { THRESHOLD_ONE } from '../random/sampler.ts';
import { UnaryEncoding, UnaryRandomizer, type UnaryEncodingOptions, type UnaryThresholds } from './unary-encoding.ts';

export type OueOptions = UnaryEncodingOptions;

/** P1 and P0 as integer thresholds (see the header). */
export const oueThresholds: UnaryThresholds = (epsilon) => ({ trueBit: THRESHOLD_ONE / 2, otherBit: thresholdAtLeast(1 / (Math.exp(epsilon) + 1)) });

/** The device half (see unary-encoding.ts). */
export class OueRandomizer extends UnaryRandomizer {
  readonly name = 'oue' as const;

  constructor(options: OueOptions) {
    super(options, oueThresholds);
  }
}

export class OptimizedUnaryEncoding extends UnaryEncoding {
  readonly name = 'oue' as const;

  constructor(options: OueOptions) {
    super(options, oueThresholds);
  }
}
