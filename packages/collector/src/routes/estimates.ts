import { ESTIMANDS, isEstimand, isPrivacyError, isValidDay, MAX_VERSION, type Estimand, type LevelWeighting } from '@practical-privacy/core';
import type { FastifyInstance } from 'fastify';
import { authenticate, mayRead } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { estimateQuestion, type Bucket } from '../estimates.ts';
import { exportQuestion, EXPORT_FORMATS, type ExportFormat } from '../exports.ts';
import { parseWeighting, weightedQuestion, weightingStatement, WEIGHTINGS } from '../level-weighting.ts';
import { estimateMergedQuestion, mergeSet, MERGE_VERSIONS } from '../merge-versions.ts';
import { campaignIdParams } from '../openapi/campaigns.ts';
import { estimatesResponses, exportResponses } from '../openapi/estimates.ts';
import { parseVersion, requireCampaignId } from '../params.ts';
import { DEFENCES, recordIntegrity, type Defence } from '../integrity.ts';
import type { AuditRecord } from '../storage/repository.ts';

interface EstimateQuery {
  question?: string;
  from?: string;
  to?: string;
  bucket?: string;
  version?: string;
  format?: string;
  estimand?: string;
  weighting?: string;
  versions?: string;
  defence?: string;
}

function parseQuery(query: EstimateQuery): { question: string; from?: string; to?: string; bucket: Bucket; version?: number; estimand: Estimand; weighting: LevelWeighting; mergeVersions: boolean; defence: Defence } {
  if (query.question === undefined || query.question === '') throw new HttpError(400, 'REQUEST_INVALID', 'question: required', 'question');
  for (const key of ['from', 'to'] as const) {
    const day: unknown = query[key];
    if (day !== undefined && (typeof day !== 'string' || !isValidDay(day))) throw new HttpError(400, 'REQUEST_INVALID', `${key}: must be a calendar date YYYY-MM-DD (years 2000–9999)`, key);
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) throw new HttpError(400, 'REQUEST_INVALID', `from: must not be after to (${query.from} > ${query.to})`, 'from');
  const bucket = (query.bucket ?? 'total') as Bucket;
  if (!['day', 'week', 'total'].includes(bucket)) throw new HttpError(400, 'REQUEST_INVALID', 'bucket: must be day, week or total', 'bucket');
  const version = parseVersion(query.version);
  const estimand = query.estimand ?? 'population';
  if (!isEstimand(estimand)) throw new HttpError(400, 'REQUEST_INVALID', `estimand: must be ${ESTIMANDS.join(' or ')}`, 'estimand');
  const mergeVersions = parseMergeVersions(query.versions, version);
  const defence = (query.defence ?? 'none') as Defence;
  if (!DEFENCES.includes(defence)) throw new HttpError(400, 'REQUEST_INVALID', `defence: must be ${DEFENCES.join(' or ')}`, 'defence');
  return {
    defence,
    question: query.question,
    bucket,
    estimand,
    weighting: parseWeighting(query.weighting),
    mergeVersions,
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.to === undefined ? {} : { to: query.to }),
    ...(version === undefined ? {} : { version }),
  };
}

/** `versions=merge` (merge-versions.ts): every version that has the question, so never with `version`. */
function parseMergeVersions(value: unknown, version: number | undefined): boolean {
  if (value === undefined) return false;
  if (value !== MERGE_VERSIONS) throw new HttpError(400, 'REQUEST_INVALID', `versions: the only value is ${MERGE_VERSIONS}`, 'versions');
  if (version !== undefined) throw new HttpError(400, 'REQUEST_INVALID', 'versions: a merge always covers every version that has the question; leave out version', 'versions');
  return true;
}

const querySchema = {
  type: 'object',
  properties: {
    question: { type: 'string' },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    bucket: { type: 'string', enum: ['day', 'week', 'total'] },
    version: { type: 'integer', minimum: 1, maximum: MAX_VERSION, description: 'A campaign version (default: the latest).' },
    versions: {
      type: 'string',
      enum: [MERGE_VERSIONS],
      description:
        'merge: sum the question’s day cells over every published version that has it, if its definition (mechanism, parameters, answer codes, levels, minBatch, period — not prompt or labels) is identical in all of them; 409 VERSIONS_DIFFER names the first version that differs. The release lists the merged versions in `versions`. Not with `version`. A day part withheld from a version’s own release is added only together with the other versions’ withheld parts of that day, when they reach minBatch together.',
    },
    estimand: {
      type: 'string',
      enum: [...ESTIMANDS],
      default: 'population',
      description:
        'What the intervals of shares are for. population (default): the share in the population the respondents come from — variance = the respondents’ variance + f(1−f)/n per value, f̂ clipped to [0, 1] — assuming the respondents are an independent sample from a large population (no finite-population correction, nothing about non-response bias). ' +
        'respondents: the share among the patients who answered, their answers held fixed (only the randomization). Means have one, empirical, standard error that already includes the spread of the answers; it is released for both. Week and total cells bound the day SEs of the chosen estimand for any correlation between days. The release states the estimand in `estimand`.',
    },
    weighting: {
      type: 'string',
      enum: [...WEIGHTINGS],
      default: 'reports',
      description:
        'Questions with privacy levels: how the levels are combined (the release says which in `weighting`). reports (default): weights proportional to each level’s number of reports, unbiased whatever makes a patient choose a level. ' +
        'inverse-variance: more precise, biased when the level depends on the patient, so only for a question whose campaign assigns levels at random (levelPolicy.assignment random); otherwise 400 WEIGHTING_UNAVAILABLE. JSON estimates only (the CSV export uses report counts).',
    },
    defence: {
      type: 'string',
      enum: [...DEFENCES],
      default: 'none',
      description:
        'Issue 17: ldprecover recomputes shares of unary-encoding questions (OUE, SUE, L-UE without levels) with the poisoning recovery — fake share and targets learned from the cell’s set-bit histogram, removed as in LDPRecover (Sun et al., ICDE 2024) — and says per cell in `recovery` what it removed; the release states `defence`. Every released cell carries `integrity` ({ status: ok | suspicious | not-applicable, reason, score = −log10 p }) either way.',
    },
  },
  required: ['question'],
};

function readAudit(ctx: AppContext, actor: string, action: 'read.estimates' | 'read.export', campaignId: string, questionId: string, detail: Record<string, unknown>): AuditRecord {
  return { at: ctx.now().toISOString(), actor, action, campaignId, questionId, detail };
}

/** The OpenAPI description of how RAPPOR candidates are released (README "Estimates"). */
const RAPPOR_VALUES_DESCRIPTION =
  'String (RAPPOR) questions: every candidate of the list is a value. A detected one has the usual fields plus `detectable: true` and `detectionLimit`. ' +
  'A candidate the decoding did not detect has no estimate: `{ value, detectable: false, detectionLimit, note, unbiased: null, standardError: null, ci95: null, consistent: null, estimate: null }` — ' +
  'never a 0 with a 0–0 interval. `detectionLimit` (core’s detectionLimit, shared with the planner’s detectable share) is the share detected with probability `decoding.detectionPower` (0.95), ' +
  'so the candidate’s share — a few percent or 0 for a decoy — is below ≈ it; `note` says "not detectable at this n (below ≈ x%)". ' +
  'Standard errors of detected shares are scaled by √φ̂, the decoding’s residual dispersion (`decoding.dispersion`, ≥ 1).';

export function estimateRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string }; Querystring: EstimateQuery }>(
    '/v1/campaigns/:id/estimates',
    {
      schema: {
        tags: ['read'],
        operationId: 'getEstimates',
        params: campaignIdParams,
        response: estimatesResponses,
        summary:
          'Debiased estimates with standard errors and 95% CIs (unbiased and consistent values), per day, ISO week or total. Intervals of shares are for the population share by default (`estimand=respondents`: among the patients who answered); the release states which in `estimand`, with its assumptions. A day below the minimum batch is withheld, and left out of every week and total as well. Week and total standard errors are Σ (day reports / cell reports)·(day SE), a bound valid however the days are correlated (the same patients report daily). Day cells state the shuffle-amplified central ε under a stated assumption; week and total cells say why they do not (read token).',
        description: RAPPOR_VALUES_DESCRIPTION,
        security: [{ bearer: [] }],
        querystring: querySchema,
      },
    },
    async (request) => {
      const principal = await authenticate(request, ctx, 'read', 'the read API');
      const query = parseQuery(request.query);
      const campaignId = requireCampaignId(request.params.id);
      if (query.mergeVersions) {
        if (!mayRead(principal, campaignId)) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${campaignId} is not published`);
        const set = await mergeSet(ctx.repository, ctx.campaigns, campaignId, query.question);
        // The definition digest is equal across the set (levels and levelPolicy included), so the reference version's weighting holds for all.
        const weighting = weightingStatement(set.reference.question, query.weighting);
        const weighted = { ...set, reference: { ...set.reference, question: weightedQuestion(set.reference.question, query.weighting) } };
        const release = await estimateMergedQuestion(weighted, ctx.repository, query);
        recordIntegrity(ctx.metrics, release);
        await ctx.repository.appendAudit(readAudit(ctx, principal.label, 'read.estimates', campaignId, query.question, { version: release.version, versions: release.versions, bucket: query.bucket, from: query.from ?? null, to: query.to ?? null, estimand: query.estimand, defence: query.defence, ...(weighting === undefined ? {} : { weighting: weighting.name }) }));
        return weighting === undefined ? release : { ...release, weighting };
      }
      // Outside the token's scope is answered exactly like a campaign never published: existence does not leak.
      const stored = mayRead(principal, campaignId) ? await ctx.repository.getCampaign(campaignId, query.version) : undefined;
      if (stored === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${request.params.id} is not published`);
      let model;
      try {
        model = ctx.campaigns.get(stored.id, stored.version, stored.publishedAt, stored.document);
      } catch (error) {
        if (isPrivacyError(error)) throw new HttpError(500, 'CAMPAIGN_INVALID', error.message);
        throw error;
      }
      const question = model.questions.get(query.question);
      if (question === undefined) throw new HttpError(404, 'QUESTION_UNKNOWN', `question ${query.question} is not in campaign ${model.id} version ${model.version}`, 'question');
      const weighting = weightingStatement(question, query.weighting);
      const release = await estimateQuestion(ctx.repository, model, weightedQuestion(question, query.weighting), query);
      recordIntegrity(ctx.metrics, release);
      await ctx.repository.appendAudit(readAudit(ctx, principal.label, 'read.estimates', model.id, question.id, { version: model.version, bucket: query.bucket, from: query.from ?? null, to: query.to ?? null, estimand: query.estimand, defence: query.defence, ...(weighting === undefined ? {} : { weighting: weighting.name }) }));
      return weighting === undefined ? release : { ...release, weighting };
    },
  );

  app.get<{ Params: { id: string }; Querystring: EstimateQuery }>(
    '/v1/campaigns/:id/export',
    {
      schema: {
        tags: ['read'],
        operationId: 'exportQuestion',
        params: campaignIdParams,
        response: exportResponses,
        summary: 'Exports: csv (estimates; `estimand` as for /estimates, stated in the estimand and estimand_note columns), rappor-params / rappor-counts / rappor-map (Google RAPPOR analysis files) (read token).',
        description:
          'CSV columns as the JSON release. RAPPOR candidates fill `detectable` (true/false) and `detection_limit`; an undetected one has empty estimate, unbiased, standard_error, ci95_low and ci95_high cells (never zeros) and `reason` "not detectable at this n (below ≈ x%)".',
        security: [{ bearer: [] }],
        querystring: { ...querySchema, properties: { ...querySchema.properties, format: { type: 'string', enum: [...EXPORT_FORMATS] } } },
      },
    },
    async (request, reply) => {
      const principal = await authenticate(request, ctx, 'read', 'the read API');
      const query = parseQuery(request.query);
      const format = (request.query.format ?? 'csv') as ExportFormat;
      if (query.weighting !== 'reports') throw new HttpError(400, 'WEIGHTING_UNAVAILABLE', 'weighting: exports combine levels by report counts only (inverse-variance is for the JSON estimates)', 'weighting');
      if (!EXPORT_FORMATS.includes(format)) throw new HttpError(400, 'REQUEST_INVALID', `format: one of ${EXPORT_FORMATS.join(', ')}`, 'format');
      const campaignId = requireCampaignId(request.params.id);
      if (!mayRead(principal, campaignId)) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${campaignId} is not published`);
      const text = await exportQuestion(ctx.repository, { campaignId, version: query.version, questionId: query.question, format, from: query.from, to: query.to, bucket: query.bucket, estimand: query.estimand, mergeVersions: query.mergeVersions, defence: query.defence }, ctx.campaigns);
      await ctx.repository.appendAudit(readAudit(ctx, principal.label, 'read.export', campaignId, query.question, { version: query.version ?? null, ...(query.mergeVersions ? { versions: MERGE_VERSIONS } : {}), format, bucket: query.bucket, from: query.from ?? null, to: query.to ?? null, estimand: query.estimand, defence: query.defence }));
      const filename = format === 'csv' ? `${request.params.id}-${query.question}.csv` : `${format.slice('rappor-'.length)}.csv`;
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(text);
    },
  );
}
