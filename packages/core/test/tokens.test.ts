import { describe, expect, it } from 'vitest';
import {
  TOKEN_BASE64URL_LENGTH,
  TOKEN_BYTES,
  base64UrlEncode,
  bytesEqual,
  redemptionContext,
  tokenChallengeBytes,
  tokenChallengeDigest,
  tokenFields,
  tokenPeriodStart,
  toHex,
  validateBatch,
  validateCampaign,
  validateTokenKeyList,
} from '../src/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { FIXED_NOW, VALID_TOKEN_SHAPE, validBatch, validCampaign } from './hostile-inputs.ts';

const binding = { issuer: 'portal.example', origin: 'collector.example' };
const context = { campaignId: 'symptoms', questionId: 'fever', periodStart: '2026-03-14' };

describe('token context (docs/privacy-model.md, "Anonymous tokens")', () => {
  it('periods: the day itself, or the Monday of its ISO week', () => {
    expect(tokenPeriodStart('2026-03-15', 'day')).toBe('2026-03-15');
    expect(tokenPeriodStart('2026-03-15', 'week')).toBe('2026-03-09'); // a Sunday → that week's Monday
    expect(tokenPeriodStart('2026-03-09', 'week')).toBe('2026-03-09');
  });

  it('every part of the context changes the redemption context and the digest', () => {
    const base = toHex(tokenChallengeDigest(binding, context));
    const variants = [
      tokenChallengeDigest(binding, { ...context, campaignId: 'symptoms2' }),
      tokenChallengeDigest(binding, { ...context, questionId: 'pain' }),
      tokenChallengeDigest(binding, { ...context, periodStart: '2026-03-15' }),
      tokenChallengeDigest({ ...binding, issuer: 'other.example' }, context),
      tokenChallengeDigest({ ...binding, origin: 'other.example' }, context),
    ].map(toHex);
    expect(new Set([base, ...variants]).size).toBe(6);
    expect(redemptionContext(context)).toHaveLength(32);
  });

  it('serializes the TokenChallenge as RFC 9577 §2.1 lays it out', () => {
    const bytes = tokenChallengeBytes(binding, context);
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x02, 0x00, binding.issuer.length]);
    const at = 4 + binding.issuer.length;
    expect(bytes[at]).toBe(32);
    expect(bytesEqual(bytes.subarray(at + 1, at + 33), redemptionContext(context))).toBe(true);
    expect([...bytes.subarray(at + 33, at + 35)]).toEqual([0, binding.origin.length]);
    expect(new TextDecoder().decode(bytes.subarray(at + 35))).toBe(binding.origin);
  });

  it('splits a token into its RFC 9578 fields and refuses other lengths', () => {
    const bytes = new Uint8Array(TOKEN_BYTES).map((_, i) => i & 0xff);
    bytes[0] = 0;
    bytes[1] = 2;
    const f = tokenFields(bytes);
    expect(f.tokenType).toBe(2);
    expect(f.nonce[0]).toBe(2);
    expect(f.challengeDigest[0]).toBe(34);
    expect(f.tokenKeyId[0]).toBe(66);
    expect(f.authenticator).toHaveLength(256);
    expect(() => tokenFields(bytes.subarray(1))).toThrow(RangeError);
    expect(base64UrlEncode(bytes)).toHaveLength(TOKEN_BASE64URL_LENGTH);
  });

  it('bytesEqual compares content and length', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
  });
});

describe('wire and campaign fields for tokens', () => {
  it('a v2 report may carry ext.token of the token shape', () => {
    const b = validBatch();
    const report = (b.reports as Record<string, unknown>[])[0]!;
    const parsed = validateBatch({ ...b, protocol: 2, reports: [{ ...report, ext: { token: VALID_TOKEN_SHAPE } }] }, { now: FIXED_NOW });
    expect(parsed.reports[0]!.ext).toEqual({ token: VALID_TOKEN_SHAPE });
  });

  it('a campaign may require tokens from an issuer for an origin', () => {
    const campaign = validateCampaign({ ...validCampaign(), tokens: { issuer: 'portal.example', origin: 'collector.example:8080' } });
    expect(campaign.tokens).toEqual({ issuer: 'portal.example', origin: 'collector.example:8080' });
    expect(validateCampaign(validCampaign()).tokens).toBeUndefined();
  });
});

describe('token key list (key consistency)', () => {
  // Any bytes stand in for an SPKI here: the parser checks ids, contexts and dates, not RSA.
  const spki = (n: number) => new Uint8Array(342).fill(n);
  const entry = (n: number, extra: Record<string, unknown> = {}) => {
    const publicKey = base64UrlEncode(spki(n));
    return { keyId: toHex(sha256(spki(n))), campaignId: 'c', questionId: `q${n}`, periodStart: '2026-03-11', issueUntil: '2026-03-12T00:00:00.000Z', expires: '2026-04-12T00:00:00.000Z', publicKey, ...extra };
  };
  const list = (keys: unknown[]) => ({ issuer: 'portal.example', tokenType: 2, keys });

  it('accepts one key per context whose id is SHA-256 of its key', () => {
    expect(validateTokenKeyList(list([entry(1), entry(2)])).keys).toHaveLength(2);
  });

  it.each([
    ['a key id that is not SHA-256 of the key', list([{ ...entry(1), keyId: entry(2).keyId }]), 'keys.0.keyId'],
    ['the same key twice', list([entry(1), entry(1)]), 'keys.1.keyId'],
    ['two keys for one context (partitioning)', list([entry(1), entry(2, { questionId: 'q1' })]), 'keys.1'],
    ['expires before issueUntil', list([entry(1, { expires: '2026-03-11T00:00:00.000Z' })]), 'keys.0.expires'],
    ['a key that is not base64url', list([entry(1, { publicKey: 'a+b/' })]), 'keys.0.publicKey'],
    ['another token type', { ...list([entry(1)]), tokenType: 1 }, 'tokenType'],
    ['an unknown field', { ...list([entry(1)]), extra: true }, 'extra'],
    ['a bad day', list([entry(1, { periodStart: '2026-02-30' })]), 'keys.0.periodStart'],
  ])('refuses %s (KEY_LIST_INVALID)', (_name, input, path) => {
    expect(() => validateTokenKeyList(input)).toThrow(expect.objectContaining({ code: 'KEY_LIST_INVALID', path }));
  });
});
