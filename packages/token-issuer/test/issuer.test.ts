import { publicVerif, TOKEN_TYPES } from '@cloudflare/privacypass-ts';
import { base64UrlDecode, base64UrlEncode, bytesEqual, tokenChallengeDigest, toHex, tokenFields, validateTokenKeyList } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { BlindSigner, generateSigningKey } from '../src/signing-key.ts';
import { TokenIssuer } from '../src/issuer.ts';
import { MemoryIssuerStore } from '../src/store.ts';
import { binding, blindFor, clock, contextOf, importVerifyKey, REQUEST_CHARS, signatureVerifies, tokenCampaign } from './helpers.ts';

async function setup(start = '2026-03-11T10:00:00Z') {
  const time = clock(start);
  const store = new MemoryIssuerStore();
  const issuer = new TokenIssuer({ name: binding.issuer, store, campaigns: [tokenCampaign()], aheadDays: 1, retainDays: 2, now: time.now });
  await issuer.rotate();
  return { time, store, issuer, list: await issuer.keyList() };
}

const ok = (result: unknown): string => {
  const r = result as { response?: string; error?: { code: string } };
  if (r.response === undefined) throw new Error(`refused: ${r.error?.code}`);
  return r.response;
};

describe('issuer keys', () => {
  it('publishes one key per (question, period window) from today through aheadDays, valid under core\'s parser', async () => {
    const { list } = await setup('2026-03-11T10:00:00Z'); // a Wednesday
    expect(validateTokenKeyList(list)).toEqual(list);
    expect(list.keys.map((k) => `${k.questionId}@${k.periodStart}`).sort()).toEqual(['fever@2026-03-11', 'fever@2026-03-12', 'mood@2026-03-09']);
    const fever = list.keys.find((k) => k.questionId === 'fever' && k.periodStart === '2026-03-11')!;
    expect(fever.issueUntil).toBe('2026-03-12T00:00:00.000Z');
    expect(fever.expires).toBe('2026-03-14T00:00:00.000Z');
    expect(list.keys.find((k) => k.questionId === 'mood')!.issueUntil).toBe('2026-03-16T00:00:00.000Z');
  });

  it('rotation is idempotent, adds the next periods as time passes, and drops expired keys', async () => {
    const { time, issuer, list } = await setup();
    expect(await issuer.rotate()).toEqual({ added: 0, dropped: 0 });
    time.set('2026-03-16T01:00:00Z');
    const r = await issuer.rotate();
    const later = await issuer.keyList();
    expect(r.dropped).toBe(2); // fever@03-11 expired on 03-14, fever@03-12 on 03-15 (retainDays 2)
    expect(later.keys.some((k) => k.periodStart === '2026-03-11')).toBe(false);
    expect(later.keys.map((k) => `${k.questionId}@${k.periodStart}`).sort()).toEqual(['fever@2026-03-16', 'fever@2026-03-17', 'mood@2026-03-09', 'mood@2026-03-16']);
    expect(list.keys.length).toBe(3);
  });
});

describe('issue → finalize → verify', () => {
  it('a token made for its context verifies under the listed key and carries the collector\'s challenge digest', async () => {
    const { issuer, list } = await setup();
    const key = list.keys[0]!;
    const device = await blindFor(key);
    expect(device.request).toHaveLength(REQUEST_CHARS);
    const [result] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: device.request }]);
    const token = await device.finalize(ok(result));
    const bytes = token.serialize();
    expect(bytes).toHaveLength(354);
    expect(base64UrlEncode(bytes)).toHaveLength(472);
    const fields = tokenFields(bytes);
    expect(toHex(fields.tokenKeyId)).toBe(key.keyId);
    expect(bytesEqual(fields.challengeDigest, tokenChallengeDigest(binding, contextOf(key)))).toBe(true);
    expect(await signatureVerifies(token, key)).toBe(true);
    // Another key's signature check fails.
    expect(await signatureVerifies(token, list.keys[1]!)).toBe(false);
  });

  it('the native signer gives privacypass-ts\'s own signature byte for byte', async () => {
    const key = await generateSigningKey();
    const privateKey = await crypto.subtle.importKey('pkcs8', key.privateKeyPkcs8, TOKEN_TYPES.BLIND_RSA.rsaParams, true, ['sign']);
    const publicKey = await importVerifyKey(key.publicKey);
    const reference = new publicVerif.Issuer(publicVerif.BlindRSAMode.PSS, binding.issuer, privateKey, publicKey);
    const listed = { keyId: key.keyId, campaignId: 'c', questionId: 'q', periodStart: '2026-03-11', issueUntil: '2026-03-12T00:00:00Z', expires: '2026-03-13T00:00:00Z', publicKey: base64UrlEncode(key.publicKey) };
    const device = await blindFor(listed);
    const request = publicVerif.TokenRequest.deserialize(TOKEN_TYPES.BLIND_RSA, base64UrlDecode(device.request, 259));
    const theirs = (await reference.issue(request)).blindSig;
    const ours = new BlindSigner(key).sign(request.blindedMsg);
    expect(toHex(ours)).toBe(toHex(theirs));
  });
});

describe('allowance', () => {
  it('one token per account per key: a second request is refused, a byte-identical retry answered again, another account served', async () => {
    const { issuer, list } = await setup();
    const key = list.keys[0]!;
    const first = await blindFor(key);
    const [a] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: first.request }]);
    const [again] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: first.request }]);
    expect(ok(again)).toBe(ok(a));
    const second = await blindFor(key);
    const [refused] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: second.request }]);
    expect(refused).toEqual({ keyId: key.keyId, error: expect.objectContaining({ code: 'ALLOWANCE_EXCEEDED' }) });
    const [other] = await issuer.issue('patient-2', [{ keyId: key.keyId, request: second.request }]);
    expect(ok(other)).toHaveLength(342);
  });

  it('a burst beyond the allowance in one call gets one token; the other keys of the call are still served', async () => {
    const { issuer, list } = await setup();
    const [k0, k1] = list.keys;
    const burst = await Promise.all([0, 1, 2, 3, 4].map(() => blindFor(k0!)));
    const results = await issuer.issue('patient-1', [...burst.map((b) => ({ keyId: k0!.keyId, request: b.request })), { keyId: k1!.keyId, request: (await blindFor(k1!)).request }]);
    expect(results.map((r) => ('response' in r ? 'ok' : r.error.code))).toEqual(['ok', 'ALLOWANCE_EXCEEDED', 'ALLOWANCE_EXCEEDED', 'ALLOWANCE_EXCEEDED', 'ALLOWANCE_EXCEEDED', 'ok']);
  });

  it('an invalid request does not use up the allowance', async () => {
    const { issuer, list } = await setup();
    const key = list.keys[0]!;
    const tooBig = base64UrlEncode(Uint8Array.from([0, 2, Number.parseInt(key.keyId.slice(62), 16), ...new Array(256).fill(0xff)]));
    const [bad] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: tooBig }]);
    expect(bad).toEqual({ keyId: key.keyId, error: expect.objectContaining({ code: 'TOKEN_REQUEST_INVALID' }) });
    const [good] = await issuer.issue('patient-1', [{ keyId: key.keyId, request: (await blindFor(key)).request }]);
    expect(ok(good)).toBeTypeOf('string');
  });
});

describe('expired and rotated keys', () => {
  it('refuses to sign under a key whose period ended, and forgets it once it expired', async () => {
    const { time, issuer, list } = await setup();
    const key = list.keys.find((k) => k.questionId === 'fever' && k.periodStart === '2026-03-11')!;
    const device = await blindFor(key);
    time.set('2026-03-12T00:00:00Z');
    expect((await issuer.issue('patient-1', [{ keyId: key.keyId, request: device.request }]))[0]).toEqual({ keyId: key.keyId, error: expect.objectContaining({ code: 'KEY_NOT_ISSUABLE' }) });
    time.set('2026-03-14T00:00:00Z');
    await issuer.rotate();
    expect((await issuer.keyList()).keys.some((k) => k.keyId === key.keyId)).toBe(false);
    expect((await issuer.issue('patient-1', [{ keyId: key.keyId, request: device.request }]))[0]).toEqual({ keyId: key.keyId, error: expect.objectContaining({ code: 'KEY_UNKNOWN' }) });
  });

  it('an emergency rotation replaces the context\'s key: the old id is unknown, its tokens fail the new key', async () => {
    const { issuer, list } = await setup();
    const old = list.keys[0]!;
    const device = await blindFor(old);
    const token = await device.finalize(ok((await issuer.issue('patient-1', [{ keyId: old.keyId, request: device.request }]))[0]));
    const newId = await issuer.replaceKey(contextOf(old));
    const after = await issuer.keyList();
    expect(after.keys.filter((k) => k.questionId === old.questionId && k.periodStart === old.periodStart).map((k) => k.keyId)).toEqual([newId]);
    expect((await issuer.issue('patient-2', [{ keyId: old.keyId, request: (await blindFor(old)).request }]))[0]).toMatchObject({ error: { code: 'KEY_UNKNOWN' } });
    expect(await signatureVerifies(token, after.keys.find((k) => k.keyId === newId)!)).toBe(false);
  });
});

describe('hostile issuance input', () => {
  it('refuses bad accounts and request lists with a typed error, and bad requests one by one', async () => {
    const { issuer, list } = await setup();
    const key = list.keys[0]!;
    for (const account of ['', 'a b', 'x'.repeat(257), 42, null]) await expect(issuer.issue(account as string, [{ keyId: key.keyId, request: 'AA' }])).rejects.toMatchObject({ code: 'ACCOUNT_INVALID' });
    for (const requests of [[], 'x', new Array(1001).fill({ keyId: key.keyId, request: 'AA' })]) await expect(issuer.issue('p', requests as never)).rejects.toMatchObject({ code: 'REQUESTS_INVALID' });
    await expect(issuer.issue('p', [{ keyId: key.keyId, request: 'AA', extra: 1 } as never])).rejects.toMatchObject({ code: 'REQUESTS_INVALID', path: 'requests.0' });
    await expect(issuer.issue('p', [{ keyId: 'KEY', request: 'AA' }])).rejects.toMatchObject({ code: 'REQUESTS_INVALID' });
    const good = await blindFor(key);
    const wrongTruncated = base64UrlDecode(good.request, 259);
    wrongTruncated[2] = wrongTruncated[2]! ^ 1;
    const wrongType = base64UrlDecode(good.request, 259);
    wrongType[1] = 1;
    const cases = ['', 'A'.repeat(REQUEST_CHARS), `${good.request.slice(1)}=`, good.request.slice(1), base64UrlEncode(wrongTruncated), base64UrlEncode(wrongType), 'Ω'.repeat(REQUEST_CHARS)];
    const results = await issuer.issue('p', cases.map((request) => ({ keyId: key.keyId, request })));
    expect(results.map((r) => ('error' in r ? r.error.code : 'ok'))).toEqual(cases.map(() => 'TOKEN_REQUEST_INVALID'));
    expect((await issuer.issue('p', [{ keyId: 'f'.repeat(64), request: good.request }]))[0]).toMatchObject({ error: { code: 'KEY_UNKNOWN' } });
    // None of that used the allowance.
    expect(ok((await issuer.issue('p', [{ keyId: key.keyId, request: good.request }]))[0])).toBeTypeOf('string');
  });

  it('refuses campaigns that do not name this issuer', () => {
    const other = { ...tokenCampaign(), tokens: { issuer: 'elsewhere.example', origin: 'collector.example' } };
    expect(() => new TokenIssuer({ name: binding.issuer, store: new MemoryIssuerStore(), campaigns: [other] })).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID' }));
    const { tokens: _t, ...plain } = tokenCampaign();
    expect(() => new TokenIssuer({ name: binding.issuer, store: new MemoryIssuerStore(), campaigns: [plain] })).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID' }));
  });
});
