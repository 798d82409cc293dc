/**
 * Decoding RAPPOR against a list of candidate strings — the method of Google's analysis/R/decode.R
 * (`Decode`, `FitDistribution`, `ConstrainedLinModel`; Erlingsson et al. 2014 §5), made fast:
 *
 * 1. Per cohort c and bit b, t̂_{c,b} and its SE σ_{c,b} (rappor-estimate.ts). Cohorts with no
 *    reports are dropped, as decode.R does.
 * 2. Model: t̂_{c,b} ≈ N_c · Σ_s A_{(c,b),s} x_s, where A_{(c,b),s} = 1 when candidate s sets bit b in
 *    cohort c (the design matrix map.csv describes) and x_s ≥ 0 is the share of reports holding s.
 *    Fitted by weighted non-negative least squares, min Σ ((t̂ − N·A x)/σ)², by cyclic coordinate
 *    descent on the sparse columns (each has ≤ m·h non-zeros): one sweep costs O(nnz), never a dense
 *    (m·k) × S factorization. (decode.R runs LASSO first when S > 0.8·m·k, then a constrained least
 *    squares on the support; NNLS already yields a sparse support, so the LASSO stage is not needed
 *    for the non-negativity it provides.)
 * 3. Standard errors on the support (its RAPPOR_MAX_TESTED_SHARES largest shares) from the inverse of the weighted Gram matrix (AᵀWA)⁻¹ — the
 *    least-squares covariance given the support (decode.R estimates it by resampling 5 times; the
 *    closed form is cheaper and deterministic) — times √φ̂, the fit's residual dispersion
 *    (quasi-likelihood scale, Pearson χ²/df, at least 1; see `dispersion` below). Under the model
 *    φ̂ ≈ 1; values outside the candidate list, which no column explains, raise it, and the bias
 *    their bits' collisions give listed shares is what the scale widens the intervals for.
 * 4. Detection: one-sided z = x̂/(√φ̂·SE) above Φ⁻¹(1 − α/S), Bonferroni over all S candidates as
 *    decode.R (`alpha / S`). The detected set is refitted alone (NNLS again), and its SEs and φ̂
 *    recomputed. A background column (every bit, share β ≥ 0) plays the role of decode.R's LASSO
 *    intercept.
 * 5. Unexplained mass = 1 − Σ detected shares: reports whose value is not among the detected
 *    candidates (or below the detection threshold).
 *
 * Undetected candidates get no share, SE or interval (null), only their `detectionLimit`: Currie's
 * L_D = (z_α + z_power)·√φ̂·SE₀ (rappor-detection.ts, the function the planner's detectable share
 * uses), SE₀ the least-squares SE the candidate would have if added to the final fit. A dropped
 * candidate whose share is 4% and a decoy whose share is 0 both read "not detectable at this n,
 * below ≈ L_D" — never a 0 with a zero-width interval. Detected candidates carry it too.
 *
 * 6. Estimand (estimand.ts). The least-squares SEs of step 3 are the respondents' (bit-count noise
 *    given the reports' values; rappor-estimate.ts). For the population share (the default) each
 *    candidate's variance gets the sampling term x̂(1 − x̂)/n_s, x̂ clipped to [0, 1], n_s = n unless
 *    `samplingSize` says otherwise: the shares are (approximately, given the support) unbiased for
 *    the respondents' shares, so the law of total variance adds Var[respondents' share]. It is not
 *    obtained by feeding decode.R's population bit variance into the weights: the sampling noise of
 *    the bits is correlated across a report's h bits and lies in the design's column space, so the
 *    fit maps it onto the shares exactly rather than as independent bit noise. Detection (step 4)
 *    uses the respondents' SE whatever the estimand: at the null x = 0 the two coincide.
 *
 * Shares are of all reports; counts = share·n. Caveat (as for decode.R): the Bonferroni threshold
 * assumes the fitted support is fixed, and the SEs ignore the selection step — they are the SEs of
 * a fit whose support was chosen from the same data. The dispersion scale does not model that
 * selection; it widens intervals only by the misfit it sees in the residuals (unlisted values,
 * undetected small shares left in the residual by the refit), so a detected share near the
 * threshold, whose estimate is selected for being high, can still be biased upward.
 */
import { parameterError } from '../errors.ts';
import type { RapporBitEstimate } from './rappor-estimate.ts';
import { checkEstimand, samplingVariance, type Estimand } from './estimand.ts';
import { Z_95 } from './types.ts';
import { checkPower, DEFAULT_DETECTION_ALPHA, DEFAULT_DETECTION_POWER, detectionLimit, detectionThreshold } from './rappor-detection.ts';

export { normalQuantile } from './normal-quantile.ts';

/** Bloom bit positions of every candidate in every cohort: indices[(s·m + c)·h + j]. */
export interface RapporCandidateMap {
  candidates: string[];
  k: number;
  h: number;
  m: number;
  indices: Int32Array;
}

/** Something that hashes like the mechanism (a `Rappor` instance). */
export interface RapporHasher {
  k: number;
  h: number;
  m: number;
  bloomIndices(value: string, cohort: number): number[];
}

export function buildCandidateMap(rappor: RapporHasher, candidates: readonly string[]): RapporCandidateMap {
  const { k, h, m } = rappor;
  if (new Set(candidates).size !== candidates.length) throw parameterError('candidates', 'must be distinct');
  const indices = new Int32Array(candidates.length * m * h);
  candidates.forEach((candidate, s) => {
    for (let c = 0; c < m; c++) indices.set(rappor.bloomIndices(candidate, c), (s * m + c) * h);
  });
  return { candidates: [...candidates], k, h, m, indices };
}

export interface RapporDecodeOptions {
  /** Family-wise false-detection rate, Bonferroni-split over the candidates (default 0.05). */
  alpha?: number;
  /** Probability of detecting a share at the reported `detectionLimit` (default 0.95; rappor-detection.ts). */
  detectionPower?: number;
  /** Coordinate-descent sweeps at most (default 2000). */
  maxSweeps?: number;
  /** Stop when no coordinate moves the fit by more than this, in σ units (default 1e-6). */
  tolerance?: number;
  /** What the shares' standard errors are for (estimand.ts; default the population share). */
  estimand?: Estimand;
  /**
   * n in the population's sampling term x(1 − x)/n (default: the reports, `estimate.n`). A caller
   * whose bit SEs bound several days' correlated errors passes the matching effective size
   * (the collector's week/total bound: (Σₜ wₜ/√nₜ)^−2).
   */
  samplingSize?: number;
  /**
   * Scale the SEs (of the test and of the shares) by √φ̂, the fit's residual dispersion (header,
   * step 3; default true). false gives decode.R's unscaled least-squares SEs, which undercover
   * when values outside the list carry mass.
   */
  scaleByDispersion?: boolean;
}

interface CandidateDetection {
  candidate: string;
  /** The detection statistic: first-fit share / its respondents' SE (scaled by √φ̂ of that fit); 0 off its support. */
  z: number;
  /**
   * Currie's detection limit (rappor-detection.ts): the share this candidate would be detected
   * at with probability `detectionPower`, from its least-squares SE₀ in the final fit (scaled by
   * √φ̂). For an undetected candidate, what can be said: its share is below ≈ this.
   */
  detectionLimit: number;
}

/** A detected candidate: its share from the refit on the detected set, with SE and interval. */
export interface RapporDetectedCandidate extends CandidateDetection {
  detected: true;
  /** Estimated share of reports holding the candidate. */
  proportion: number;
  /** For the estimand asked for (population by default); `ci95` is proportion ± 1.96 times it. */
  standardError: number;
  ci95: [number, number];
  /** Estimated number of reports = proportion · n. */
  count: number;
}

/**
 * A candidate the decoding did not detect. It has no estimate — a 0 with a zero-width interval
 * would claim certainty the data do not give (its true share may be anywhere below ≈
 * `detectionLimit`, a decoy's 0 included) — so share, SE, interval and count are null.
 */
export interface RapporUndetectedCandidate extends CandidateDetection {
  detected: false;
  proportion: null;
  standardError: null;
  ci95: null;
  count: null;
}

export type RapporCandidateEstimate = RapporDetectedCandidate | RapporUndetectedCandidate;

export interface RapporDecodeResult {
  n: number;
  /** Every candidate, in input order. */
  candidates: RapporCandidateEstimate[];
  /** Detected candidates, largest share first. */
  detected: RapporDetectedCandidate[];
  /** The one-sided z a candidate must exceed: Φ⁻¹(1 − α/S). */
  zThreshold: number;
  /** The power `detectionLimit` is for. */
  detectionPower: number;
  /**
   * φ̂ of the final fit (header, step 3): Pearson χ²/df of the standardized residuals, at least 1
   * (1 with `scaleByDispersion: false`). The respondents' SEs of the detected shares, and the SE₀
   * of every detection limit, are multiplied by √φ̂.
   */
  dispersion: number;
  /** φ̂ of the first fit, which scales the SEs of the detection test. */
  detectionDispersion: number;
  /** 1 − Σ detected shares. */
  unexplainedMass: number;
  /** Fitted background: the share of reports assumed to set any given bit beyond the detected candidates. */
  backgroundShare: number;
  sweeps: number;
}

/**
 * Most first-fit shares whose standard errors are computed (and so can be detected). The SE step
 * holds a dense d × d Gram matrix and factors it in d³/3 operations; reports with every bit set
 * (any device can send them) give nearly every candidate a share — 10,000 candidates made d ≈ 7,600
 * (460 MB, minutes of CPU per estimate). The shares beyond the 1,000 largest cannot be detected at
 * realistic n anyway: shares that sum to at most about 1 leave the 1,001st below 1/1,001, while a
 * detection needs x̂ > z·SE with z ≈ 4.4 and SE ≈ 0.009 at n = 100,000 (the rappor-decode bench).
 */
export const RAPPOR_MAX_TESTED_SHARES = 1000;

/** The background column and the RAPPOR_MAX_TESTED_SHARES largest candidate shares of `support`. */
function testedSupport(support: Int32Array, x: Float64Array, background: number): Int32Array {
  const candidates = support.filter((s) => s !== background);
  if (candidates.length <= RAPPOR_MAX_TESTED_SHARES) return support;
  const kept = Array.from(candidates)
    .sort((a, b) => x[b]! - x[a]! || a - b)
    .slice(0, RAPPOR_MAX_TESTED_SHARES)
    .sort((a, b) => a - b);
  if (x[background]! > 0) kept.push(background);
  return Int32Array.from(kept);
}

/** Sparse standardized design: columns in CSC form over the kept rows. */
interface Design {
  rows: number;
  y: Float64Array;
  colStart: Int32Array;
  rowIndex: Int32Array;
  value: Float64Array;
  colNorm2: Float64Array;
}

export function decodeRappor(estimate: RapporBitEstimate, map: RapporCandidateMap, options: RapporDecodeOptions = {}): RapporDecodeResult {
  const { k, m } = estimate;
  if (map.k !== k || map.m !== m) throw parameterError('map', `was built for k = ${map.k}, m = ${map.m}; the estimate has k = ${k}, m = ${m}`);
  const alpha = options.alpha ?? DEFAULT_DETECTION_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw parameterError('alpha', `must be in (0, 1), got ${alpha}`);
  const detectionPower = checkPower(options.detectionPower ?? DEFAULT_DETECTION_POWER);
  const maxSweeps = options.maxSweeps ?? 2000;
  const estimand = checkEstimand(options.estimand);
  const samplingSize = options.samplingSize ?? estimate.n;
  if (!(samplingSize > 0)) throw parameterError('samplingSize', `must be > 0, got ${samplingSize}`);
  const tolerance = options.tolerance ?? 1e-6;
  const S = map.candidates.length;
  const n = estimate.n;
  const design = buildDesign(estimate, map);
  // Column S is the background: a share β ≥ 0 of every cohort's reports sets each bit (an intercept,
  // as decode.R's FitLasso fits). Without it, the diffuse bits of many rare values outside the
  // detected set would be soaked up by the detected candidates and bias their shares upward.
  const x = new Float64Array(S + 1);
  const all = Int32Array.from({ length: S + 1 }, (_, s) => s);
  let sweeps = nnlsCoordinateDescent(design, x, all, maxSweeps, tolerance);

  const zThreshold = detectionThreshold(alpha, S);
  const positive = all.filter((s) => x[s]! > 0);
  // Standard errors (and so detection) only for the RAPPOR_MAX_TESTED_SHARES largest shares: the
  // Gram matrix of a support of thousands of candidates is the cost a hostile batch could force.
  const support = testedSupport(positive, x, S);
  const scaleByDispersion = options.scaleByDispersion ?? true;
  const detectionDispersion = scaleByDispersion ? dispersion(design, x, positive.length) : 1;
  const detectionScale = Math.sqrt(detectionDispersion);
  const firstSe = supportStandardErrors(design, support).standardErrors;
  const z = new Float64Array(S);
  support.forEach((s, i) => {
    if (s < S && firstSe[i]! > 0) z[s] = x[s]! / (detectionScale * firstSe[i]!);
  });
  const passing = support.filter((s) => s < S && z[s]! > zThreshold);

  // Refit on the detected set (plus the background) alone; dropped shares go back into the residual.
  const refit = new Float64Array(S + 1);
  for (const s of passing) refit[s] = x[s]!;
  refit[S] = x[S]!;
  const refitColumns = Int32Array.from([...passing, S]);
  sweeps += nnlsCoordinateDescent(design, refit, refitColumns, maxSweeps, tolerance);
  const finalSupport = refitColumns.filter((s) => refit[s]! > 0);
  const final = supportStandardErrors(design, finalSupport);
  const finalDispersion = scaleByDispersion ? dispersion(design, refit, finalSupport.length) : 1;
  const scale = Math.sqrt(finalDispersion);
  // SE₀ of every candidate in the final fit: its own SE if fitted, else the SE it would have if
  // added to the final support (the SE of a least-squares coefficient does not depend on its value).
  const standardErrorAtZero = new Float64Array(S).fill(-1);
  finalSupport.forEach((s, i) => {
    if (s < S) standardErrorAtZero[s] = final.standardErrors[i]!;
  });
  const supportColumns = denseColumns(design, finalSupport);
  for (let s = 0; s < S; s++) if (standardErrorAtZero[s]! < 0) standardErrorAtZero[s] = addedColumnStandardError(design, supportColumns, final.cholesky, s);
  const backgroundShare = refit[S]!;

  const candidates = map.candidates.map((candidate, s): RapporCandidateEstimate => {
    const common = { candidate, z: z[s]!, detectionLimit: detectionLimit({ standardErrorAtZero: scale * standardErrorAtZero[s]!, zThreshold, power: detectionPower }) };
    if (!(refit[s]! > 0)) return { ...common, detected: false, proportion: null, standardError: null, ci95: null, count: null };
    const proportion = refit[s]!;
    const respondentsError = scale * standardErrorAtZero[s]!;
    const standardError = Math.sqrt(respondentsError * respondentsError + samplingVariance(samplingSize, proportion, estimand));
    return { ...common, detected: true, proportion, standardError, ci95: [proportion - Z_95 * standardError, proportion + Z_95 * standardError], count: proportion * n };
  });
  const detected = candidates.filter((c): c is RapporDetectedCandidate => c.detected).sort((a, b) => b.proportion - a.proportion);
  const unexplainedMass = 1 - detected.reduce((sum, c) => sum + c.proportion, 0);
  return { n, candidates, detected, zThreshold, detectionPower, dispersion: finalDispersion, detectionDispersion, unexplainedMass, backgroundShare, sweeps };
}

/**
 * φ̂ = max(1, X²/(rows − fitted)), X² the sum of squared standardized (Pearson) residuals
 * (t̂ − N·A·x̂)/σ of the fit `x` with `fitted` positive coefficients: the moment estimator of the
 * dispersion of a quasi-likelihood model (Wedderburn, Biometrika 61(3), 1974; McCullagh & Nelder,
 * Generalized Linear Models, 2nd ed., 1989, §4.5.2 and ch. 9 — what R's `summary.glm` uses for the
 * quasi families). Under the decoder's model X² ≈ rows − fitted and φ̂ ≈ 1. Values outside the
 * candidate list set bits no column explains, and their collisions with listed candidates' bits
 * bias those shares; both show up as excess residual. With 6% of 100,000 reports on one unlisted
 * name (k = 16, 40 campaigns), 95% intervals of the listed names covered 92.8% unscaled and 95.7%
 * scaled, mean φ̂ 1.31 (test/rappor-coverage.slow.test.ts); with every value listed, 94.3% and
 * 94.6% (φ̂ 1.05). It is a variance scale, not a bias correction: for one fixed hash design (k = 32,
 * 80 datasets) in which a listed name's bits collide with the unlisted one's, 90.2% and 92.1%. Never
 * below 1: a fit that looks better than its noise (e.g. a week's bit SEs, which are upper bounds,
 * bucket-error.ts in the collector) keeps its SEs. With no residual degrees of freedom, 1.
 */
function dispersion(design: Design, x: Float64Array, fitted: number): number {
  const df = design.rows - fitted;
  if (df <= 0) return 1;
  const { y, colStart, rowIndex, value } = design;
  const residual = Float64Array.from(y);
  for (let s = 0; s < x.length; s++) {
    const xs = x[s]!;
    if (xs === 0) continue;
    for (let e = colStart[s]!; e < colStart[s + 1]!; e++) residual[rowIndex[e]!]! -= value[e]! * xs;
  }
  let chiSquare = 0;
  for (const r of residual) chiSquare += r * r;
  return Math.max(1, chiSquare / df);
}

function buildDesign(estimate: RapporBitEstimate, map: RapporCandidateMap): Design {
  const { k, m } = estimate;
  const { h, indices } = map;
  const S = map.candidates.length;
  // Row of (c, b) among kept cohorts, or −1.
  const rowOf = new Int32Array(m * k).fill(-1);
  const yList: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < m; c++) {
    const cohort = estimate.cohorts[c]!;
    if (!(cohort.n > 0)) continue;
    for (let b = 0; b < k; b++) {
      const sd = Math.max(cohort.standardErrors[b]!, 1e-12);
      rowOf[c * k + b] = yList.length;
      yList.push(cohort.counts[b]! / sd);
      scale.push(cohort.n / sd);
    }
  }
  const rows = yList.length;
  const colStart = new Int32Array(S + 2);
  const rowIndex = new Int32Array(S * m * h + rows);
  const value = new Float64Array(S * m * h + rows);
  const colNorm2 = new Float64Array(S + 1);
  let nnz = 0;
  const seen = new Int32Array(m * k).fill(-1);
  for (let s = 0; s < S; s++) {
    colStart[s] = nnz;
    for (let c = 0; c < m; c++) {
      for (let j = 0; j < h; j++) {
        const cell = c * k + indices[(s * m + c) * h + j]!;
        const row = rowOf[cell]!;
        // A is 0/1: a bit set by two hashes counts once (Bloom filters OR their bits).
        if (row < 0 || seen[cell] === s) continue;
        seen[cell] = s;
        rowIndex[nnz] = row;
        value[nnz] = scale[row]!;
        colNorm2[s]! += scale[row]! * scale[row]!;
        nnz++;
      }
    }
  }
  // Background column: every kept row, with the same N_c/σ scale.
  colStart[S] = nnz;
  for (let row = 0; row < rows; row++) {
    rowIndex[nnz] = row;
    value[nnz] = scale[row]!;
    colNorm2[S]! += scale[row]! * scale[row]!;
    nnz++;
  }
  colStart[S + 1] = nnz;
  return { rows, y: Float64Array.from(yList), colStart, rowIndex: rowIndex.subarray(0, nnz), value: value.subarray(0, nnz), colNorm2 };
}

/**
 * Cyclic coordinate descent for min ‖y − Ax‖² subject to x ≥ 0 over the columns in `active`
 * (others held at their value, normally 0). Exact minimization per coordinate, projected at 0; the
 * objective is convex, so this converges to the NNLS optimum (Franc, Hlaváč, Navara 2005).
 * After each full sweep, extra sweeps over the currently positive coordinates speed up convergence.
 */
function nnlsCoordinateDescent(design: Design, x: Float64Array, active: Int32Array, maxSweeps: number, tolerance: number): number {
  const { y, colStart, rowIndex, value, colNorm2 } = design;
  const residual = Float64Array.from(y);
  for (let s = 0; s < x.length; s++) {
    const xs = x[s]!;
    if (xs === 0) continue;
    for (let e = colStart[s]!; e < colStart[s + 1]!; e++) residual[rowIndex[e]!]! -= value[e]! * xs;
  }
  const sweep = (columns: Int32Array): number => {
    let maxMove = 0;
    for (const s of columns) {
      const norm2 = colNorm2[s]!;
      if (norm2 === 0) continue;
      const start = colStart[s]!;
      const end = colStart[s + 1]!;
      let gradient = 0;
      for (let e = start; e < end; e++) gradient += value[e]! * residual[rowIndex[e]!]!;
      const old = x[s]!;
      const next = Math.max(0, old + gradient / norm2);
      const delta = next - old;
      if (delta === 0) continue;
      x[s] = next;
      for (let e = start; e < end; e++) residual[rowIndex[e]!]! -= value[e]! * delta;
      // |delta|·‖a_s‖ is how much the fit moved, in standardized (σ) units.
      maxMove = Math.max(maxMove, Math.abs(delta) * Math.sqrt(norm2));
    }
    return maxMove;
  };
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    if (sweep(active) <= tolerance) break;
    const positive = active.filter((s) => x[s]! > 0);
    for (let inner = 0; inner < 10 && sweeps < maxSweeps; inner++) {
      sweeps++;
      if (sweep(positive) <= tolerance) break;
    }
  }
  return sweeps;
}

interface SupportFit {
  /** sqrt of the diagonal of (AᵀA)⁻¹ over the support (standardized design: residual variance 1). */
  standardErrors: Float64Array;
  /** L with AᵀA = LLᵀ over the support (d × d, row-major), for {@link addedColumnStandardError}. */
  cholesky: Float64Array;
}

function supportStandardErrors(design: Design, support: Int32Array): SupportFit {
  const d = support.length;
  const standardErrors = new Float64Array(d);
  if (d === 0) return { standardErrors, cholesky: new Float64Array(0) };
  const { colStart, rowIndex, value } = design;
  // Gram matrix via a dense scatter of each support column over the rows.
  const gram = new Float64Array(d * d);
  const dense = new Float64Array(design.rows);
  for (let i = 0; i < d; i++) {
    const si = support[i]!;
    for (let e = colStart[si]!; e < colStart[si + 1]!; e++) dense[rowIndex[e]!] = value[e]!;
    for (let j = i; j < d; j++) {
      const sj = support[j]!;
      let dot = 0;
      for (let e = colStart[sj]!; e < colStart[sj + 1]!; e++) dot += dense[rowIndex[e]!]! * value[e]!;
      gram[i * d + j] = dot;
      gram[j * d + i] = dot;
    }
    for (let e = colStart[si]!; e < colStart[si + 1]!; e++) dense[rowIndex[e]!] = 0;
  }
  const cholesky = choleskyFactor(gram, d);
  const inverseDiagonal = choleskyInverseDiagonal(cholesky, d);
  for (let i = 0; i < d; i++) standardErrors[i] = Math.sqrt(Math.max(0, inverseDiagonal[i]!));
  return { standardErrors, cholesky };
}

/** The support's columns as dense rows × d blocks (column i at [i·rows, (i + 1)·rows)). */
function denseColumns(design: Design, support: Int32Array): Float64Array {
  const { rows, colStart, rowIndex, value } = design;
  const dense = new Float64Array(support.length * rows);
  support.forEach((s, i) => {
    for (let e = colStart[s]!; e < colStart[s + 1]!; e++) dense[i * rows + rowIndex[e]!] = value[e]!;
  });
  return dense;
}

/**
 * The SE column `s` would have if fitted together with the support (its columns dense in
 * `supportColumns`, its Gram factor L): the Schur complement 1/(‖a‖² − bᵀG⁻¹b), b = A_supportᵀa,
 * with bᵀG⁻¹b = ‖L⁻¹b‖². O(nnz(a)·d + d²) per column, d the final support (the detected candidates
 * and the background), so all S columns cost about one sweep per support column. Infinity when a
 * is (numerically) inside the support's span — or has no rows at all.
 */
function addedColumnStandardError(design: Design, supportColumns: Float64Array, cholesky: Float64Array, s: number): number {
  const { rows, colStart, rowIndex, value, colNorm2 } = design;
  const norm2 = colNorm2[s]!;
  if (!(norm2 > 0)) return Infinity;
  const d = supportColumns.length / rows;
  const w = new Float64Array(d);
  let explained = 0;
  for (let i = 0; i < d; i++) {
    let dot = 0;
    for (let e = colStart[s]!; e < colStart[s + 1]!; e++) dot += value[e]! * supportColumns[i * rows + rowIndex[e]!]!;
    // Forward substitution L w = b, one row at a time.
    for (let t = 0; t < i; t++) dot -= cholesky[i * d + t]! * w[t]!;
    w[i] = dot / cholesky[i * d + i]!;
    explained += w[i]! * w[i]!;
  }
  const rest = norm2 - explained;
  return rest > norm2 * 1e-9 ? 1 / Math.sqrt(rest) : Infinity;
}

/** L with G = LLᵀ for symmetric positive (semi)definite G, with a tiny ridge if singular. */
function choleskyFactor(gram: Float64Array, d: number): Float64Array {
  let maxDiagonal = 0;
  for (let i = 0; i < d; i++) maxDiagonal = Math.max(maxDiagonal, gram[i * d + i]!);
  const ridge = maxDiagonal * 1e-10;
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let diagonal = gram[j * d + j]!;
    for (let t = 0; t < j; t++) diagonal -= L[j * d + t]! ** 2;
    // Collinear candidates (identical Bloom bits everywhere) cannot be told apart: the ridge keeps
    // the factorization going and their SEs come out huge, so neither is detected on its own.
    const ljj = Math.sqrt(Math.max(diagonal, ridge));
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let sum = gram[i * d + j]!;
      for (let t = 0; t < j; t++) sum -= L[i * d + t]! * L[j * d + t]!;
      L[i * d + j] = sum / ljj;
    }
  }
  return L;
}

/** Diagonal of G⁻¹ from G's Cholesky factor L. */
function choleskyInverseDiagonal(L: Float64Array, d: number): Float64Array {
  // G⁻¹ = L⁻ᵀL⁻¹, so (G⁻¹)_ii = ‖L⁻¹e_i‖²: solve L w = e_i (w_r = 0 for r < i) and sum squares.
  const result = new Float64Array(d);
  const w = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let squares = 0;
    for (let r = i; r < d; r++) {
      let sum = r === i ? 1 : 0;
      for (let t = i; t < r; t++) sum -= L[r * d + t]! * w[t]!;
      w[r] = sum / L[r * d + r]!;
      squares += w[r]! * w[r]!;
    }
    result[i] = squares;
  }
  return result;
}
