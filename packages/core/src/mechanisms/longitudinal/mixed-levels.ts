/**
 * One estimate from reports made at several privacy levels (issue 14 §2): a two-level question may
 * allow several instantaneous ε₁ (`levels` in the campaign), all sharing the question's permanent
 * level, so each level is its own chained pure protocol (P_l, Q_l) — or, for alpha-1bit, its own
 * (A_l, B_l) — over the same permanent responses. The collector keeps sums per level.
 *
 * Combination. Every report i has its own unbiased value d_i = c·(y_i − Q_l)/(P_l − Q_l) (c = L
 * for padding-and-sampling's items, else 1; alpha-1bit: low + R·(y_i − A_l)/B_l): E[d_i | answer] =
 * the patient's answer, whatever level the report used. The default estimate is their mean,
 *   f̂ = Σ_l (n_l/n)·f̂_l            (weights proportional to each level's number of reports),
 * unbiased for the share among all respondents **whatever makes a patient choose a level** — the
 * choice may depend on the answer (sicker patients choosing more privacy). Inverse-variance weights
 * Σ_l f̂_l/V_l / Σ_l 1/V_l are biased then (30% at ε = 0.5 with prevalence 40%, 70% at ε = 2 with
 * 10%: truth 19.0%, inverse-variance ≈ 10.8% — test/mixed-levels.test.ts), so they are allowed
 * only when the campaign assigns levels independently of the answer, and the estimate says which
 * weighting it used.
 *
 * Variance of the report-count mean, patients an independent sample (the population estimand,
 * estimand.ts): the d_i are i.i.d. with Var d = E[Var(d | l, x)] + Var(x), so
 *   Var[f̂] = (1/n)·( Σ_l (n_l/n)·c²·[(1 − F_l)·Q_l(1 − Q_l) + F_l·π_l(1 − π_l)]/(P_l − Q_l)² + F(1 − F) )
 * with π_l = Q_l + (P_l − Q_l)/c (a holder's support probability), F_l = f̂_l and F = f̂ clipped to
 * [0, 1]. For the respondents (answers fixed) the F(1 − F) term goes and the n_l/n weights become
 * n_l/n². With one level both reduce exactly to pure-protocol.ts's formulas (padding's
 * respondents' F(L − 1)/n included: the pick is inside Var(d | x)). Inverse-variance: 1/Σ_l(1/V_l).
 * Alpha-1bit means: the empirical variance of the per-report values (each level contributes two
 * values, y = 0 and y = 1), as the one-level estimator (alpha-1bit.ts) — it includes the spread of
 * the answers, for both estimands.
 *
 * Nothing per level is returned: a level's own estimate or count could single out the few patients
 * who chose it (the collector withholds small (day, level) parts, see its README).
 */
import { parameterError } from '../../errors.ts';
import { checkEstimand, type Estimand } from '../estimand.ts';
import { clamp01 } from '../pure-protocol.ts';
import { Z_95, type FrequencyEstimate, type MeanEstimate } from '../types.ts';

export type LevelWeighting = 'reports' | 'inverse-variance';

/** One level of a pure protocol: chained (P, Q), the scale c and the sums [n, C_0, …] it aggregated. */
export interface PureLevel {
  p: number;
  q: number;
  /** L for padding-and-sampling's item prevalences, 1 otherwise. */
  scale: number;
  sums: ArrayLike<number>;
}

export interface MixedFrequencyEstimate extends FrequencyEstimate {
  weighting: LevelWeighting;
  /** Number of levels that had reports (never which ones, nor their counts). */
  levelsWithReports: number;
}

/** Combined estimate of `k` values (or items) from per-level sums (header). */
export function mixedLevelFrequencies(levels: readonly PureLevel[], k: number, options: { estimand?: Estimand; weighting?: LevelWeighting } = {}): MixedFrequencyEstimate {
  const estimand = checkEstimand(options.estimand);
  const weighting = checkWeighting(options.weighting);
  const used = levels.filter((level) => (level.sums[0] ?? 0) > 0);
  const n = used.reduce((total, level) => total + level.sums[0]!, 0);
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
    const parts = used.map((level) => {
      const nl = level.sums[0]!;
      const share = (level.scale * ((level.sums[1 + v] ?? 0) / nl - level.q)) / (level.p - level.q);
      return { level, nl, share, within: withinVariance(level, clamp01(share)) };
    });
    let value: number;
    let variance: number;
    if (weighting === 'reports') {
      value = parts.reduce((s, part) => s + (part.nl / n) * part.share, 0);
      const within = parts.reduce((s, part) => s + (part.nl / n) * part.within, 0);
      const clipped = clamp01(value);
      variance = (within + (estimand === 'population' ? clipped * (1 - clipped) : 0)) / n;
    } else {
      // Each level's own variance at its own plug-in share, for the estimand.
      const own = parts.map((part) => {
        const clipped = clamp01(part.share);
        return (part.within + (estimand === 'population' ? clipped * (1 - clipped) : 0)) / part.nl;
      });
      const precision = own.reduce((s, x) => s + 1 / x, 0);
      value = parts.reduce((s, part, i) => s + part.share / own[i]! / precision, 0);
      variance = 1 / precision;
    }
    const se = Math.sqrt(Math.max(0, variance));
    values.push(value);
    standardErrors.push(se);
    ci95.push([value - Z_95 * se, value + Z_95 * se]);
  }
  return { n, values, standardErrors, ci95, weighting, levelsWithReports: used.length };
}

/** E[Var(d | level, x)] at the level's plug-in share F (header): c²·[(1 − F)Q(1 − Q) + F·π(1 − π)]/(P − Q)². */
function withinVariance(level: PureLevel, share: number): number {
  const { p, q, scale } = level;
  const holder = q + (p - q) / scale;
  return (scale * scale * ((1 - share) * q * (1 - q) + share * holder * (1 - holder))) / ((p - q) * (p - q));
}

/** One level of alpha-1bit: E[y] = intercept + slope·u, and its sums [n, Σy]. */
export interface BitMeanLevel {
  intercept: number;
  slope: number;
  sums: ArrayLike<number>;
}

export interface MixedMeanEstimate extends MeanEstimate {
  weighting: 'reports';
  levelsWithReports: number;
}

/** Combined alpha-1bit mean over [low, high] from per-level sums (header: the per-report values' mean and empirical SE). */
export function mixedLevelMean(levels: readonly BitMeanLevel[], low: number, high: number): MixedMeanEstimate {
  const range = high - low;
  const used = levels.filter((level) => (level.sums[0] ?? 0) > 0);
  const n = used.reduce((total, level) => total + level.sums[0]!, 0);
  if (n === 0) return { n: 0, mean: Number.NaN, standardError: Number.NaN, ci95: [Number.NaN, Number.NaN], weighting: 'reports', levelsWithReports: 0 };
  // The two values a report of each level can take, and how many took each.
  const points = used.flatMap((level) => {
    const ones = level.sums[1] ?? 0;
    const at = (y: number) => low + (range * (y - level.intercept)) / level.slope;
    return [
      { value: at(1), count: ones },
      { value: at(0), count: level.sums[0]! - ones },
    ];
  });
  const mean = points.reduce((s, point) => s + point.count * point.value, 0) / n;
  const spread = n < 2 ? worstSpread(used, range) : points.reduce((s, point) => s + point.count * (point.value - mean) ** 2, 0) / (n - 1);
  const standardError = Math.sqrt(spread / n);
  return { n, mean, standardError, ci95: [mean - Z_95 * standardError, mean + Z_95 * standardError], weighting: 'reports', levelsWithReports: used.length };
}

/** One report: the worst Bernoulli spread, (range/slope)²/4, at its level. */
function worstSpread(used: readonly BitMeanLevel[], range: number): number {
  return Math.max(...used.map((level) => (range / level.slope) ** 2 / 4));
}

function checkWeighting(value: unknown): LevelWeighting {
  if (value === undefined) return 'reports';
  if (value === 'reports' || value === 'inverse-variance') return value;
  throw parameterError('weighting', `must be 'reports' or 'inverse-variance', got ${JSON.stringify(value)}`);
}
