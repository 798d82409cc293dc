/**
 * The wire format: one report, and the batch the SDK POSTs (docs/protocol.md, field by field).
 *
 * Built with valibot so the schema, the TypeScript type and the validation are one thing:
 * - strict objects: an unknown key — including a JSON `__proto__` key — is rejected, and the
 *   parsed output is a fresh object holding only the known keys (no prototype pollution);
 * - numbers must be finite (`1e309` parses to Infinity and is rejected), integers where counts;
 * - the payload is a flat JSON value (number, short string, boolean, null, or a short array of
 *   numbers/booleans) — bounded here so hostile nesting never reaches a mechanism's decoder, which
 *   then checks it exactly (`decodeReport`).
 */
import * as v from 'valibot';
import { MAX_EPSILON } from '../validate.ts';
import { TOKEN_BASE64URL_LENGTH } from '../tokens/context.ts';
import { ID_PATTERN, isValidDay, REPORT_ID_PATTERN } from './ids.ts';

/** A serialized type-0x0002 token in base64url (docs/protocol.md, "Anonymous tokens"). */
export const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_BASE64URL_LENGTH}}$`);

/** Most reports in one batch (the SDK's beacon batches stay under 60 KB anyway). */
export const MAX_BATCH_REPORTS = 1000;
/** Longest string payload: a unary report over k = 65,536 bits is 10,923 base64url characters. */
export const MAX_PAYLOAD_STRING = 16_384;
/** Longest array payload (OLH sends 2 numbers). */
export const MAX_PAYLOAD_ARRAY = 64;
/** Largest cohort number (RAPPOR uses m ≤ 1024 cohorts in practice). */
export const MAX_COHORT = 1_048_575;
export const MAX_VERSION = 2_147_483_647;

export const IdSchema = v.pipe(v.string(), v.regex(ID_PATTERN, 'must be 1–64 characters of [A-Za-z0-9._-], starting with a letter or digit'));
export const VersionSchema = v.pipe(v.number(), v.finite(), v.integer(), v.minValue(1), v.maxValue(MAX_VERSION));
export const ReportIdSchema = v.pipe(v.string(), v.regex(REPORT_ID_PATTERN, 'must be 32 lowercase hex digits (128 random bits)'));
export const DaySchema = v.pipe(v.string(), v.check(isValidDay, 'must be a UTC day YYYY-MM-DD (year ≥ 2000, a real date)'));

const FiniteNumber = v.pipe(v.number(), v.finite());
export const PayloadSchema = v.union(
  [
    FiniteNumber,
    v.pipe(v.string(), v.maxLength(MAX_PAYLOAD_STRING)),
    v.boolean(),
    v.null(),
    v.pipe(v.array(v.union([FiniteNumber, v.boolean()])), v.maxLength(MAX_PAYLOAD_ARRAY)),
  ],
  'must be a finite number, a string, a boolean, null or a short array of numbers/booleans',
);
export const CohortSchema = v.pipe(v.number(), v.finite(), v.integer(), v.minValue(0), v.maxValue(MAX_COHORT));

/**
 * Protocol versions (docs/protocol.md, "Protocol versions"). v1: the batch has no `protocol` field
 * and its reports no `ext` (devices in the field). v2: `protocol: 2`, and each report may carry an
 * `ext` object — the extension point later features (a privacy level, an anonymous token) add named
 * fields to. Only registered extensions are accepted: `level` (issue 14 §2: the ε₁ of the privacy
 * level the report was randomized at, one of the question's `levels`; checked by the collector
 * against the campaign), `token` (issue 17).
 */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export const CURRENT_PROTOCOL = 2;
export const ReportExtensionsSchema = v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be an object of named extensions'),
  v.strictObject({
    level: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(MAX_EPSILON))),
    // Issue 17: a Privacy Pass token (RFC 9578 type 0x0002, 354 bytes) as 472 base64url characters
    // without padding (354 = 3 · 118: no padding bits, one spelling). Its fields are checked by the
    // collector per report (core/src/tokens/context.ts); only its shape is checked here.
    token: v.optional(v.pipe(v.string(), v.regex(TOKEN_PATTERN, `must be a Privacy Pass token: ${TOKEN_BASE64URL_LENGTH} base64url characters without padding`))),
  }),
);

/** The per-report fields a batch carries (campaign and version are stated once, on the batch). */
const reportEntries = {
  id: ReportIdSchema,
  questionId: IdSchema,
  day: DaySchema,
  payload: PayloadSchema,
  cohort: v.optional(CohortSchema),
  ext: v.optional(ReportExtensionsSchema),
};

/** A report inside a batch. */
export const BatchReportSchema = v.strictObject(reportEntries);

/** A self-contained report: the batch entry plus the campaign it answers. */
export const ReportSchema = v.strictObject({ ...reportEntries, campaignId: IdSchema, campaignVersion: VersionSchema });

export const BatchSchema = v.pipe(
  v.strictObject({
    protocol: v.optional(v.picklist(PROTOCOL_VERSIONS)),
    campaignId: IdSchema,
    campaignVersion: VersionSchema,
    reports: v.pipe(v.array(BatchReportSchema), v.minLength(1), v.maxLength(MAX_BATCH_REPORTS)),
  }),
  v.forward(
    v.check((batch) => (batch.protocol ?? 1) >= 2 || batch.reports.every((r) => r.ext === undefined), 'report extensions (ext) need protocol 2'),
    ['reports'],
  ),
);

export type WirePayload = v.InferOutput<typeof PayloadSchema>;
export type BatchReport = v.InferOutput<typeof BatchReportSchema>;
export type WireReport = v.InferOutput<typeof ReportSchema>;
export type WireBatch = v.InferOutput<typeof BatchSchema>;
