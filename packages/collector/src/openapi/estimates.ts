/**
 * The estimate release (routes/estimates.ts; the TypeScript shape is release.ts). The release, its
 * cells and its values are open objects (`additionalProperties` unset): fields added to a cell in
 * a later version (e.g. an integrity note) are announced by the README, and an older client keeps
 * working. What lies inside them (amplification, uncertainty, decoding, …) is closed.
 */
import { ESTIMANDS } from '@practical-privacy/core';
import * as v from 'valibot';
import type { EstimateRelease } from '../release.ts';
import { AUTH_ERRORS, COMMON_ERRORS, error, json, text, type Documents } from './responses.ts';

const Interval = v.strictTuple([v.number(), v.number()]);
const Day = v.pipe(v.string(), v.isoDate());
const Scope = v.picklist(['day', 'week', 'total']);

const EstimateValueSchema = v.object({
  value: v.string(),
  unbiased: v.pipe(v.number(), v.description('Debiased share, the centre of ci95; may lie slightly outside [0, 1].')),
  standardError: v.number(),
  ci95: v.pipe(Interval, v.description('unbiased ± 1.96·standardError, intersected with [0, 1], for the release’s estimand.')),
  consistent: v.pipe(v.number(), v.description('Post-processed (Norm-Sub or clipped) share; may fall outside ci95.')),
  estimate: v.pipe(v.number(), v.description('Same as consistent (older name).')),
  detectable: v.optional(v.literal(true)),
  detectionLimit: v.optional(v.number()),
});

const UndetectedValueSchema = v.object({
  value: v.string(),
  detectable: v.literal(false),
  detectionLimit: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  note: v.string(),
  unbiased: v.null(),
  standardError: v.null(),
  ci95: v.null(),
  consistent: v.null(),
  estimate: v.null(),
});

const AmplificationSchema = v.union([
  v.strictObject({ applicable: v.literal(true), scope: v.literal('day'), epsilon: v.number(), delta: v.number(), epsilon0: v.number(), n: v.number(), assumption: v.string() }),
  v.strictObject({ applicable: v.literal(false), scope: Scope, code: v.picklist(['SEVERAL_REPORTS_PER_DEVICE', 'N_TOO_SMALL', 'EPSILON0_TOO_LARGE']), reason: v.string(), epsilon0: v.number(), n: v.number(), delta: v.number() }),
]);

/** A total over a range with no reports and no `from` has no first day: its period is empty. */
const PeriodDay = v.union([Day, v.pipe(v.literal(''), v.description('Only a `total` cell of a range with no reports and no `from`/`to`.'))]);

const CellSchema = v.object({
  period: v.pipe(PeriodDay, v.description('First day the cell covers.')),
  periodEnd: v.pipe(PeriodDay, v.description('Last day the cell covers.')),
  n: v.pipe(v.number(), v.minValue(0), v.description('Reports the estimate is computed from.')),
  suppressed: v.boolean(),
  reason: v.optional(v.string()),
  withheld: v.optional(v.strictObject({ days: v.number(), reports: v.number(), reason: v.string() })),
  values: v.optional(v.array(v.union([EstimateValueSchema, UndetectedValueSchema]))),
  mean: v.optional(v.strictObject({ estimate: v.number(), standardError: v.number(), ci95: Interval })),
  decoding: v.optional(
    v.strictObject({ zThreshold: v.number(), detected: v.array(v.string()), detectionPower: v.number(), dispersion: v.number(), unexplainedMass: v.number(), backgroundShare: v.number() }),
  ),
  uncertainty: v.optional(v.strictObject({ basis: v.picklist(['day', 'any-correlation-bound']), days: v.number(), note: v.string() })),
  amplification: v.optional(AmplificationSchema),
  integrity: v.optional(
    v.pipe(
      v.strictObject({ status: v.picklist(['ok', 'suspicious', 'not-applicable']), reason: v.string(), score: v.nullable(v.number()) }),
      v.description('Issue 17 §2: does the cell’s set-bit histogram fit honest reports (G-test, suspicious below p = 0.001, score −log10 p)? not-applicable where a fake report cannot be told apart, or for a release merged across versions.'),
    ),
  ),
  recovery: v.optional(
    v.pipe(
      v.strictObject({ applied: v.boolean(), fakeShare: v.nullable(v.number()), targets: v.array(v.string()), note: v.string() }),
      v.description('Only with defence=ldprecover: whether the recovery changed the values, the share it took as fake and the targets it named.'),
    ),
  ),
});

const EstimateReleaseSchema = v.object({
  campaign: v.string(),
  version: v.number(),
  question: v.string(),
  type: v.string(),
  mechanism: v.string(),
  epsilon: v.number(),
  implementedEpsilon: v.number(),
  minBatch: v.number(),
  bucket: Scope,
  from: v.nullable(Day),
  to: v.nullable(Day),
  estimand: v.strictObject({ name: v.picklist(ESTIMANDS), description: v.string(), assumptions: v.array(v.string()), notes: v.array(v.string()) }),
  cells: v.array(CellSchema),
  versions: v.optional(v.pipe(v.array(v.number()), v.description('Only with versions=merge: every version whose day cells were summed, oldest first.'))),
  weighting: v.optional(
    v.pipe(
      v.strictObject({ name: v.picklist(['reports', 'inverse-variance']), assignment: v.picklist(['patient', 'random']), note: v.string() }),
      v.description('Questions with privacy levels: how the levels were combined (weighting=).'),
    ),
  ),
  defence: v.optional(v.pipe(v.picklist(['none', 'ldprecover']), v.description('Issue 17 §2: whether the values were recomputed with the poisoning recovery.'))),
});

type _Checked = Documents<typeof EstimateReleaseSchema, EstimateRelease>;

const READ_ERRORS = {
  400: error('REQUEST_INVALID (a query parameter, named in `path`), WEIGHTING_UNAVAILABLE (weighting=inverse-variance for a question whose levels are not assigned at random, or in an export)'),
  ...AUTH_ERRORS,
  404: error('CAMPAIGN_UNKNOWN (also for a campaign outside the token’s scope), QUESTION_UNKNOWN'),
  409: error('VERSIONS_DIFFER (versions=merge: the question’s definition differs between versions; names the first that differs)'),
  ...COMMON_ERRORS,
  500: error('INTERNAL, CAMPAIGN_INVALID (a stored campaign no longer parses)'),
};

export const estimatesResponses = {
  200: json('The release: one cell per day, ISO week or the total.', EstimateReleaseSchema),
  ...READ_ERRORS,
};

export const exportResponses = {
  200: text('CSV (RFC 4180) for `format=csv`; Google RAPPOR analysis files for the rappor-* formats.', 'text/csv', { 'content-disposition': '`attachment; filename="<campaign>-<question>.csv"`, or `params.csv`, `counts.csv`, `map.csv`.' }),
  ...READ_ERRORS,
  400: error('REQUEST_INVALID (a query parameter, named in `path`), NOT_SUPPORTED (a rappor-* format for a question that is not RAPPOR), WEIGHTING_UNAVAILABLE (exports combine levels by report counts only)'),
};
