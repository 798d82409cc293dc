/** Request and response schemas of the campaign routes (routes/campaigns.ts). */
import { CampaignSchema, ID_PATTERN, MAX_VERSION, PERIODS, QUESTION_TYPES } from '@practical-privacy/core';
import * as v from 'valibot';
import { INGEST_KEY_PATTERN } from '../operations/ingest-keys.ts';
import { requestSchema } from './json-schema.ts';
import type { CampaignListing } from '../operations/list-campaigns.ts';
import type { PublishResult } from '../operations/publish-campaign.ts';
import { AUTH_ERRORS, COMMON_ERRORS, error, json, type Documents } from './responses.ts';
import { EXAMPLE_CAMPAIGN } from './examples.ts';

const Id = v.pipe(v.string(), v.regex(ID_PATTERN));
const Version = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_VERSION));
const Instant = v.pipe(v.string(), v.isoTimestamp());

/**
 * The publish envelope. The campaign inside is validated by core's CampaignSchema; the envelope's
 * own fields by splitPublishBody and parsePlanRequest (plan.ts), which this mirrors.
 */
const PublishEnvelopeSchema = v.strictObject({
  campaign: CampaignSchema,
  ingestKey: v.optional(v.pipe(v.string(), v.regex(INGEST_KEY_PATTERN), v.description('A publishable ingest key devices must present (header x-pp-ingest-key or ?key=).'))),
  plan: v.optional(
    v.strictObject({
      patients: v.pipe(v.number(), v.integer(), v.minValue(1), v.description('Patients reporting per period.')),
      targets: v.optional(v.pipe(v.record(v.string(), v.number()), v.description('Target 95% half-width per question id.'))),
      strict: v.optional(v.pipe(v.boolean(), v.description('Refuse to publish (422 PLAN_INSUFFICIENT, nothing stored) while any warning stands.'))),
    }),
  ),
});

export const publishBody = {
  description: 'A campaign document (core’s campaign schema), or the envelope `{ campaign, ingestKey?, plan? }`.',
  anyOf: [requestSchema(CampaignSchema), requestSchema(PublishEnvelopeSchema)],
  examples: [EXAMPLE_CAMPAIGN],
};

const Warning = { kind: v.picklist(['below-min-batch', 'wider-than-target', 'not-detectable']), message: v.string() };

/** core's CampaignPlan (campaign/plan.ts). */
const CampaignPlanSchema = v.strictObject({
  campaignId: Id,
  version: Version,
  patients: v.number(),
  estimand: v.literal('population'),
  questions: v.array(
    v.strictObject({
      questionId: Id,
      type: v.picklist(QUESTION_TYPES),
      mechanism: v.string(),
      period: v.picklist(PERIODS),
      epsilon: v.number(),
      epsilonPermanent: v.optional(v.number()),
      patients: v.number(),
      minBatch: v.number(),
      reachesMinBatch: v.boolean(),
      halfWidth95: v.optional(v.number()),
      target: v.optional(v.number()),
      targetGiven: v.boolean(),
      patientsForTarget: v.optional(v.number()),
      epsilonForTarget: v.optional(v.number()),
      detectableShare: v.optional(v.number()),
      warnings: v.array(v.strictObject(Warning)),
    }),
  ),
  warnings: v.array(v.strictObject({ ...Warning, questionId: Id })),
});

const PublishResultSchema = v.strictObject({
  id: Id,
  version: Version,
  outcome: v.picklist(['created', 'unchanged']),
  plan: v.optional(v.pipe(CampaignPlanSchema, v.description('The planner’s answer, when the envelope asked for one.'))),
});

export const publishResponses = {
  200: json('The identical version was already published (`outcome: unchanged`); nothing changed.', PublishResultSchema),
  201: json('Published (`outcome: created`).', PublishResultSchema),
  400: error('CAMPAIGN_INVALID (the document or envelope, with `path`), JSON_INVALID, REQUEST_INVALID (a `plan` field)'),
  ...AUTH_ERRORS,
  409: error('CAMPAIGN_IMMUTABLE (this version exists with different content; the message names the next free version), CAMPAIGN_CLOSED (publish under a new id)'),
  413: error('BODY_TOO_LARGE'),
  415: error('UNSUPPORTED_MEDIA_TYPE'),
  422: error('PLAN_INSUFFICIENT (`plan.strict` and the planner warned; nothing stored)'),
  ...COMMON_ERRORS,
};

const CampaignListingSchema = v.strictObject({
  id: Id,
  versions: v.array(Version),
  latestVersion: Version,
  status: v.picklist(['open', 'closed']),
  closedAt: v.nullable(Instant),
  retentionDays: v.nullable(v.pipe(v.number(), v.integer())),
});

type _Checked = [Documents<typeof PublishResultSchema, PublishResult>, Documents<typeof CampaignListingSchema, CampaignListing>];

export const listCampaignsResponses = {
  200: json('The campaigns this token may read.', v.strictObject({ campaigns: v.array(CampaignListingSchema) })),
  ...AUTH_ERRORS,
  ...COMMON_ERRORS,
};

export const getCampaignResponses = {
  // The stored document validates against what a client may publish (defaults may be filled in).
  200: {
    description: 'The campaign document as published (core’s campaign schema).',
    headers: { 'cache-control': { type: 'string', description: '`public, max-age=60` for the latest version; `public, max-age=31536000, immutable` for `?version=`.' } },
    ...requestSchema(CampaignSchema),
  },
  400: error('REQUEST_INVALID (`version` is not an integer from 1 to 2147483647)'),
  404: error('CAMPAIGN_UNKNOWN'),
  ...COMMON_ERRORS,
};

export const campaignIdParams = requestSchema(v.strictObject({ id: v.pipe(v.string(), v.description('Campaign id.')) }));
export const getCampaignQuery = requestSchema(v.strictObject({ version: v.optional(v.pipe(Version, v.description('A version number (default: the latest).'))) }));
