/**
 * Ingest keys per campaign, outside the immutable campaign versions: rotating one changes no
 * version, so estimates do not split. Several keys are valid at once (ship the app with the new
 * key, then revoke the old one once old installs have updated). A key may be given (e.g. one
 * already built into an app) or generated. A campaign that has ever had a key keeps requiring
 * one: revoking the last key stops ingest instead of opening it.
 */
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { RepositoryDuplicateError, type IngestKeyRecord } from '../storage/repository.ts';
import { InstantSchema, LabelSchema, parseInput } from '../validation.ts';
import type { OperationContext } from './context.ts';
import { auditRecord, randomSecret } from './context.ts';
import { requirePublished } from './campaign-lookup.ts';
import { tokenStatus, type TokenStatus } from './tokens.ts';

export const INGEST_KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

export const IngestKeyBodySchema = v.strictObject({
  label: v.pipe(LabelSchema, v.check((s) => !s.startsWith('published-v'), 'must not start with published-v (reserved for keys given at publication)')),
  key: v.optional(v.pipe(v.string('must be a string'), v.regex(INGEST_KEY_PATTERN, 'must be 8–128 characters of A–Z a–z 0–9 _ -'))),
  expiresAt: v.optional(v.nullable(InstantSchema), null),
});

export type IngestKeyListing = IngestKeyRecord & { status: TokenStatus };

export async function addIngestKey(ctx: OperationContext, input: { campaignId: string; body: unknown }): Promise<IngestKeyListing> {
  const campaignId = await requirePublished(ctx, input.campaignId);
  const body = parseInput(IngestKeyBodySchema, input.body);
  const now = ctx.now();
  if (body.expiresAt !== null && Date.parse(body.expiresAt) <= now.getTime()) throw new HttpError(400, 'REQUEST_INVALID', `expiresAt: must be in the future (now ${now.toISOString()})`, 'expiresAt');
  const record: IngestKeyRecord = { campaignId, label: body.label, key: body.key ?? randomSecret(ctx, 'pk_', 24), createdAt: now.toISOString(), expiresAt: body.expiresAt, revokedAt: null };
  try {
    await ctx.repository.addIngestKey(record, auditRecord(ctx, 'ingest-key.add', { campaignId, detail: { label: record.label, expiresAt: record.expiresAt } }));
  } catch (error) {
    if (error instanceof RepositoryDuplicateError) throw new HttpError(409, 'LABEL_TAKEN', `campaign ${campaignId}: ${error.message}`, 'label');
    throw error;
  }
  return { ...record, status: 'active' };
}

export async function listIngestKeys(ctx: Pick<OperationContext, 'repository' | 'now'>, input: { campaignId: string }): Promise<{ keys: IngestKeyListing[] }> {
  const campaignId = await requirePublished(ctx, input.campaignId);
  const now = ctx.now();
  return { keys: (await ctx.repository.listIngestKeys(campaignId)).map((k) => ({ ...k, status: tokenStatus(k, now) })) };
}

export async function revokeIngestKey(ctx: OperationContext, input: { campaignId: string; label: string }): Promise<IngestKeyListing> {
  const campaignId = await requirePublished(ctx, input.campaignId);
  const unknown = () => new HttpError(404, 'INGEST_KEY_UNKNOWN', `campaign ${campaignId} has no ingest key labelled ${JSON.stringify(input.label)}`, 'label');
  if (!v.is(LabelSchema, input.label)) throw unknown();
  const label = input.label;
  const revoked = await ctx.repository.revokeIngestKey(campaignId, label, auditRecord(ctx, 'ingest-key.revoke', { campaignId, detail: { label } }));
  if (revoked === undefined) throw unknown();
  return { ...revoked, status: 'revoked' };
}
