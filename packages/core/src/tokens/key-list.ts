/**
 * The published token key list (docs/protocol.md, "Anonymous tokens"): what the issuer publishes,
 * what the collector verifies against and serves at GET /v1/token-keys, and the only place the SDK
 * takes keys from (key consistency, RFC 9576 §6.2). One parser for all three.
 *
 * Refused, with REPORT_INVALID-style paths but code KEY_LIST_INVALID: a key id that is not
 * SHA-256 of its public key (RFC 9578 §6.5), two keys with one id, or — the partitioning check —
 * two keys for one (campaign, question, period): an issuer that handed different patients
 * different keys for one context could tell their tokens apart.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { PrivacyError } from '../errors.ts';
import { base64UrlDecode } from '../mechanisms/unary-encoding.ts';
import { DaySchema, IdSchema } from '../wire/schema.ts';
import { issuePath } from '../wire/issues.ts';
import { TOKEN_TYPE_BLIND_RSA, toHex, type TokenContext } from './context.ts';

/** Most keys in one list: 200 questions × 35 periods would be 7,000; lists stay far smaller in practice. */
export const MAX_LIST_KEYS = 10_000;
/** The RFC 9578 SPKI of an RSA-2048 RSASSA-PSS key is 342 bytes (456 base64url characters); allow other encodings up to 1 kB. */
const MAX_PUBLIC_KEY_CHARS = 1_400;

const IsoInstant = v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 instant'));

export const TokenKeySchema = v.strictObject({
  /** SHA-256 of `publicKey`'s bytes, 64 lowercase hex digits (RFC 9578 §6.5 token_key_id). */
  keyId: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')),
  campaignId: IdSchema,
  questionId: IdSchema,
  /** First day of the key's period window. */
  periodStart: DaySchema,
  /** The issuer signs with this key until then (the end of the period). */
  issueUntil: IsoInstant,
  /** Verifiers drop the key then: the end of the period plus the report window. */
  expires: IsoInstant,
  /** The public key as RFC 9578 §6.5 SPKI (RSASSA-PSS OID), base64url without padding. */
  publicKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding'), v.maxLength(MAX_PUBLIC_KEY_CHARS)),
});

export const TokenKeyListSchema = v.strictObject({
  issuer: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  tokenType: v.literal(TOKEN_TYPE_BLIND_RSA),
  keys: v.pipe(v.array(TokenKeySchema), v.maxLength(MAX_LIST_KEYS)),
});

export type TokenKey = v.InferOutput<typeof TokenKeySchema>;
export type TokenKeyList = v.InferOutput<typeof TokenKeyListSchema>;

function listError(path: string, message: string): PrivacyError {
  return new PrivacyError('KEY_LIST_INVALID', 'input', `${path === '' ? '(root)' : path}: ${message}`, { path });
}

/** The bytes of a key's public key (strict base64url). */
export function tokenKeyBytes(key: Pick<TokenKey, 'publicKey'>): Uint8Array {
  const length = Math.floor((key.publicKey.length * 6) / 8);
  return base64UrlDecode(key.publicKey, length);
}

export function contextOfKey(key: TokenKey): TokenContext {
  return { campaignId: key.campaignId, questionId: key.questionId, periodStart: key.periodStart };
}

/** Validates a key list; throws PrivacyError KEY_LIST_INVALID naming the path of the first problem. */
export function validateTokenKeyList(input: unknown): TokenKeyList {
  const result = v.safeParse(TokenKeyListSchema, input);
  if (!result.success) throw listError(issuePath(result.issues[0]!), result.issues[0]!.message);
  const list = result.output;
  const ids = new Set<string>();
  const contexts = new Set<string>();
  list.keys.forEach((key, i) => {
    let bytes: Uint8Array;
    try {
      bytes = tokenKeyBytes(key);
    } catch {
      throw listError(`keys.${i}.publicKey`, 'is not canonical base64url');
    }
    if (toHex(sha256(bytes)) !== key.keyId) throw listError(`keys.${i}.keyId`, 'is not SHA-256 of the public key');
    if (ids.has(key.keyId)) throw listError(`keys.${i}.keyId`, 'appears twice');
    ids.add(key.keyId);
    const context = `${key.campaignId}\u0000${key.questionId}\u0000${key.periodStart}`;
    if (contexts.has(context)) throw listError(`keys.${i}`, `a second key for ${key.campaignId}/${key.questionId}/${key.periodStart}: one key per context (key consistency, RFC 9576 §6.2)`);
    contexts.add(context);
    if (Date.parse(key.expires) < Date.parse(key.issueUntil)) throw listError(`keys.${i}.expires`, 'is before issueUntil');
  });
  return list;
}
