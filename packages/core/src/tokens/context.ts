/**
 * The Privacy Pass context both ends compute (docs/privacy-model.md, "Anonymous tokens"): which
 * TokenChallenge a report's token must have been made for, and the token's byte layout. No crypto
 * library here beyond SHA-256, so the collector, the SDK's main-thread token wallet and the issuer
 * share one definition without pulling privacypass-ts into core.
 *
 * - A token is for one (campaign, question, period window). The window is the question's
 *   `period`: the UTC day, or the ISO week named by its Monday (the same windows as the SDK's
 *   ledger and one-report-per-period rule).
 * - TokenChallenge (RFC 9577 §2.1): token_type 0x0002, issuer_name = the campaign's `tokens.issuer`,
 *   redemption_context = SHA-256("practical-privacy/token/v1" 0 campaign 0 question 0 periodStart),
 *   origin_info = the campaign's `tokens.origin` (the collector's name).
 * - Token (RFC 9578 §6.3, type 0x0002): token_type(2) nonce(32) challenge_digest(32)
 *   token_key_id(32) authenticator(256) = 354 bytes, 472 base64url characters without padding
 *   (354 = 3 · 118, so there are no padding bits and one spelling per token).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { isoWeekStart } from '../wire/ids.ts';

/** RFC 9578 §8.2.1: Blind RSA (2048), publicly verifiable. */
export const TOKEN_TYPE_BLIND_RSA = 0x0002;
/** Serialized token length for type 0x0002 (RFC 9578 §6.3). */
export const TOKEN_BYTES = 354;
/** base64url without padding of 354 bytes. */
export const TOKEN_BASE64URL_LENGTH = 472;
export const TOKEN_NONCE_BYTES = 32;
export const TOKEN_KEY_ID_BYTES = 32;
/** RSA-2048 signature length (Nk). */
export const TOKEN_AUTHENTICATOR_BYTES = 256;

const CONTEXT_LABEL = 'practical-privacy/token/v1';

export type TokenPeriod = 'day' | 'week';

export interface TokenContext {
  campaignId: string;
  questionId: string;
  /** First UTC day of the window, 'YYYY-MM-DD' (the day itself, or its ISO week's Monday). */
  periodStart: string;
}

export interface TokenIssuerBinding {
  /** The issuer's name (TokenChallenge.issuer_name), from the campaign's `tokens.issuer`. */
  issuer: string;
  /** The collector's name (TokenChallenge.origin_info), from the campaign's `tokens.origin`. */
  origin: string;
}

/** The window a report of `day` falls in, for a question of `period`. */
export function tokenPeriodStart(day: string, period: TokenPeriod): string {
  return period === 'week' ? isoWeekStart(day) : day;
}

/** The 32-byte redemption context naming (campaign, question, period). Ids cannot hold a NUL, so the encoding is injective. */
export function redemptionContext(context: TokenContext): Uint8Array {
  return sha256(utf8ToBytes(`${CONTEXT_LABEL}\u0000${context.campaignId}\u0000${context.questionId}\u0000${context.periodStart}`));
}

/** The serialized TokenChallenge (RFC 9577 §2.1) a token for `context` must carry the digest of. */
export function tokenChallengeBytes(binding: TokenIssuerBinding, context: TokenContext): Uint8Array {
  const issuer = utf8ToBytes(binding.issuer);
  const origin = utf8ToBytes(binding.origin);
  const rc = redemptionContext(context);
  if (issuer.length < 1 || issuer.length > 0xffff || origin.length > 0xffff) throw new RangeError('tokens: issuer and origin names must be 1–65,535 bytes');
  const out = new Uint8Array(2 + 2 + issuer.length + 1 + rc.length + 2 + origin.length);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint16(at, TOKEN_TYPE_BLIND_RSA);
  at += 2;
  view.setUint16(at, issuer.length);
  out.set(issuer, (at += 2));
  at += issuer.length;
  out[at++] = rc.length;
  out.set(rc, at);
  at += rc.length;
  view.setUint16(at, origin.length);
  out.set(origin, at + 2);
  return out;
}

/** SHA-256 of the TokenChallenge: the `challenge_digest` inside a token (RFC 9578 §6.3). */
export function tokenChallengeDigest(binding: TokenIssuerBinding, context: TokenContext): Uint8Array {
  return sha256(tokenChallengeBytes(binding, context));
}

/** The fields of a serialized type-0x0002 token. Views into `bytes`. */
export interface TokenFields {
  tokenType: number;
  nonce: Uint8Array;
  challengeDigest: Uint8Array;
  tokenKeyId: Uint8Array;
  authenticator: Uint8Array;
}

/** Splits a 354-byte token into its fields; RangeError for another length. The type is returned, not checked. */
export function tokenFields(bytes: Uint8Array): TokenFields {
  if (bytes.length !== TOKEN_BYTES) throw new RangeError(`token: must be ${TOKEN_BYTES} bytes, got ${bytes.length}`);
  let at = 2;
  const take = (n: number) => bytes.subarray(at, (at += n));
  return {
    tokenType: (bytes[0]! << 8) | bytes[1]!,
    nonce: take(TOKEN_NONCE_BYTES),
    challengeDigest: take(32),
    tokenKeyId: take(TOKEN_KEY_ID_BYTES),
    authenticator: take(TOKEN_AUTHENTICATOR_BYTES),
  };
}

/** Lowercase hex (key ids and nonces in key lists, logs and the spend table). */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Constant-time equality of two byte strings of equal length (false for different lengths). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
