/**
 * What an interval for a share is an interval FOR — its estimand — and the one term that tells the
 * two apart.
 *
 * - `population` (the default everywhere: estimators, planner, collector, exports): the share in
 *   the population the n respondents come from — "how many of our patients …". A reading of the
 *   interval this way assumes the respondents are an independent sample from a large population.
 * - `respondents`: the share among the n patients who answered, their answers held fixed; only
 *   the mechanism's randomization is uncertain.
 *
 * Why the two variances differ by exactly f(1−f)/n. Let f_s be the share among the n respondents
 * and f the population share. Every share estimator here is unbiased for f_s given the answers
 * (E[f̂ | answers] = f_s), so by the law of total variance
 *
 *   Var[f̂ − f] = E[Var(f̂ | answers)] + Var[f_s] = E[Var_R(f_s)] + f(1−f)/n,
 *
 * where Var_R(f_s) is the respondents' variance (the mechanism's own formula, e.g.
 * pure-protocol.ts). That formula is affine in the share for every frequency oracle and for
 * padding-and-sampling, so E[Var_R(f_s)] = Var_R(f), and
 *
 *   Var_P(f) = Var_R(f) + f(1 − f)/n.
 *
 * For a pure protocol this is π(1−π)/(n(p*−q*)²) with π = q* + f(p* − q*): each report is then an
 * independent Bernoulli(π) support (pure-protocol.ts shows the algebra). The plug-in uses f̂
 * clipped to [0, 1].
 *
 * What it does not cover (said next to every released interval, `ESTIMAND_ASSUMPTIONS`): no
 * finite-population correction — with a clinic of N patients of whom n answer, the sampling term
 * would be f(1−f)/n·(N−n)/(N−1), so the population interval is conservative when n is a large part
 * of N; and nothing about non-response bias — patients who answer may differ from those who do
 * not, and no interval can see that.
 *
 * Numeric means need no such term: their standard error is the empirical one (numeric.ts,
 * alpha-1bit.ts), the spread of the reported values, which already includes the spread of the
 * answers — the population variance. For the respondents' mean it is conservative (it overstates
 * by at most Var(answers)/n), and no respondents-only SE is computed, since the spread of the true
 * answers is not observable.
 */
import { parameterError } from '../errors.ts';

export const ESTIMANDS = ['population', 'respondents'] as const;
export type Estimand = (typeof ESTIMANDS)[number];

/** What an interval is for unless asked otherwise. */
export const DEFAULT_ESTIMAND: Estimand = 'population';

/** The assumptions behind a population interval, in words for the reader of a release. */
export const ESTIMAND_ASSUMPTIONS: readonly string[] = [
  'The respondents are an independent sample from a large population (each patient who answers is one independent draw).',
  'No finite-population correction: if the respondents are a large part of a small population, the interval is wider than it needs to be.',
  'Nothing about non-response bias: if the patients who answer differ from those who do not, no interval shows it.',
];

/** One sentence per estimand: what the interval covers. */
export const ESTIMAND_DESCRIPTIONS: Readonly<Record<Estimand, string>> = {
  population:
    'The share in the population the respondents come from: the interval includes both the randomization of the reports and the chance of who happened to answer (variance = the respondents’ variance + f(1−f)/n).',
  respondents:
    'The share among the patients who answered, their answers held fixed: the interval includes only the randomization of the reports. Read as a statement about a wider population it is too narrow.',
};

export function isEstimand(value: unknown): value is Estimand {
  return typeof value === 'string' && (ESTIMANDS as readonly string[]).includes(value);
}

/** Validates an estimand at a boundary; `undefined` is the default. */
export function checkEstimand(value: unknown, path = 'estimand'): Estimand {
  if (value === undefined) return DEFAULT_ESTIMAND;
  if (!isEstimand(value)) throw parameterError(path, `must be one of ${ESTIMANDS.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * What sampling the respondents adds to a share's variance under `estimand`: f(1−f)/n for the
 * population (f clipped to [0, 1], as in the plug-in), 0 for the respondents.
 */
export function samplingVariance(n: number, share: number, estimand: Estimand = DEFAULT_ESTIMAND): number {
  if (estimand === 'respondents') return 0;
  const f = share < 0 ? 0 : share > 1 ? 1 : share;
  return (f * (1 - f)) / n;
}
