/** Issue 17 test fixtures: an issuer (the reference library), campaigns that require tokens, and a device that blinds and finalizes with privacypass-ts. */
import { publicVerif, TokenChallenge } from '@cloudflare/privacypass-ts';
import { base64UrlDecode, base64UrlEncode, tokenChallengeBytes, tokenKeyBytes, type TokenContext, type TokenIssuerBinding, type TokenKey, type TokenKeyList } from '@practical-privacy/core';
import { generateSigningKey, MemoryIssuerStore, TokenIssuer, type SigningKey } from '@practical-privacy/token-issuer';

export const BINDING: TokenIssuerBinding = { issuer: 'portal.example', origin: 'collector.example' };

export function tokenCampaign(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    version: 1,
    title: 'Check-in with tokens',
    tokens: { ...BINDING },
    questions: [
      { id: 'fever', type: 'boolean', prompt: 'Fever today?', tier: 'moderate', epsilon: 1, minBatch: 1 },
      { id: 'cough', type: 'boolean', prompt: 'Cough today?', tier: 'moderate', epsilon: 1, minBatch: 1 },
      { id: 'mood', type: 'boolean', prompt: 'Good week?', tier: 'moderate', epsilon: 1, minBatch: 1, period: 'week' },
    ],
    ...extra,
  };
}

export function settableClock(iso: string): { now: () => Date; set(iso: string): void } {
  let t = new Date(iso);
  return { now: () => t, set: (next) => (t = new Date(next)) };
}

/**
 * RSA-2048 key generation takes ≈ 0.2 s; each issuer of the suite draws its keys from one pool, in
 * order, generating only what no earlier issuer needed (keys are unique within an issuer, which is
 * all the tests rely on).
 */
const pool: SigningKey[] = [];
function poolCursor(): () => Promise<SigningKey> {
  let next = 0;
  return async () => {
    if (next === pool.length) pool.push(await generateSigningKey());
    return pool[next++]!;
  };
}

export async function makeIssuer(now: () => Date, campaigns: unknown[], options: { aheadDays?: number; retainDays?: number } = {}) {
  const issuer = new TokenIssuer({ name: BINDING.issuer, store: new MemoryIssuerStore(), campaigns, aheadDays: options.aheadDays ?? 1, retainDays: options.retainDays ?? 31, now, generateKey: poolCursor() });
  await issuer.rotate();
  return issuer;
}

export function keyFor(list: TokenKeyList, campaignId: string, questionId: string, periodStart: string): TokenKey {
  const key = list.keys.find((k) => k.campaignId === campaignId && k.questionId === questionId && k.periodStart === periodStart);
  if (key === undefined) throw new Error(`no key for ${campaignId}/${questionId}/${periodStart}`);
  return key;
}

/**
 * One token from `issuer` for `account`, blinded against `key` with the challenge of `context`
 * (default: the key's own context) and `binding` (default: the campaign's). Cheating devices pass
 * another context or binding.
 */
export async function mintToken(issuer: TokenIssuer, account: string, key: TokenKey, context?: TokenContext, binding: TokenIssuerBinding = BINDING): Promise<string> {
  const challenge = TokenChallenge.deserialize(tokenChallengeBytes(binding, context ?? { campaignId: key.campaignId, questionId: key.questionId, periodStart: key.periodStart }));
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const request = await client.createTokenRequest(challenge, tokenKeyBytes(key));
  const [result] = await issuer.issue(account, [{ keyId: key.keyId, request: base64UrlEncode(request.serialize()) }]);
  if (result === undefined || !('response' in result)) throw new Error(`issuer refused: ${JSON.stringify(result)}`);
  const token = await client.finalize(publicVerif.TokenResponse.deserialize(base64UrlDecode(result.response, 256)));
  return base64UrlEncode(token.serialize());
}
