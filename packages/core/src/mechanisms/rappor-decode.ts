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
 *    closed form is cheaper and deterministic).
 * 4. Detection: one-sided z = x̂/SE above Φ⁻¹(1 − α/S), Bonferroni over all S candidates as decode.R
 *    (`alpha / S`). The detected set is refitted alone (NNLS again), and its SEs recomputed.
 *    A background column (every bit, share β ≥ 0) plays the role of decode.R's LASSO intercept.
 * 5. Unexplained mass = 1 − Σ detected shares: reports whose value is not among the detected
 *    candidates (or below the detection threshold).
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
 * assumes the fitted support is fixed, and the SEs ignore the selection step.
 */
import { parameterError } from '../errors.ts';
import type { RapporBitEstimate } from './rappor-estimate.ts';
import { checkEstimand, samplingVariance, type Estimand } from './estimand.ts';
import { Z_95 } from './types.ts';

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
}

export interface RapporCandidateEstimate {
  candidate: string;
  /** Estimated share of reports holding the candidate. */
  proportion: number;
  /** For the estimand asked for (population by default); `ci95` is proportion ± 1.96 times it. */
  standardError: number;
  ci95: [number, number];
  /** Estimated number of reports = proportion · n. */
  count: number;
  /** The detection statistic: proportion / the respondents' SE (equal to the population's at x = 0). */
  z: number;
  detected: boolean;
}

export interface RapporDecodeResult {
  n: number;
  /** Every candidate, in input order. Undetected ones keep their first-fit share (often 0). */
  candidates: RapporCandidateEstimate[];
  /** Detected candidates, largest share first. */
  detected: RapporCandidateEstimate[];
  /** The one-sided z a candidate must exceed: Φ⁻¹(1 − α/S). */
  zThreshold: number;
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
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw parameterError('alpha', `must be in (0, 1), got ${alpha}`);
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

  const zThreshold = normalQuantile(1 - alpha / Math.max(1, S));
  const standardErrors = new Float64Array(S + 1);
  const support = testedSupport(all.filter((s) => x[s]! > 0), x, S);
  // Candidates with a share but beyond the tested support have no standard error (never detected).
  for (let s = 0; s < S; s++) if (x[s]! > 0) standardErrors[s] = Number.NaN;
  const firstSe = supportStandardErrors(design, support);
  support.forEach((s, i) => (standardErrors[s] = firstSe[i]!));
  const passing = support.filter((s, i) => s < S && x[s]! / firstSe[i]! > zThreshold);

  // Refit on the detected set (plus the background) alone; dropped shares go back into the residual.
  const refit = new Float64Array(S + 1);
  for (const s of passing) refit[s] = x[s]!;
  refit[S] = x[S]!;
  const refitColumns = Int32Array.from([...passing, S]);
  sweeps += nnlsCoordinateDescent(design, refit, refitColumns, maxSweeps, tolerance);
  const finalSupport = refitColumns.filter((s) => refit[s]! > 0);
  const finalSe = supportStandardErrors(design, finalSupport);
  const detectedFlags = new Uint8Array(S);
  finalSupport.forEach((s, i) => {
    x[s] = refit[s]!;
    standardErrors[s] = finalSe[i]!;
    if (s < S) detectedFlags[s] = 1;
  });
  const backgroundShare = refit[S]!;

  const candidates = map.candidates.map((candidate, s): RapporCandidateEstimate => {
    const proportion = x[s]!;
    const respondentsError = standardErrors[s]!;
    const standardError = Math.sqrt(respondentsError * respondentsError + samplingVariance(samplingSize, proportion, estimand));
    return {
      candidate,
      proportion,
      standardError,
      ci95: [proportion - Z_95 * standardError, proportion + Z_95 * standardError],
      count: proportion * n,
      z: respondentsError > 0 ? proportion / respondentsError : 0,
      detected: detectedFlags[s] === 1,
    };
  });
  const detected = candidates.filter((c) => c.detected).sort((a, b) => b.proportion - a.proportion);
  const unexplainedMass = 1 - detected.reduce((sum, c) => sum + c.proportion, 0);
  return { n, candidates, detected, zThreshold, unexplainedMass, backgroundShare, sweeps };
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

/** sqrt of the diagonal of (AᵀA)⁻¹ over `support` (standardized design: residual variance 1). */
function supportStandardErrors(design: Design, support: Int32Array): Float64Array {
  const d = support.length;
  const out = new Float64Array(d);
  if (d === 0) return out;
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
  const inverseDiagonal = choleskyInverseDiagonal(gram, d);
  for (let i = 0; i < d; i++) out[i] = Math.sqrt(Math.max(0, inverseDiagonal[i]!));
  return out;
}

/** Diagonal of G⁻¹ for symmetric positive (semi)definite G, by Cholesky with a tiny ridge if singular. */
function choleskyInverseDiagonal(gram: Float64Array, d: number): Float64Array {
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

/**
 * Φ⁻¹(p), the standard normal quantile: Acklam's rational approximation (relative error < 1.2e-9)
 * refined by one Halley step on erfc — plenty for a detection threshold.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw parameterError('p', `must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const t = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  } else if (p <= 1 - low) {
    const t = p - 0.5;
    const r = t * t;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const t = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  }
  // One Halley step: e = Φ(x) − p.
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
