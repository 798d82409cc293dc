/**
 * Privacy amplification by shuffling (Feldman, McMillan, Talwar, "Hiding Among the Clones", FOCS
 * 2021, Theorem 3.1): n reports that are each ε₀-LDP, stripped of metadata and shuffled, are
 * (ε, δ)-DP centrally with
 *   ε ≤ log(1 + (e^{ε₀} − 1)/(e^{ε₀} + 1) · (8·√(e^{ε₀}·log(4/δ))/√n + 8·e^{ε₀}/n)),
 * valid when ε₀ ≤ log(n / (16·log(2/δ))). Outside that range no amplification is claimed (the
 * local ε₀ stands). The collector stores no per-device metadata and aggregates are order-free,
 * which is what the shuffle model needs. Collector-local until core's `shuffleAmplifiedEpsilon` lands.
 */
export interface Amplification {
  epsilon: number;
  delta: number;
  /** False when the theorem's precondition fails and `epsilon` is just the local ε₀. */
  amplified: boolean;
}

export function shuffleAmplification(epsilon0: number, n: number, delta: number): Amplification {
  if (!(n >= 1) || !(delta > 0 && delta < 1) || !(epsilon0 > 0)) return { epsilon: epsilon0, delta: 0, amplified: false };
  if (epsilon0 > Math.log(n / (16 * Math.log(2 / delta)))) return { epsilon: epsilon0, delta: 0, amplified: false };
  const e0 = Math.exp(epsilon0);
  const bound = Math.log1p(((e0 - 1) / (e0 + 1)) * ((8 * Math.sqrt(e0 * Math.log(4 / delta))) / Math.sqrt(n) + (8 * e0) / n));
  return bound < epsilon0 ? { epsilon: bound, delta, amplified: true } : { epsilon: epsilon0, delta: 0, amplified: false };
}
