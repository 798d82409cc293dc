/**
 * The integrity signal of one released cell (issue 17 §2): is the cell's set-bit histogram
 * plausible for honest reports of its mechanism (set-bit-model.ts, fit-test.ts)?
 *
 * False alarms. A cell is flagged when the G-test's p-value is below DEFAULT_INTEGRITY_ALPHA =
 * 0.001: one honest cell in a thousand, nominally, leaving room under the product's target (≤ 1%
 * of honest cells) for the χ² approximation after pooling, which is not exact in the far tail:
 * measured over 1,000–3,000 seeded honest cells of n = 1,000, k = 16, ε = 1, the rate was 0.1% for
 * OUE and 0.2–0.3% for SUE (Pearson's X² or pooling to ≥ 10 expected did no better), and 2 of 600
 * honest cells (0.33%) in the red-team bench. test/integrity.test.ts checks the rate over seeded
 * honest cells, outbreaks included (the law does not depend on the answers), and
 * test/integrity-calibration.test.ts that p < 0.1 and p < 0.01 are not reached more often than
 * nominal (2,000 OUE and SUE cells, 8,000 RAPPOR cells, one-sided binomial tolerance). Multiple
 * testing: a dashboard of C cells expects about C/1000 false alarms in all (0.3 for 10 questions ×
 * 30 days); the signal is per cell, not a family-wise guarantee, and a single flag is a prompt to
 * look, not proof. Cells at several privacy levels test each level against its own law and add the
 * G statistics and degrees of freedom (the levels' reports are independent).
 *
 * Score: −log₁₀ of the p-value (0 = perfectly ordinary; 3 = the threshold; larger = less plausible),
 * null when there is no test.
 */
import { logChiSquareSurvival, setBitFit } from './fit-test.ts';
import type { SetBitModel } from './set-bit-model.ts';

export const DEFAULT_INTEGRITY_ALPHA = 0.001;

export type IntegrityStatus = 'ok' | 'suspicious' | 'not-applicable';

/** Exactly what the estimates API carries on each released cell. */
export interface IntegritySignal {
  status: IntegrityStatus;
  reason: string;
  score: number | null;
}

/** One privacy level's histogram (bin j = reports with j set bits) and its honest law. */
export interface HistogramPart {
  model: SetBitModel;
  histogram: ArrayLike<number>;
}

/** Why a mechanism has no test (set-bit-model.ts's header, in one sentence each). */
export function notApplicableReason(mechanism: string): string {
  if (mechanism === 'olh' || mechanism === 'loloha') {
    return `${mechanism} reports are (hash seed, bucket) pairs and every pair is a valid honest report, so no report is implausible on its own; no detection from stored aggregates`;
  }
  if (mechanism === 'padding-sampling') return 'padding-and-sampling reports are reports of a GRR/OLH-type inner oracle: every output is valid, nothing to detect';
  return `a ${mechanism} report is one valid output (a fake report is an honest-looking report of the attacker's chosen value), so poisoning cannot be detected here; only tokens (an allowance per enrolled patient) limit it`;
}

export function plausibility(parts: readonly HistogramPart[], options: { alpha?: number } = {}): IntegritySignal {
  const alpha = options.alpha ?? DEFAULT_INTEGRITY_ALPHA;
  let statistic = 0;
  let dof = 0;
  let n = 0;
  for (const part of parts) {
    const fit = setBitFit(part.histogram, part.model.components);
    n += fit.n;
    if (fit.degreesOfFreedom === 0) continue;
    statistic += fit.statistic;
    dof += fit.degreesOfFreedom;
  }
  if (dof === 0) return { status: 'not-applicable', reason: `too few reports (${n}) for the set-bit test: every pooled group must expect ≥ 5 reports`, score: null };
  const logP = logChiSquareSurvival(statistic, dof);
  const score = Math.max(0, -logP / Math.LN10);
  const p = Math.exp(logP);
  const pText = p < 1e-6 ? `< 1e-6` : p.toPrecision(2);
  if (logP < Math.log(alpha)) {
    return { status: 'suspicious', reason: `the set-bit counts of these ${n} reports do not fit honest reports of this mechanism (G = ${statistic.toFixed(1)}, ${dof} df, p ${p < 1e-6 ? pText : `= ${pText}`} < ${alpha}): reports may have been crafted`, score };
  }
  return { status: 'ok', reason: `set-bit counts of ${n} reports fit honest reports (G = ${statistic.toFixed(1)}, ${dof} df, p = ${pText}); an attacker who mimics them (adaptive) is not detected by this test`, score };
}
