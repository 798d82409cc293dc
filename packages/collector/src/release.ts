/**
 * The JSON shapes the read API returns (GET /v1/campaigns/:id/estimates). Types only, importing
 * nothing at run time, and exported as `@practical-privacy/collector/api` so that dashboards (the
 * demo app) type the HTTP responses without loading the service.
 */

export type Bucket = 'day' | 'week' | 'total';

/**
 * What the release's intervals are for (README "Estimand"). `population` (the default): the share
 * (or mean) in the population the respondents come from — the respondents' variance plus f(1−f)/n
 * for a share; `respondents` (`?estimand=respondents`): among the patients who answered. Next to it,
 * what reading it so assumes: an independent sample from a large population, no finite-population
 * correction, nothing about non-response bias.
 */
export interface EstimandStatement {
  name: 'population' | 'respondents';
  /** One sentence: what the interval covers. */
  description: string;
  /** What that reading rests on. */
  assumptions: string[];
  /** How day, week/total cells (and RAPPOR candidates) carry it. */
  notes: string[];
}

/** Questions with privacy levels (`?weighting=`, level-weighting.ts): how the release combined the levels. */
export interface WeightingStatement {
  name: 'reports' | 'inverse-variance';
  /** How the campaign assigns the question's levels (`levelPolicy.assignment`). */
  assignment: 'patient' | 'random';
  note: string;
}

export interface ValueEstimate {
  value: string;
  /**
   * The estimate the interval belongs to: the debiased (unbiased) share — for RAPPOR, the
   * least-squares fit of the decoding. Not post-processed, so it may lie slightly below 0 or
   * above 1. `ci95` is centred on it.
   */
  unbiased: number;
  standardError: number;
  /** unbiased ± 1.96 · standardError, intersected with [0, 1] (a share lies there, so coverage is unchanged). For the release's `estimand`. */
  ci95: [number, number];
  /**
   * Consistent (post-processed) estimate: Norm-Sub for exclusive answers (non-negative, summing to
   * one), clipped to [0, 1] for multiselect items and RAPPOR candidates. Post-processing costs no
   * privacy but adds bias, and a Norm-Sub value can fall outside `ci95`; draw `ci95` around
   * `unbiased` (clipped to [0, 1], which always lies inside `ci95`), not around this.
   */
  consistent: number;
  /** Same as `consistent` (the field's older name). */
  estimate: number;
  /** RAPPOR candidates only: detected by the decoding (`UndetectedValue` is the other case). */
  detectable?: true;
  /** RAPPOR candidates only: the share detected with probability `decoding.detectionPower` (core's detectionLimit). */
  detectionLimit?: number;
}

/**
 * A RAPPOR candidate the decoding did not detect. It has no estimate and no interval — not a 0
 * with a 0–0 interval, which would claim a certainty the data do not give: its share may be
 * anywhere below ≈ `detectionLimit` (0 for a decoy nobody holds, or a few percent). The estimate
 * fields are null, so a client that draws `ci95` must handle it; `note` says it in words.
 */
export interface UndetectedValue {
  value: string;
  detectable: false;
  /**
   * Currie's detection limit (core's detectionLimit, the function the planner's detectable share
   * uses): a share at least this large is detected with probability `decoding.detectionPower`
   * (0.95), so its share is below ≈ this. In [0, 1]; 1 means not detectable at any share at this n.
   */
  detectionLimit: number;
  /** "not detectable at this n (below ≈ 8.8%)". */
  note: string;
  unbiased: null;
  standardError: null;
  ci95: null;
  consistent: null;
  estimate: null;
}

/** A released value: an estimate with its interval, or (RAPPOR) a candidate not detected. */
export type ReleasedValue = ValueEstimate | UndetectedValue;

/** Why the shuffle bound is not stated for a cell. */
export type AmplificationNotClaimed =
  /** week/total bucket: one device may have reported on several days, so the n reports are not n devices. */
  | 'SEVERAL_REPORTS_PER_DEVICE'
  /** n is below 16·ln(2/δ): the bound says nothing for any ε₀. */
  | 'N_TOO_SMALL'
  /** ε₀ is above ln(n/(16·ln(2/δ))): this many reports cannot amplify a report this revealing. */
  | 'EPSILON0_TOO_LARGE';

/**
 * Central (ε, δ) after shuffling (Feldman–McMillan–Talwar 2021, core's shuffleAmplifiedEpsilon),
 * stated only for a `day` cell and only under `assumption`; otherwise the reason it is not claimed.
 * The local guarantee (each report ε₀-LDP) holds in every case.
 */
export type CellAmplification =
  | { applicable: true; scope: 'day'; epsilon: number; delta: number; epsilon0: number; n: number; assumption: string }
  | { applicable: false; scope: 'day' | 'week' | 'total'; code: AmplificationNotClaimed; reason: string; epsilon0: number; n: number; delta: number };

/**
 * What a released cell's standard errors (and so its `ci95`) are, for the release's `estimand`. A
 * `day` cell: the mechanism's SE for that day's reports, each from a different device. A `week` or
 * `total` cell: Σₜ wₜ·SEₜ (the days' SEs of the same estimand) over
 * its `days` released days, wₜ = nₜ/n — an upper bound on the SE however the days are correlated
 * (triangle inequality for standard deviations), because the same patients report on many days
 * and the collector has no device identifier to measure how alike their reports are. The value
 * is the pooled estimate, which for these linear debiasings equals Σₜ wₜ·(day t's estimate).
 */
export interface CellUncertainty {
  basis: 'day' | 'any-correlation-bound';
  /** Day cells combined: 1 for a day cell. */
  days: number;
  note: string;
}

/** Days of a week or total bucket left out of it because each was below the minimum batch on its own. */
export interface Withheld {
  days: number;
  reports: number;
  reason: string;
}

export interface CellRelease {
  /** First day the cell covers: the day; for `week` the later of its Monday and `from`; for `total` `from` or the first day with reports. */
  period: string;
  /** Last day the cell covers (the day itself for `day`; for `week` the earlier of its Sunday and `to`). */
  periodEnd: string;
  /** Reports the estimate is computed from (for week/total: only the days that were releasable themselves). */
  n: number;
  suppressed: boolean;
  reason?: string;
  /** week/total: days (and their reports) below the minimum batch, left out so they cannot be recovered by differencing. */
  withheld?: Withheld;
  /** Per value; RAPPOR candidates the decoding did not detect are `UndetectedValue`s (`detectable: false`, no interval). */
  values?: ReleasedValue[];
  /** Numeric questions: the unbiased mean (no post-processing) and its interval. */
  mean?: { estimate: number; standardError: number; ci95: [number, number] };
  /** RAPPOR: decoding against the campaign's candidates (NNLS with a background term, core's decodeRappor). */
  decoding?: RapporDecoding;
  /** Present on every released cell: what `standardError` means for this cell. */
  uncertainty?: CellUncertainty;
  amplification?: CellAmplification;
  /**
   * Issue 17 §2, on every released cell: is the cell's set-bit histogram plausible for honest
   * reports (integrity.ts)? 'not-applicable' for mechanisms where a fake report cannot be told apart.
   */
  integrity?: { status: 'ok' | 'suspicious' | 'not-applicable'; reason: string; score: number | null };
  /** Only with `defence=ldprecover`: whether recovery changed the values, and what it removed. */
  recovery?: { applied: boolean; fakeShare: number | null; targets: string[]; note: string };
}

/** How a RAPPOR cell was decoded (core's decodeRappor). */
export interface RapporDecoding {
  /** The one-sided z a candidate must exceed: Φ⁻¹(1 − α/S), Bonferroni over the S candidates. */
  zThreshold: number;
  /** Detected candidates, largest share first. */
  detected: string[];
  /** The probability of detection a `detectionLimit` is for (0.95). */
  detectionPower: number;
  /** φ̂ ≥ 1, the residual dispersion (Pearson χ²/df) of the final fit: the respondents' SEs are √φ̂ times the least-squares ones. */
  dispersion: number;
  /** 1 − Σ detected shares: names outside the list, and candidates below detection. */
  unexplainedMass: number;
  backgroundShare: number;
}

export interface EstimateRelease {
  campaign: string;
  /** The version read; for a merged release (`versions=merge`) the newest of `versions`. */
  version: number;
  /** Only on a release merged across versions: every version whose day cells were summed, oldest first. */
  versions?: number[];
  question: string;
  type: string;
  mechanism: string;
  epsilon: number;
  implementedEpsilon: number;
  minBatch: number;
  bucket: Bucket;
  from: string | null;
  to: string | null;
  /** What every interval of this release is for, and what that assumes. */
  estimand: EstimandStatement;
  /** Questions with privacy levels: how the levels were combined (level-weighting.ts). */
  weighting?: WeightingStatement;
  /** Issue 17 §2: 'ldprecover' when the values were recomputed with the recovery (`?defence=ldprecover`). */
  defence?: 'none' | 'ldprecover';
  cells: CellRelease[];
}
