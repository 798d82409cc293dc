/**
 * What a release's intervals are for — its estimand (core's estimand.ts) — stated in the release
 * itself (`estimand` in the JSON, the `estimand` and `estimand_note` CSV columns), next to what
 * reading it that way assumes.
 *
 * Shares (frequencies, multiselect prevalences, RAPPOR candidates): the default is the population
 * share, variance = the respondents' variance + f(1−f)/n per value, f̂ clipped to [0, 1];
 * `?estimand=respondents` gives the share among the patients who answered. Means have one SE, the
 * empirical one, which already includes the spread of the answers (a population SE); asked for the
 * respondents, the same interval is released and said to be conservative for them.
 *
 * Cells: a day cell holds one report per device, so the formulas are exact there. A week or total
 * cell's SE is the any-correlation bound (bucket-error.ts) over the days' SEs of the same estimand.
 */
import { ESTIMAND_ASSUMPTIONS, ESTIMAND_DESCRIPTIONS, type Estimand, type MechanismMeta } from '@practical-privacy/core';
import { ANY_CORRELATION_NOTE } from './bucket-error.ts';
import type { EstimandStatement } from './release.ts';

const RESPONDENTS_ASSUMPTIONS: readonly string[] = ['The answers of the patients who reported are held fixed: the interval says nothing about anyone who did not report.'];

const MEAN_DESCRIPTIONS: Readonly<Record<Estimand, string>> = {
  population:
    'The mean in the population the respondents come from: its standard error is the empirical one (the spread of the reported values), which already includes the spread of the answers, so nothing is added.',
  respondents:
    'The mean among the patients who answered. No respondents-only standard error is computed (the spread of the true answers is not observable): this is the population interval, conservative for the respondents (too wide by at most their spread).',
};

const RAPPOR_DISPERSION_NOTE =
  'RAPPOR candidates: the least-squares standard error of the decoding, times √φ̂, φ̂ ≥ 1 the fit’s residual dispersion (Pearson χ²/df, a quasi-likelihood scale; decoding.dispersion), which widens the intervals when names outside the candidate list leave bits unexplained.';
const RAPPOR_UNDETECTED_NOTE =
  'A candidate the decoding did not detect has no estimate and no interval (detectable: false, null values): its share is below ≈ its detectionLimit, the share detected with probability decoding.detectionPower — whether it is a few percent or 0. The intervals of detected candidates ignore that they were selected by the same data.';

/** The statement for a question whose estimate is of `kind` (the registry's), asked for `estimand`. */
export function estimandStatement(kind: MechanismMeta['estimate'], estimand: Estimand): EstimandStatement {
  const mean = kind === 'mean';
  const notes = [
    'Day cells: each device reports at most once a day, so the day’s reports are from different patients and the formula holds as stated.',
    `Week and total cells: ${ANY_CORRELATION_NOTE}`,
  ];
  if (kind === 'rappor') {
    notes.push(
      estimand === 'population'
        ? `${RAPPOR_DISPERSION_NOTE} Plus x̂(1−x̂)/n; for a week or total, the bit-level bound plus the sampling term bounded over days (Σₜ wₜ·√(x̂(1−x̂)/nₜ)), the two added in quadrature. Detection (z) uses the respondents’ SE, equal to the population’s at a share of 0. ${RAPPOR_UNDETECTED_NOTE}`
        : `${RAPPOR_DISPERSION_NOTE} ${RAPPOR_UNDETECTED_NOTE}`,
    );
  }
  return {
    name: estimand,
    description: mean ? MEAN_DESCRIPTIONS[estimand] : ESTIMAND_DESCRIPTIONS[estimand],
    assumptions: [...(estimand === 'population' || mean ? ESTIMAND_ASSUMPTIONS : RESPONDENTS_ASSUMPTIONS)],
    notes,
  };
}

/** One cell of text for the CSV export: the description, then the assumptions. */
export function estimandNote(statement: EstimandStatement): string {
  return `${statement.description} Assumes: ${statement.assumptions.join(' ')}`;
}
