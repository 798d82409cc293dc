/** Issue 17: the collector's token key list from PP_TOKEN_KEYS (inline) or PP_TOKEN_KEYS_FILE — loaded, re-read on change, a bad new file keeping the old list. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { base64UrlEncode } from '@practical-privacy/core';
import { generateSigningKey } from '@practical-privacy/token-issuer';
import { ConfigError, describeConfig, loadConfig, loadConfigWithSources } from '../src/config.ts';
import { TokenKeyRing } from '../src/privacy-pass/key-ring.ts';
import { makeApp } from './helpers.ts';
import { makeIssuer, settableClock, tokenCampaign } from './token-helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('token key ring', { timeout: 60_000 }, () => {
  it('reads PP_TOKEN_KEYS_FILE, re-reads it when it changes, keeps the old list when the new file is bad, and serves it at /v1/token-keys', async () => {
    const time = settableClock('2026-03-11T10:00:00Z');
    const issuer = await makeIssuer(time.now, [tokenCampaign('checkin')], { aheadDays: 0 });
    const first = await issuer.keyList();
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-keys-'));
    dirs.push(dir);
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify(first));
    expect(loadConfig({ PP_TOKEN_KEYS_FILE: file }).tokenKeysFile).toBe(file);
    let clock = 0;
    const ring = TokenKeyRing.fromFile(file, 1_000, () => clock);
    expect(ring.current()).toEqual(first);

    await issuer.replaceKey({ campaignId: 'checkin', questionId: 'fever', periodStart: '2026-03-11' });
    const second = await issuer.keyList();
    writeFileSync(file, JSON.stringify(second));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(ring.current()).toEqual(first); // not re-checked within refreshMs
    clock += 1_000;
    expect(ring.current()).toEqual(second);

    writeFileSync(file, '{"issuer": "portal.example", "tokenType": 2, "keys": [');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    clock += 1_000;
    expect(ring.current()).toEqual(second);
    expect(ring.lastError).toMatch(/PP_TOKEN_KEYS/);

    const app = await makeApp({ tokenKeysFile: file.replace('keys.json', 'missing.json') }).catch((e: unknown) => e);
    expect(String(app)).toMatch(/PP_TOKEN_KEYS_FILE .*missing\.json/);
    writeFileSync(file, JSON.stringify(second));
    const served = await makeApp({ tokenKeysFile: file });
    expect((await served.inject({ method: 'GET', url: '/v1/token-keys' })).json()).toEqual(second);
    await served.close();
    const none = await makeApp();
    expect((await none.inject({ method: 'GET', url: '/v1/token-keys' })).json().error.code).toBe('TOKEN_KEYS_UNCONFIGURED');
    await none.close();
  });

  it('refuses a list with two keys for one context (key consistency)', async () => {
    const time = settableClock('2026-03-11T10:00:00Z');
    const list = await (await makeIssuer(time.now, [tokenCampaign('checkin')], { aheadDays: 0 })).keyList();
    const fresh = await generateSigningKey();
    const second = { ...list.keys[0]!, keyId: fresh.keyId, publicKey: base64UrlEncode(fresh.publicKey) };
    expect(() => TokenKeyRing.of({ ...list, keys: [...list.keys, second] })).toThrow(expect.objectContaining({ code: 'KEY_LIST_INVALID', message: expect.stringMatching(/a second key for checkin\//) }));
  });

  it('takes the list itself from PP_TOKEN_KEYS / --token-keys (JSON) or a file from PP_TOKEN_KEYS_FILE / --token-keys-file; refuses both, a path in PP_TOKEN_KEYS, and a bad list', async () => {
    const time = settableClock('2026-03-11T10:00:00Z');
    const list = await (await makeIssuer(time.now, [tokenCampaign('checkin')], { aheadDays: 0 })).keyList();
    const json = JSON.stringify(list);
    expect(loadConfig({ PP_TOKEN_KEYS: json }).tokenKeys).toEqual(list);
    expect(loadConfig({}, { PP_TOKEN_KEYS: json }).tokenKeys).toEqual(list);
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-keys-'));
    dirs.push(dir);
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, json);
    expect(loadConfig({}, { PP_TOKEN_KEYS_FILE: file }).tokenKeysFile).toBe(file);
    expect(() => loadConfig({ PP_TOKEN_KEYS: json, PP_TOKEN_KEYS_FILE: file })).toThrow(ConfigError);
    expect(() => loadConfig({ PP_TOKEN_KEYS: json, PP_TOKEN_KEYS_FILE: file })).toThrow(/PP_TOKEN_KEYS and PP_TOKEN_KEYS_FILE are both set/);
    // The old meaning (a path) is refused with the way out, never read as a list.
    expect(() => loadConfig({ PP_TOKEN_KEYS: file })).toThrow(/PP_TOKEN_KEYS: must be the key list itself \(JSON\); to name a file, use PP_TOKEN_KEYS_FILE/);
    expect(() => loadConfig({}, { PP_TOKEN_KEYS: '{"issuer": "x", "tokenType": 2, "keys": [' })).toThrow(/--token-keys: not JSON/);
    expect(() => loadConfig({ PP_TOKEN_KEYS: JSON.stringify({ ...list, keys: [{ ...list.keys[0]!, keyId: '0'.repeat(64) }] }) })).toThrow(/PP_TOKEN_KEYS: .*key/);
    // The startup line says what was configured, not the whole list.
    expect(describeConfig(loadConfigWithSources({ PP_TOKEN_KEYS: json })).settings.PP_TOKEN_KEYS).toBe(`${list.keys.length} keys of issuer portal.example`);
    // Served as given.
    const served = await makeApp({ tokenKeys: list });
    expect((await served.inject({ method: 'GET', url: '/v1/token-keys' })).json()).toEqual(list);
    await served.close();
  });
});
