/**
 * Goodness of fit of a set-bit histogram to its honest law (set-bit-model.ts): the G-test
 * (likelihood-ratio test of a multinomial, G = 2 Σ O ln(O/E); Sokal & Rohlf, Biometry, ch. 17),
 * referred to χ² with (groups − 1 − fitted parameters) degrees of freedom.
 *
 * Pooling. The χ² approximation needs expected counts that are not tiny, so adjacent bins are
 * merged from the left until each group expects ≥ MIN_EXPECTED reports (Cochran's rule, 5), and
 * a short remainder joins the last group. The tails — where a maximal-gain attacker's counts land
 * — become one group each side, which still shows an excess of tens of reports there.
 *
 * Mixture (RAPPOR's h components): the weights are fitted by EM (maximum likelihood of the
 * histogram; Dempster, Laird, Rubin 1977). The degrees of freedom are NOT reduced for them: the
 * weight of collided Bloom filters is small, so its estimate often sits on the boundary (0), where
 * the usual "one df per fitted parameter" makes the test anti-conservative (measured: 16% of honest
 * cells below p = 0.1 with h − 1 df removed). With groups − 1 df the test is conservative: the
 * fitted weights can only lower G below its value at the true weights, which is χ²(groups − 1) —
 * provided they ARE the maximum-likelihood weights, hence a fit to a certified optimum
 * (mixture-weights.ts)
 * (test/integrity-calibration.test.ts: 8.8% of 8,000 seeded honest RAPPOR cells below p = 0.1,
 * 0.95% below 0.01).
 */

import { fitMixtureWeights } from './mixture-weights.ts';

/** Cochran's rule: every group expects at least this many reports. */
export const MIN_EXPECTED = 5;

export interface FitResult {
  /** G statistic over the pooled groups. */
  statistic: number;
  degreesOfFreedom: number;
  /** ln of the χ² upper-tail p-value (a log, so that tiny p-values keep their size). */
  logPValue: number;
  /** Number of reports tested. */
  n: number;
}

/** Lanczos approximation of ln Γ(x), x > 0 (Numerical Recipes 3rd ed. §6.1, g = 7, n = 9). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ln Q(a, x), the regularized upper incomplete gamma function: the series of P below a + 1, the
 * continued fraction of Q above (Numerical Recipes §6.2, gser/gcf), the latter in logs.
 */
export function logUpperGamma(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    const p = Math.exp(front) * sum;
    return Math.log1p(-Math.min(p, 1));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return front + Math.log(h);
}

/** ln Pr[χ²_dof ≥ x]. */
export function logChiSquareSurvival(x: number, dof: number): number {
  return logUpperGamma(dof / 2, x / 2);
}

/** The honest pmf: Σ_s w_s · component_s, over `bins` bins. */
export function mixturePmf(components: readonly Float64Array[], weights: readonly number[], bins: number): Float64Array {
  const pmf = new Float64Array(bins);
  components.forEach((component, s) => {
    for (let j = 0; j < bins; j++) pmf[j]! += weights[s]! * (component[j] ?? 0);
  });
  return pmf;
}

function sumOf(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) n += values[i]!;
  return n;
}

/** Groups of adjacent bins each expecting ≥ MIN_EXPECTED of n reports: [first bin, last bin] pairs. */
export function poolBins(pmf: ArrayLike<number>, n: number): Array<[number, number]> {
  const groups: Array<[number, number]> = [];
  let start = 0;
  let expected = 0;
  for (let j = 0; j < pmf.length; j++) {
    expected += n * pmf[j]!;
    if (expected >= MIN_EXPECTED) {
      groups.push([start, j]);
      start = j + 1;
      expected = 0;
    }
  }
  if (start < pmf.length) {
    if (groups.length === 0) groups.push([start, pmf.length - 1]);
    else groups[groups.length - 1]![1] = pmf.length - 1;
  }
  return groups;
}

/**
 * G-test of `histogram` (bin j = reports with j set bits) against the mixture of `components`
 * with fitted weights. Degrees of freedom: groups − 1 (header); 0 means untestable (too few
 * reports: one group), returned as dof 0 and p = 1.
 */
export function setBitFit(histogram: ArrayLike<number>, components: readonly Float64Array[]): FitResult {
  const n = sumOf(histogram);
  const bins = Math.max(histogram.length, ...components.map((c) => c.length));
  const weights = fitMixtureWeights(histogram, components);
  const pmf = mixturePmf(components, weights, bins);
  const groups = poolBins(pmf, n);
  const dof = groups.length - 1;
  if (n === 0 || dof < 1) return { statistic: 0, degreesOfFreedom: 0, logPValue: 0, n };
  let g = 0;
  for (const [a, b] of groups) {
    let o = 0;
    let e = 0;
    for (let j = a; j <= b; j++) {
      o += histogram[j] ?? 0;
      e += n * pmf[j]!;
    }
    if (o > 0) g += 2 * o * Math.log(o / e);
  }
  // Σ O ln(O/E) with Σ O = Σ E is ≥ 0 in exact arithmetic; clamp float noise.
  const statistic = Math.max(0, g);
  return { statistic, degreesOfFreedom: dof, logPValue: logChiSquareSurvival(statistic, dof), n };
}
