/**
 * The set-bit count of an honest report, for the mechanisms whose report is a bit vector (issue 17 §2).
 *
 * Unary encodings (SUE, OUE: Wang, Blocki, Li, Jha, USENIX Security 2017 §4.2; their longitudinal
 * forms L-SUE, L-OUE, L-OSUE, L-SOUE: Arcolezi et al. 2022) send k independent bits: the answer's
 * bit is 1 with probability p, each of the k − 1 others with q (for the longitudinal forms the
 * chained P, Q of l-ue.ts, which are the marginal per-bit probabilities of one report, the
 * permanent response's randomness included). The number of set bits is therefore
 *   Bern(p) + Binomial(k − 1, q)   — the same for every answer,
 * a Poisson-binomial law computed here exactly (up to float rounding) by convolution. A report
 * whose count is implausible under it did not come from the randomizer, whatever answer it claims.
 *
 * RAPPOR (Erlingsson, Pihur, Korolova, CCS 2014): bit i of a report is 1 with q₁ if bit i of the
 * value's Bloom filter is set, p₁ otherwise (rappor.ts, rapporReportProbabilities; the PRR is
 * permanent per device but marginally independent per bit). The count is Binomial(s, q₁) +
 * Binomial(k − s, p₁) where s ∈ [1, h] is the number of DISTINCT Bloom bits of the value in its
 * cohort — h unless two hashes collide. s depends on the value, so the honest law is a MIXTURE of h
 * components with unknown weights; the test fits the weights (fit-test.ts), so no assumption about
 * which strings patients report is needed.
 *
 * What each mechanism can and cannot reveal to this test (README "Poisoning" has the table):
 * - GRR, binary RR, Hadamard response, L-GRR: a report is one valid value (or one index); a fake
 *   report is indistinguishable from an honest report of that value — nothing can be detected.
 * - OLH, LOLOHA: a report is (hash seed, bucket): every pair is a valid honest report, so no single
 *   report is implausible. The sum of per-value supports over all reports has a known honest mean
 *   (p + (k − 1)/g per report under a random hash), which a maximal-gain attacker raises; it is a
 *   weak, sums-only signal not implemented here (at 5% fake users it moves by well under one
 *   standard deviation at n = 1,000 with k = 16, ε = 1).
 * - Numeric mechanisms and padding-and-sampling (whose inner oracles are GRR/OLH/L-GRR/LOLOHA): as
 *   GRR — every output is a valid output.
 * - Unary encodings and RAPPOR: counts far from the honest law (the maximal-gain attack of Cao, Jia,
 *   Gong, USENIX Security 2021 sets only the target bits) show in the histogram. An attacker who
 *   draws its count from the honest law and fills the remaining bits at random (the adaptive
 *   attacker) matches it exactly and is NOT detected by this test.
 */

/** A null law of set-bit counts: a mixture of `components` (each a pmf over 0..bits) with free weights. */
export interface SetBitModel {
  /** Largest possible count (the report's bit length); histograms have bits + 1 bins. */
  bits: number;
  /** One pmf for the unary encodings; h for RAPPOR (component s − 1 = s distinct Bloom bits). */
  components: Float64Array[];
  /** For the unary encodings, what LDPRecover needs (ldp-recover.ts). */
  unary?: { k: number; p: number; q: number };
}

/** The mechanism fields read here: every frequency oracle and RAPPOR has them under these names. */
export interface BitMechanismShape {
  name: string;
  k?: number;
  p?: number;
  q?: number;
  h?: number;
  implemented?: { f: number; p: number; q: number };
}

const UNARY = new Set(['oue', 'sue', 'l-oue', 'l-sue', 'l-osue', 'l-soue']);

/** Whether a mechanism's reports are bit vectors with a known honest set-bit law. */
export function hasSetBitModel(mechanism: BitMechanismShape): boolean {
  return UNARY.has(mechanism.name) || mechanism.name === 'rappor';
}

/** pmf of Bern(p)·[ones] + Binomial(n, q), by convolution one Bernoulli at a time. */
function poissonBinomial(trueBits: number, pTrue: number, others: number, q: number): Float64Array {
  let pmf = new Float64Array([1]);
  const step = (prob: number) => {
    const next = new Float64Array(pmf.length + 1);
    for (let j = 0; j < pmf.length; j++) {
      next[j]! += pmf[j]! * (1 - prob);
      next[j + 1]! += pmf[j]! * prob;
    }
    pmf = next;
  };
  for (let i = 0; i < trueBits; i++) step(pTrue);
  for (let i = 0; i < others; i++) step(q);
  return pmf;
}

/** The honest set-bit law of `mechanism`, or undefined when it has none (see the header). */
export function setBitModel(mechanism: BitMechanismShape): SetBitModel | undefined {
  if (UNARY.has(mechanism.name)) {
    const { k, p, q } = mechanism as { k: number; p: number; q: number };
    return { bits: k, components: [poissonBinomial(1, p, k - 1, q)], unary: { k, p, q } };
  }
  if (mechanism.name === 'rappor' && mechanism.implemented !== undefined) {
    const { f, p, q } = mechanism.implemented;
    const k = mechanism.k!;
    const h = mechanism.h!;
    // rappor.ts rapporReportProbabilities: q₁ = Pr[IRR 1 | Bloom 1], p₁ = Pr[IRR 1 | Bloom 0].
    const q1 = q * (1 - f / 2) + p * (f / 2);
    const p1 = p * (1 - f / 2) + q * (f / 2);
    const components: Float64Array[] = [];
    for (let s = 1; s <= h; s++) components.push(poissonBinomial(s, q1, k - s, p1));
    return { bits: k, components };
  }
  return undefined;
}

/** Set bits of a decoded report of a mechanism with a model: a packed Uint8Array (unary) or RAPPOR's { bits } (one byte per bit). */
export function setBitCount(mechanism: BitMechanismShape, report: unknown): number {
  if (mechanism.name === 'rappor') {
    const bits = (report as { bits: Uint8Array }).bits;
    let n = 0;
    for (let i = 0; i < bits.length; i++) n += bits[i]! === 0 ? 0 : 1;
    return n;
  }
  const packed = report as Uint8Array;
  let n = 0;
  for (let i = 0; i < packed.length; i++) {
    let byte = packed[i]!;
    while (byte !== 0) {
      byte &= byte - 1;
      n++;
    }
  }
  return n;
}
