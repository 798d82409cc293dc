/** Test helpers: a campaign that requires tokens, a settable clock, and a device-side client (privacypass-ts). */
import { publicVerif, TokenChallenge, TOKEN_TYPES, Token, util } from '@cloudflare/privacypass-ts';
import { base64UrlDecode, base64UrlEncode, tokenChallengeBytes, tokenKeyBytes, type TokenContext, type TokenKey, type TokenIssuerBinding } from '@practical-privacy/core';
import { TOKEN_REQUEST_BYTES } from '../src/issuer.ts';

export const binding: TokenIssuerBinding = { issuer: 'portal.example', origin: 'collector.example' };

export function tokenCampaign(id = 'symptoms'): Record<string, unknown> {
  return {
    id,
    version: 1,
    title: 'Daily symptoms',
    tokens: { ...binding },
    questions: [
      { id: 'fever', type: 'boolean', prompt: 'Fever today?', tier: 'moderate', epsilon: 1 },
      { id: 'mood', type: 'boolean', prompt: 'Good week?', tier: 'moderate', epsilon: 1, period: 'week' },
    ],
  };
}

export function clock(start: string): { now: () => Date; set(iso: string): void } {
  let t = new Date(start);
  return { now: () => t, set: (iso) => (t = new Date(iso)) };
}

export const contextOf = (key: TokenKey): TokenContext => ({ campaignId: key.campaignId, questionId: key.questionId, periodStart: key.periodStart });

/** A device's half for one token: blinds against `key` for `context` (default: the key's own). */
export async function blindFor(key: TokenKey, context: TokenContext = contextOf(key)) {
  const challenge = TokenChallenge.deserialize(tokenChallengeBytes(binding, context));
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const request = await client.createTokenRequest(challenge, tokenKeyBytes(key));
  return {
    request: base64UrlEncode(request.serialize()),
    finalize: async (response: string): Promise<Token> => client.finalize(publicVerif.TokenResponse.deserialize(base64UrlDecode(response, 256))),
  };
}

export const REQUEST_CHARS = Math.ceil((TOKEN_REQUEST_BYTES * 8) / 6);

/** Verifies a token's signature only (privacypass-ts's Origin.verify: it does not look at the context). */
export async function signatureVerifies(token: Token, key: TokenKey): Promise<boolean> {
  // WebCrypto imports the rsaEncryption form of the key; the list carries RFC 9578's RSASSA-PSS SPKI.
  const publicKey = await importVerifyKey(tokenKeyBytes(key));
  return new publicVerif.Origin(publicVerif.BlindRSAMode.PSS, [binding.origin]).verify(token, publicKey);
}

/** A CryptoKey for verification from RFC 9578's SPKI (converted to the rsaEncryption form WebCrypto imports). */
export function importVerifyKey(spki: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', new Uint8Array(util.convertRSASSAPSSToEnc(spki)), TOKEN_TYPES.BLIND_RSA.rsaParams, true, ['verify']);
}
