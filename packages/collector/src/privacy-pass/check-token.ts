/**
 * The collector's check of one report's Privacy Pass token (docs/privacy-model.md, "Anonymous
 * tokens"). In this order, each step cheap before the signature:
 *
 * 1. the token's type is 0x0002;
 * 2. its key id names a key of the published list, not yet expired, of this campaign's issuer;
 * 3. that key is the key of the report's own (campaign, question, period) — keys name contexts;
 * 4. its challenge digest is SHA-256 of OUR TokenChallenge for that context (core's
 *    tokenChallengeDigest): RSA verification alone accepts a token made for any other context —
 *    another campaign, question, period or collector — under a listed key;
 * 5. the RSA-PSS signature over the token input verifies (privacypass-ts's Origin.verify).
 *
 * A token that passes is identified by its nonce (the spend table's key): the nonce is inside the
 * signed input, so it cannot be changed without breaking the signature; the authenticator is not
 * used as identity because RSA-PSS is randomized (two signatures of one input both verify).
 */
import { publicVerif, Token, TOKEN_TYPES } from '@cloudflare/privacypass-ts';
import {
  addDays,
  base64UrlDecode,
  bytesEqual,
  TOKEN_BYTES,
  TOKEN_TYPE_BLIND_RSA,
  tokenChallengeDigest,
  tokenFields,
  tokenPeriodStart,
  toHex,
  type TokenIssuerBinding,
  type TokenPeriod,
} from '@practical-privacy/core';
import type { TokenKeyRing } from './key-ring.ts';

export type TokenRefusal = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_KEY_UNKNOWN' | 'TOKEN_KEY_EXPIRED' | 'TOKEN_CONTEXT_MISMATCH' | 'TOKEN_SPENT';

export type TokenCheck =
  | {
      ok: true;
      /** 64 hex digits: the spend table's key. */
      nonce: string;
      /** Last UTC day of the token's period window: its spend row is kept until the window's reports can no longer arrive. */
      periodEnd: string;
    }
  | { ok: false; code: TokenRefusal; message: string };

export interface TokenReportContext {
  campaignId: string;
  questionId: string;
  day: string;
  period: TokenPeriod;
}

const origins = new Map<string, InstanceType<typeof publicVerif.Origin>>();
function originFor(name: string) {
  let origin = origins.get(name);
  if (origin === undefined) origins.set(name, (origin = new publicVerif.Origin(publicVerif.BlindRSAMode.PSS, [name])));
  return origin;
}

const refuse = (code: TokenRefusal, message: string): TokenCheck => ({ ok: false, code, message });

export async function checkToken(token: string | undefined, binding: TokenIssuerBinding, report: TokenReportContext, ring: TokenKeyRing, now: Date): Promise<TokenCheck> {
  if (token === undefined) return refuse('TOKEN_MISSING', 'this campaign needs a Privacy Pass token in ext.token');
  let bytes: Uint8Array;
  try {
    bytes = base64UrlDecode(token, TOKEN_BYTES);
  } catch {
    return refuse('TOKEN_INVALID', 'ext.token is not a canonical base64url token');
  }
  const fields = tokenFields(bytes);
  if (fields.tokenType !== TOKEN_TYPE_BLIND_RSA) return refuse('TOKEN_INVALID', `token type must be 0x0002, got 0x${fields.tokenType.toString(16).padStart(4, '0')}`);
  const list = ring.current();
  const entry = ring.get(toHex(fields.tokenKeyId));
  if (list === undefined || entry === undefined || list.issuer !== binding.issuer) return refuse('TOKEN_KEY_UNKNOWN', 'the token\'s key is not in the published key list');
  if (now.getTime() >= Date.parse(entry.key.expires)) return refuse('TOKEN_KEY_EXPIRED', `the token's key expired at ${entry.key.expires}`);
  const periodStart = tokenPeriodStart(report.day, report.period);
  const context = { campaignId: report.campaignId, questionId: report.questionId, periodStart };
  if (entry.key.campaignId !== context.campaignId || entry.key.questionId !== context.questionId || entry.key.periodStart !== periodStart) {
    return refuse('TOKEN_CONTEXT_MISMATCH', 'the token\'s key is for another campaign, question or period');
  }
  if (!bytesEqual(fields.challengeDigest, tokenChallengeDigest(binding, context))) return refuse('TOKEN_CONTEXT_MISMATCH', 'the token was made for another challenge');
  let valid: boolean;
  try {
    valid = await originFor(binding.origin).verify(Token.deserialize(TOKEN_TYPES.BLIND_RSA, bytes), await ring.cryptoKey(entry));
  } catch {
    valid = false;
  }
  if (!valid) return refuse('TOKEN_INVALID', 'the token\'s signature does not verify');
  return { ok: true, nonce: toHex(fields.nonce), periodEnd: addDays(periodStart, report.period === 'week' ? 6 : 0) };
}
