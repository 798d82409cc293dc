/**
 * Shared estimator for "pure" LDP frequency protocols (Wang, Blocki, Li, Jha, USENIX Security 2017,
 * §3): each report supports a set of values; a true value is supported with probability p*, any
 * other with probability q*. With C_v supports among n reports:
 *
 *   f̂_v = (C_v/n − q*) / (p* − q*)                                   (unbiased)
 *
 * Its variance depends on what f̂_v is read as an estimate of (estimand.ts):
 *
 * - respondents (the n answers fixed; n·f_v of them hold v): C_v is a sum of independent
 *   Bernoullis, p* for the holders and q* for the others, so
 *     Var_R = [f_v p*(1−p*) + (1−f_v) q*(1−q*)] / (n(p*−q*)²)
 *           = q*(1−q*)/(n(p*−q*)²) + f_v(1 − p* − q*)/(n(p*−q*))       (Wang et al.'s formula);
 * - population (the respondents an independent sample from a population with share f_v): every
 *   report supports v independently with the same probability π = q* + f_v(p* − q*), so
 *     Var_P = π(1−π) / (n(p*−q*)²) = Var_R + f_v(1 − f_v)/n,
 *   since π(1−π) − [q*(1−q*) + f_v(p*−q*)(1−p*−q*)] = f_v(1−f_v)(p*−q*)² (expand π²).
 *
 * GRR, SUE, OUE, OLH (q* = 1/g, the average over the report's fresh seed), Hadamard (q* = 1/2) and
 * the two-level forms at one report per device (chained P, Q) are all pure. The reported SE plugs
 * the estimate, clamped to [0, 1], into the variance of the estimand asked for (population by
 * default).
 */
import { payloadError } from '../errors.ts';
import { DEFAULT_ESTIMAND, type Estimand } from './estimand.ts';
import { Z_95, type EncodedReport, type FrequencyEstimate } from './types.ts';

export function pureProtocolVariance(n: number, f: number, pStar: number, qStar: number, estimand: Estimand = DEFAULT_ESTIMAND): number {
  const gap = pStar - qStar;
  if (estimand === 'population') {
    const pi = qStar + f * gap;
    return (pi * (1 - pi)) / (n * gap * gap);
  }
  return (qStar * (1 - qStar)) / (n * gap * gap) + (f * (1 - pStar - qStar)) / (n * gap);
}

/** `support[v]` for v in [0, k) is read from sums[offset + v]; n from sums[0]. */
export function pureProtocolEstimate(sums: ArrayLike<number>, k: number, pStar: number, qStar: number, estimand: Estimand = DEFAULT_ESTIMAND, offset = 1): FrequencyEstimate {
  const n = sums[0] ?? 0;
  const values: number[] = [];
  const standardErrors: number[] = [];
  const ci95: Array<[number, number]> = [];
  for (let v = 0; v < k; v++) {
    if (n === 0) {
      values.push(Number.NaN);
      standardErrors.push(Number.NaN);
      ci95.push([Number.NaN, Number.NaN]);
      continue;
    }
    const estimate = ((sums[offset + v] ?? 0) / n - qStar) / (pStar - qStar);
    const se = Math.sqrt(Math.max(0, pureProtocolVariance(n, clamp01(estimate), pStar, qStar, estimand)));
    values.push(estimate);
    standardErrors.push(se);
    ci95.push([estimate - Z_95 * se, estimate + Z_95 * se]);
  }
  return { n, values, standardErrors, ci95 };
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * The wire check of an index payload (GRR, L-GRR, Hadamard response, alpha-1bit's and binary RR's bit):
 * an integer in [0, size) and no cohort. One definition, so every such decoder refuses the same way.
 */
export function decodeIndexPayload(encoded: EncodedReport, size: number, name: string): number {
  const { payload } = encoded;
  if (typeof payload !== 'number' || !Number.isInteger(payload) || payload < 0 || payload >= size) throw payloadError(`${name} payload must be an integer in [0, ${size}), got ${JSON.stringify(payload)}`, 'payload');
  if (encoded.cohort !== undefined) throw payloadError(`${name} reports have no cohort`, 'cohort');
  return payload;
}
