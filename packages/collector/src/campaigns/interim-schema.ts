/**
 * INTERIM campaign and batch schemas, used until core's campaign (packages/core/src/campaign/) and
 * wire (packages/core/src/wire/) validators land; `model.ts` is the only importer, so switching
 * to core's is a one-file change. They follow DESIGN.md: strict objects (unknown fields rejected),
 * a report carries id (128-bit hex), question, UTC day, payload and optional cohort.
 */
import * as v from 'valibot';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const QuestionSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(ID_PATTERN)),
  type: v.picklist(['boolean', 'categorical']),
  prompt: v.optional(v.pipe(v.string(), v.maxLength(500))),
  categories: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), v.minLength(2), v.maxLength(1000))),
  epsilon: v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(20)),
  mechanism: v.optional(v.picklist(['auto', 'binary-rr', 'grr'])),
  tier: v.optional(v.picklist(['low', 'moderate', 'high', 'restricted'])),
  period: v.optional(v.picklist(['day', 'week', 'month'])),
  minBatch: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000))),
});

export const CampaignSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(ID_PATTERN)),
  version: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2_147_483_647)),
  title: v.optional(v.pipe(v.string(), v.maxLength(500))),
  questions: v.pipe(v.array(QuestionSchema), v.minLength(1), v.maxLength(200)),
});

export type InterimCampaign = v.InferOutput<typeof CampaignSchema>;
export type InterimQuestion = v.InferOutput<typeof QuestionSchema>;

// Payloads are flat: a number, a short string, or an array of numbers/booleans (bit vectors, seed+value pairs).
// Bounding depth and size here keeps hostile nesting away from every mechanism's decoder.
const Scalar = v.union([v.number(), v.boolean()]);
const JsonPayload = v.union([v.number(), v.pipe(v.string(), v.maxLength(65_536)), v.boolean(), v.null(), v.pipe(v.array(Scalar), v.maxLength(65_536))]);

export const ReportSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits (128 random bits)')),
  question: v.pipe(v.string(), v.regex(ID_PATTERN)),
  day: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC day YYYY-MM-DD')),
  payload: JsonPayload,
  cohort: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000))),
});

export const BatchSchema = v.strictObject({
  campaign: v.pipe(v.string(), v.regex(ID_PATTERN)),
  version: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2_147_483_647)),
  reports: v.pipe(v.array(ReportSchema), v.minLength(1)),
});

export type WireBatch = v.InferOutput<typeof BatchSchema>;
export type WireReport = v.InferOutput<typeof ReportSchema>;
