/** Request and response schemas of ingest (routes/reports.ts) and the token key list (routes/token-keys.ts). */
import { BatchSchema, TokenKeyListSchema } from '@practical-privacy/core';
import * as v from 'valibot';
import { exampleBatch } from './examples.ts';
import { requestSchema } from './json-schema.ts';
import type { ReportAnswer } from '../privacy-pass/batch-tokens.ts';
import { COMMON_ERRORS, error, ErrorBodySchema, json, type Documents } from './responses.ts';

/**
 * The batch, from core's BatchSchema (the validator ingest runs), with an example dated `day`. As
 * JSON or as text/plain holding JSON (navigator.sendBeacon cannot set a JSON content type).
 */
export function batchBody(day: string): Record<string, unknown> {
  return { ...requestSchema(BatchSchema), description: 'A batch of randomized reports (docs/protocol.md).', examples: [exampleBatch(day)] };
}

/** The media types ingest parses as JSON (app.ts's content-type parser). */
export const INGEST_MEDIA_TYPES = ['application/json', 'text/plain'];

export const ingestQuery = requestSchema(v.strictObject({ key: v.optional(v.pipe(v.string(), v.description('The campaign’s ingest key, once (or the x-pp-ingest-key header). A repeated key is 400.'))) }));

const ReportAnswerSchema = v.union([
  v.strictObject({ id: v.string(), status: v.picklist(['accepted', 'duplicate']) }),
  v.strictObject({ id: v.string(), status: v.literal('refused'), code: v.pipe(v.string(), v.description('Why the report’s token was refused, e.g. TOKEN_SPENT.')), message: v.string() }),
]);

const IngestResultSchema = v.strictObject({
  accepted: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Reports stored by this batch.')),
  duplicates: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Reports whose id was already stored: acknowledged, counted once.')),
  refused: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Campaigns with `tokens` only: reports refused for their token.'))),
  reports: v.optional(v.pipe(v.array(ReportAnswerSchema), v.description('Campaigns with `tokens` only: one answer per report, in batch order.'))),
});

/** What routes/reports.ts sends: the counts, and for campaigns with `tokens` the per-report answers. */
type _Checked = Documents<typeof IngestResultSchema, { accepted: number; duplicates: number; refused?: number; reports?: ReportAnswer[] }>;

export const ingestResponses = {
  202: json('Committed: every report of the batch is stored or was already stored (acknowledge them all).', IngestResultSchema),
  400: error('REPORT_INVALID (with `path`), QUESTION_UNKNOWN, PAYLOAD_INVALID, JSON_INVALID, REQUEST_INVALID (`key` repeated); nothing stored, do not retry'),
  401: error('INGEST_KEY_INVALID (missing, revoked or expired ingest key)'),
  404: error('CAMPAIGN_UNKNOWN (this campaign version is not published)'),
  410: error('CAMPAIGN_CLOSED (final: drop the batch)'),
  413: error('BATCH_TOO_LARGE (more reports than PP_MAX_BATCH_REPORTS), BODY_TOO_LARGE'),
  415: error('UNSUPPORTED_MEDIA_TYPE'),
  429: json('Error body; code RATE_LIMITED (more batches from this address in a minute than PP_RATE_LIMIT_PER_MINUTE).', ErrorBodySchema, { 'retry-after': 'Seconds until the window frees a request.' }),
  ...COMMON_ERRORS,
};

export const tokenKeysResponses = {
  200: json('The published Privacy Pass key list (core’s TokenKeyListSchema).', TokenKeyListSchema, { 'cache-control': '`public, max-age=60`.' }),
  404: error('TOKEN_KEYS_UNCONFIGURED (no PP_TOKEN_KEYS)'),
  ...COMMON_ERRORS,
};
