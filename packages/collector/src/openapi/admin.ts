/** Response schemas of the admin API (routes/admin.ts; the operations in src/operations/ return these shapes). */
import { ID_PATTERN } from '@practical-privacy/core';
import * as v from 'valibot';
import { AUDIT_ACTIONS } from '../storage/repository.ts';
import type { AuditPage } from '../operations/audit.ts';
import type { CloseResult } from '../operations/close-campaign.ts';
import type { IngestKeyListing } from '../operations/ingest-keys.ts';
import type { PurgeResult } from '../operations/purge-campaign.ts';
import type { RetentionResult } from '../operations/retention.ts';
import type { CreatedToken, TokenListing } from '../operations/tokens.ts';
import { AUTH_ERRORS, COMMON_ERRORS, error, json, type Documents } from './responses.ts';

const Id = v.pipe(v.string(), v.regex(ID_PATTERN));
const Instant = v.pipe(v.string(), v.isoTimestamp());
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Status = v.pipe(v.picklist(['active', 'expired', 'revoked']), v.description('At the time of the answer.'));

const BODY_ERRORS = {
  413: error('BODY_TOO_LARGE'),
  415: error('UNSUPPORTED_MEDIA_TYPE'),
};
const campaignUnknown = error('CAMPAIGN_UNKNOWN');
const noBody = error('JSON_INVALID (a body was sent with a JSON content type but is empty or not JSON)');

const IngestKeySchema = v.strictObject({
  campaignId: Id,
  label: v.string(),
  key: v.pipe(v.string(), v.description('Publishable (it ships inside the app), so it is shown to admins.')),
  createdAt: Instant,
  expiresAt: v.nullable(Instant),
  revokedAt: v.nullable(Instant),
  status: Status,
});

const tokenFields = {
  label: v.string(),
  role: v.picklist(['admin', 'read']),
  campaigns: v.pipe(v.nullable(v.array(Id)), v.description('Campaigns a read token may read; null: every campaign.')),
  createdAt: Instant,
  expiresAt: v.nullable(Instant),
  revokedAt: v.nullable(Instant),
  status: Status,
};
const TokenSchema = v.strictObject(tokenFields);

const AuditEntrySchema = v.strictObject({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  at: Instant,
  actor: v.pipe(v.string(), v.description('A token label, `cli:<user>`, or an internal actor such as `retention`; never a token.')),
  action: v.picklist(AUDIT_ACTIONS),
  campaignId: v.nullable(v.string()),
  questionId: v.nullable(v.string()),
  detail: v.nullable(v.record(v.string(), v.unknown())),
});

const CloseSchema = v.strictObject({ id: Id, status: v.literal('closed'), closedAt: Instant, alreadyClosed: v.boolean() });
const PurgeSchema = v.strictObject({ id: Id, reports: Count, cells: Count });
const RetentionSchema = v.strictObject({ id: Id, retentionDays: v.nullable(v.pipe(v.number(), v.integer())) });
const CreatedTokenSchema = v.strictObject({ ...tokenFields, token: v.pipe(v.string(), v.regex(/^ppt_[A-Za-z0-9_-]{43}$/)) });
const AuditPageSchema = v.strictObject({ entries: v.array(AuditEntrySchema), next: v.nullable(v.pipe(v.number(), v.integer())) });

type _Checked = [
  Documents<typeof CloseSchema, CloseResult>,
  Documents<typeof PurgeSchema, PurgeResult>,
  Documents<typeof RetentionSchema, RetentionResult>,
  Documents<typeof IngestKeySchema, IngestKeyListing>,
  Documents<typeof TokenSchema, TokenListing>,
  Documents<typeof CreatedTokenSchema, CreatedToken>,
  Documents<typeof AuditPageSchema, AuditPage>,
];

export const closeResponses = {
  200: json('Closed (or already closed: `alreadyClosed`, with the first time).', CloseSchema),
  400: noBody,
  ...AUTH_ERRORS,
  404: campaignUnknown,
  ...COMMON_ERRORS,
};

export const purgeResponses = {
  200: json('Deleted: the report ids and raw reports (`reports`) and the aggregate cells (`cells`) of every version.', PurgeSchema),
  400: error('CONFIRMATION_REQUIRED (`confirm` is not the campaign id), REQUEST_INVALID (`confirm` missing or repeated), JSON_INVALID'),
  ...AUTH_ERRORS,
  404: campaignUnknown,
  409: error('CAMPAIGN_OPEN (close the campaign first)'),
  ...COMMON_ERRORS,
};

export const retentionResponses = {
  200: json('Set; the hourly maintenance applies it.', RetentionSchema),
  400: error('REQUEST_INVALID (`days` out of range or below the report window + 2), JSON_INVALID'),
  ...AUTH_ERRORS,
  404: campaignUnknown,
  ...BODY_ERRORS,
  ...COMMON_ERRORS,
};

export const listIngestKeysResponses = {
  200: json('Every ingest key the campaign has had, revoked and expired ones included.', v.strictObject({ keys: v.array(IngestKeySchema) })),
  ...AUTH_ERRORS,
  404: campaignUnknown,
  ...COMMON_ERRORS,
};

export const addIngestKeyResponses = {
  201: json('Added; valid from now on, next to the other active keys.', IngestKeySchema),
  400: error('REQUEST_INVALID (a field, named in `path`), JSON_INVALID'),
  ...AUTH_ERRORS,
  404: campaignUnknown,
  409: error('LABEL_TAKEN (labels are unique per campaign, forever)'),
  ...BODY_ERRORS,
  ...COMMON_ERRORS,
};

export const revokeIngestKeyResponses = {
  200: json('Revoked.', IngestKeySchema),
  400: noBody,
  ...AUTH_ERRORS,
  404: error('CAMPAIGN_UNKNOWN, INGEST_KEY_UNKNOWN'),
  ...COMMON_ERRORS,
};

export const listTokensResponses = {
  200: json('The tokens in the database (never the tokens themselves; configured env: tokens are not listed).', v.strictObject({ tokens: v.array(TokenSchema) })),
  ...AUTH_ERRORS,
  ...COMMON_ERRORS,
};

export const createTokenResponses = {
  201: json('Created. `token` is shown this once (stored as its SHA-256).', CreatedTokenSchema, { 'cache-control': '`no-store`: no cache may keep the token.' }),
  400: error('REQUEST_INVALID (a field, named in `path`), JSON_INVALID'),
  ...AUTH_ERRORS,
  409: error('LABEL_TAKEN (labels are unique forever)'),
  ...BODY_ERRORS,
  ...COMMON_ERRORS,
};

export const revokeTokenResponses = {
  200: json('Revoked: refused from the next request on, on every instance.', TokenSchema),
  400: noBody,
  ...AUTH_ERRORS,
  404: error('TOKEN_UNKNOWN'),
  ...COMMON_ERRORS,
};

export const auditResponses = {
  200: json('A page of the audit log, newest first; `next` is `before` for the next (older) page, null on the last.', AuditPageSchema),
  400: error('REQUEST_INVALID (a query parameter, named in `path`)'),
  ...AUTH_ERRORS,
  ...COMMON_ERRORS,
};
