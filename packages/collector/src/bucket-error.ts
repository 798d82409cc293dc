/**
 * Standard errors of week and total cells: a bound that holds whatever the correlation between
 * days, because the collector cannot know that correlation.
 *
 * A week or total is made of released day cells t with nₜ reports each. Its value is the pooled
 * estimate from the summed sum vectors. Every debiasing here is affine in the sums divided by n
 * (frequency oracles and padding-and-sampling: f̂ = (C/n − q*)/(p* − q*) and scalings of it; grid
 * numeric means: an affine map of Σy/n), so the pooled estimate is the report-weighted average of
 * the day estimates:
 *
 *   f̂ = Σₜ wₜ f̂ₜ,   wₜ = nₜ / Σₛ nₛ.
 *
 * The mechanism's SE for the pooled sums treats all Σn reports as independent. They are not: a
 * panel of patients reports every day, and a device re-sends its memoized report while the answer
 * is unchanged (the SDK's memo; RAPPOR's permanent response), so the days' errors are positively
 * correlated and that SE is up to √(days) too small. Estimating the correlation would need to link
 * reports of one device, and the collector stores no device identifier. Instead it releases
 *
 *   SE(f̂) ≤ Σₜ wₜ SEₜ,
 *
 * the triangle inequality for standard deviations (Minkowski's inequality in L²: SD(X + Y) ≤
 * SD(X) + SD(Y), since Cov(X, Y) ≤ SD(X)·SD(Y) by Cauchy–Schwarz). It holds for any correlation,
 * and is attained when the days' errors are perfectly correlated — a panel whose answers never
 * change. With independent days it is conservative by up to √(days) (the price of not knowing).
 * Each SEₜ is the mechanism's SE for day t alone, whose reports are from different devices (one
 * report per question per period on each device, enforced by the SDK).
 *
 * Estimands (core's estimand.ts). The bound holds for whichever error SEₜ measures. For the
 * population share (the default) SEₜ is day t's population SE, √(respondents' SEₜ² + f̂ₜ(1−f̂ₜ)/nₜ):
 * the week's error against the weighted population share Σₜ wₜ fₜ is Σₜ wₜ(f̂ₜ − fₜ), and the
 * triangle inequality bounds its SD by Σₜ wₜ SEₜ whatever the overlap of patients between days —
 * so a panel whose members report every day (sampling errors perfectly correlated across days) is
 * covered. For the respondents, SEₜ is the respondents' SE, as before. Means need no change: their
 * day SEs are empirical, already population ones.
 *
 * RAPPOR's candidate shares come from a least-squares decoding of per-bit counts, not an average;
 * the bound is applied where the estimator is linear, to the bit counts: t̂ = Σₜ t̂ₜ, so
 * SE(t̂) ≤ Σₜ SEₜ(t̂ₜ) per cohort and bit, and the decoder propagates those bit errors to the shares
 * under its own model (bits independent, as decode.R assumes) — the respondents' part B_R. For the
 * population the decoded share x̂ also carries the sampling error of the respondents' share x_s:
 * x̂ − x = (x̂ − x_s) + (x_s − x), two uncorrelated parts (x̂ is unbiased for x_s given the answers),
 * so SE² = B_R² + SD(x_s − x)², and SD(x_s − x) ≤ Σₜ wₜ √(x(1−x)/nₜ) by the same triangle
 * inequality over days. The decoder adds exactly that as x̂(1−x̂)/n_s with the effective size
 * n_s = (Σₜ wₜ/√nₜ)^−2 ({@link samplingSize}; n for one day).
 */
import type { RapporBitEstimate } from '@practical-privacy/core';

/** What a cell's `standardError` is (release.ts, `standardErrorBasis`). */
export const ANY_CORRELATION_NOTE =
  'Week/total standard errors are the sum over days of (day reports / cell reports) × that day’s standard error (of the same estimand: for the population, the day’s population SE): an upper bound that holds however the days are correlated ' +
  '(triangle inequality for standard deviations), since one patient may report on every day and re-send an unchanged memoized report. Conservative when days are independent.';

/** wₜ = nₜ / Σn for day sum vectors (index 0 holds n). */
export function dayWeights(days: readonly ArrayLike<number>[]): number[] {
  const total = days.reduce((s, d) => s + (d[0] ?? 0), 0);
  return days.map((d) => (d[0] ?? 0) / total);
}

/** Σₜ wₜ·SEₜ for each value: `perDay[t][i]` is day t's SE of value i. */
export function anyCorrelationBound(perDay: readonly (readonly number[])[], weights: readonly number[]): number[] {
  if (perDay.length !== weights.length) throw new RangeError(`weights: expected ${perDay.length}, got ${weights.length}`);
  const out = new Array<number>(perDay[0]?.length ?? 0).fill(0);
  perDay.forEach((errors, t) => {
    // A day with no weight adds nothing, even if its SE is undefined (NaN for n = 0).
    if (weights[t] !== 0) errors.forEach((se, i) => (out[i]! += weights[t]! * se));
  });
  return out;
}

/**
 * n_s with x(1−x)/n_s = (Σₜ wₜ·√(x(1−x)/nₜ))²: (Σₜ wₜ/√nₜ)^−2, the size at which one sample's
 * sampling error equals the any-correlation bound on the days' (header). One day: its n.
 */
export function samplingSize(days: readonly ArrayLike<number>[]): number {
  const weights = dayWeights(days);
  const root = days.reduce((s, d, t) => s + (weights[t]! > 0 ? weights[t]! / Math.sqrt(d[0]!) : 0), 0);
  return 1 / (root * root);
}

/**
 * The pooled bit estimate with each cohort's bit SE replaced by Σₜ SEₜ (counts add across days, so
 * the weights are 1). `pooled` is the estimate from the summed sums; `perDay` the days' estimates.
 */
export function rapporBitBound(pooled: RapporBitEstimate, perDay: readonly RapporBitEstimate[]): RapporBitEstimate {
  const cohorts = pooled.cohorts.map((cohort, c) => ({
    ...cohort,
    standardErrors: cohort.standardErrors.map((_, b) => perDay.reduce((s, day) => s + (day.cohorts[c]!.n > 0 ? day.cohorts[c]!.standardErrors[b]! : 0), 0)),
  }));
  return { ...pooled, cohorts };
}
