/**
 * Frequency recovery under poisoning for the unary encodings, after LDPRecover (Sun, Ye, Hu, Duan,
 * Wo, Xu, Yang, "LDPRecover: Recovering Frequencies from Poisoning Attacks against Local
 * Differential Privacy", ICDE 2024, arXiv:2403.09351). Needs only aggregates: the cell's sums (its
 * unbiased estimate) and its set-bit histogram — nothing per report, nothing beyond the cell.
 *
 * The paper's three steps, and what is ours:
 * 1. Genuine-frequency estimator. The poisoned estimate mixes genuine and malicious users:
 *    f̃ = (1 − β)·f_X + β·f̃_Y with β = m/(n + m) the fake share, so f_X = (f̃ − β·f̃_Y)/(1 − β)
 *    (the paper's (1 + η)f̃ − η·f̃_Y with η = m/n).
 * 2. Malicious statistics f̃_Y. The paper learns them from LDP properties under an assumed η; here
 *    both β and f̃_Y are LEARNED FROM THE SET-BIT HISTOGRAM (our adaptation): bins holding more
 *    reports than honest reports can explain (Poisson tail below EXCESS_ALPHA, Bonferroni over the
 *    bins) are the fake reports' counts; their excess over the honest expectation gives β̂ and the
 *    fakes' mean count μ. Fakes are modelled as the maximal-gain attack (Cao, Jia, Gong, USENIX
 *    Security 2021): r = round(μ) target bits always set — the r values with the largest poisoned
 *    estimates — and the rest of their bits at rate (μ − r)/(k − r), so
 *      f̃_Y(target) = (1 − q)/(p − q),   f̃_Y(other) = ((μ − r)/(k − r) − q)/(p − q).
 * 3. Constraint inference: the closest frequency vector to f_X with f ≥ 0 and Σf = 1 — the
 *    Euclidean projection onto the simplex, i.e. Norm-Sub (aggregate/consistency.ts), which is also
 *    Cao et al.'s "normalization" defence.
 *
 * Limits (stated in the collector README): when no bin shows an excess — honest data, or an
 * attacker whose counts follow the honest law (the adaptive attacker, Cao's random-item attack) —
 * β̂ = 0 and recovery is exactly Norm-Sub: it removes nothing it cannot see. The standard errors
 * are the poisoned estimate's, scaled by 1/(1 − β̂); they ignore the uncertainty of β̂ and of the
 * target set.
 */
import { normSub } from '../aggregate/consistency.ts';
import { logUpperGamma } from './fit-test.ts';

/** Family-wise level of the excess-bin search (Bonferroni over the bins). */
export const EXCESS_ALPHA = 1e-4;

export interface RecoveryInput {
  k: number;
  p: number;
  q: number;
  /** Honest set-bit pmf over 0..k (set-bit-model.ts, one component). */
  honest: ArrayLike<number>;
  /** The cell's set-bit histogram. */
  histogram: ArrayLike<number>;
  /** The poisoned unbiased estimate f̃, one value per domain value. */
  values: readonly number[];
  /** Exclusive answers (Σ f = 1) or not (values clipped to [0, 1]). */
  sumToOne: boolean;
}

export interface Recovery {
  /** Estimated share of fake reports, β̂ ∈ [0, 1). */
  fakeShare: number;
  /** Indices of the values taken as the attack's targets (empty when β̂ = 0). */
  targets: number[];
  /** f_X of step 1 (unbiased if the model of the fakes is right). */
  unbiased: number[];
  /** After constraint inference (step 3). */
  values: number[];
  /** Factor by which standard errors grow: 1/(1 − β̂). */
  errorScale: number;
}

/** ln Pr[Poisson(mean) ≥ observed] = ln P(observed, mean), the lower regularized gamma. */
function logPoissonUpperTail(observed: number, mean: number): number {
  if (observed <= 0) return 0;
  const q = Math.exp(logUpperGamma(observed, mean));
  return Math.log(Math.max(1 - q, Number.MIN_VALUE));
}

export function recoverFrequencies(input: RecoveryInput): Recovery {
  const { k, p, q, honest, histogram, values, sumToOne } = input;
  let n = 0;
  for (let j = 0; j < histogram.length; j++) n += histogram[j]!;
  const excess: number[] = [];
  const cutoff = Math.log(EXCESS_ALPHA / histogram.length);
  for (let j = 0; j < histogram.length; j++) {
    const e = n * (honest[j] ?? 0);
    const o = histogram[j]!;
    if (o > e && logPoissonUpperTail(o, e) < cutoff) excess.push(j);
  }
  const plain = (): Recovery => ({ fakeShare: 0, targets: [], unbiased: [...values], values: normSub(values, { sumToOne }), errorScale: 1 });
  if (excess.length === 0 || n === 0) return plain();
  // β = Σ_E (o_j − (1 − β)e_j)/n  ⇒  β = Σ_E (o_j − e_j)/(n − Σ_E e_j).
  let over = 0;
  let expectedThere = 0;
  for (const j of excess) {
    over += histogram[j]! - n * honest[j]!;
    expectedThere += n * honest[j]!;
  }
  const beta = Math.min(over / (n - expectedThere), 0.99);
  if (!(beta > 0)) return plain();
  let fakes = 0;
  let fakeBits = 0;
  for (const j of excess) {
    const f = histogram[j]! - (1 - beta) * n * honest[j]!;
    fakes += f;
    fakeBits += j * f;
  }
  const mu = fakeBits / fakes;
  const r = Math.min(k, Math.max(1, Math.round(mu)));
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const targets = order.slice(0, r).map(([, i]) => i).sort((a, b) => a - b);
  const isTarget = new Set(targets);
  const rest = r < k ? Math.max(0, mu - r) / (k - r) : 0;
  const fakeTarget = (1 - q) / (p - q);
  const fakeOther = (rest - q) / (p - q);
  const unbiased = values.map((v, i) => (v - beta * (isTarget.has(i) ? fakeTarget : fakeOther)) / (1 - beta));
  return { fakeShare: beta, targets, unbiased, values: normSub(unbiased, { sumToOne }), errorScale: 1 / (1 - beta) };
}
