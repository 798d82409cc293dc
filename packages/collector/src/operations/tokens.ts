/**
 * Bearer tokens managed in the database (several valid at once, so a token is rotated by
 * creating the new one, moving clients over, then revoking the old one — no restart, on every
 * instance at once). The token is generated here (256 random bits), returned once, and stored as
 * its SHA-256 only; labels are unique forever, so an audit row names one token. Admin tokens are
 * never scoped; read tokens may be scoped to a list of campaigns.
 */
import * as v from 'valibot';
import { ID_PATTERN } from '@practical-privacy/core';
import { tokenSha256 } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { RepositoryDuplicateError, type StoredToken, type TokenRole } from '../storage/repository.ts';
import { InstantSchema, LabelSchema, parseInput } from '../validation.ts';
import type { OperationContext } from './context.ts';
import { auditRecord, randomSecret } from './context.ts';

export const TokenBodySchema = v.strictObject({
  label: LabelSchema,
  role: v.picklist(['admin', 'read'], 'must be admin or read'),
  expiresAt: v.optional(v.nullable(InstantSchema), null),
  campaigns: v.optional(
    v.nullable(v.pipe(v.array(v.pipe(v.string('must be a campaign id'), v.regex(ID_PATTERN, 'must be a campaign id')), 'must be a list of campaign ids'), v.minLength(1, 'must name at least one campaign (or be null for all)'), v.maxLength(1000, 'must name at most 1000 campaigns'))),
    null,
  ),
});

export type TokenStatus = 'active' | 'expired' | 'revoked';
export type TokenListing = StoredToken & { status: TokenStatus };

export function tokenStatus(token: Pick<StoredToken, 'expiresAt' | 'revokedAt'>, now: Date): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

export interface CreatedToken extends TokenListing {
  /** The bearer token itself: shown this once, stored only as its SHA-256. */
  token: string;
}

export async function createToken(ctx: OperationContext, input: { body: unknown }): Promise<CreatedToken> {
  const body = parseInput(TokenBodySchema, input.body);
  const now = ctx.now();
  if (body.expiresAt !== null && Date.parse(body.expiresAt) <= now.getTime()) throw new HttpError(400, 'REQUEST_INVALID', `expiresAt: must be in the future (now ${now.toISOString()})`, 'expiresAt');
  if (body.role === 'admin' && body.campaigns !== null) throw new HttpError(400, 'REQUEST_INVALID', 'campaigns: only read tokens can be scoped to campaigns', 'campaigns');
  const role: TokenRole = body.role;
  const campaigns = body.campaigns === null ? null : [...new Set(body.campaigns)].sort();
  const token = randomSecret(ctx, 'ppt_', 32);
  const stored: StoredToken = { label: body.label, role, campaigns, createdAt: now.toISOString(), expiresAt: body.expiresAt, revokedAt: null };
  try {
    await ctx.repository.createToken({ ...stored, tokenSha256: tokenSha256(token) }, auditRecord(ctx, 'token.create', { detail: { label: body.label, role, expiresAt: body.expiresAt, campaigns } }));
  } catch (error) {
    if (error instanceof RepositoryDuplicateError) throw new HttpError(409, 'LABEL_TAKEN', `label: ${error.message}`, 'label');
    throw error;
  }
  return { ...stored, status: 'active', token };
}

export async function listTokens(ctx: Pick<OperationContext, 'repository' | 'now'>): Promise<{ tokens: TokenListing[] }> {
  const now = ctx.now();
  return { tokens: (await ctx.repository.listTokens()).map((t) => ({ ...t, status: tokenStatus(t, now) })) };
}

export async function revokeToken(ctx: OperationContext, input: { label: string }): Promise<TokenListing> {
  const unknown = () => new HttpError(404, 'TOKEN_UNKNOWN', `no token labelled ${JSON.stringify(input.label)} in the database (a configured token, env:…, is revoked by removing it from the configuration)`, 'label');
  // A label the API could never have created names no token: the same 404 as an unknown one.
  if (!v.is(LabelSchema, input.label)) throw unknown();
  const label = input.label;
  const revoked = await ctx.repository.revokeToken(label, auditRecord(ctx, 'token.revoke', { detail: { label } }));
  if (revoked === undefined) throw unknown();
  return { ...revoked, status: 'revoked' };
}
