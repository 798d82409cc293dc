import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { validateTokenKeyList, type TokenKeyList } from '@practical-privacy/core';
import { buildIssuerApp } from '../src/app.ts';
import { TokenIssuer } from '../src/issuer.ts';
import { MemoryIssuerStore, SqliteIssuerStore, type IssuerStore } from '../src/store.ts';
import { binding, blindFor, clock, signatureVerifies, tokenCampaign } from './helpers.ts';

const SECRET = 'portal-secret-portal-secret-portal-secret';
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(store: IssuerStore = new MemoryIssuerStore()) {
  const time = clock('2026-03-11T10:00:00Z');
  const issuer = new TokenIssuer({ name: binding.issuer, store, campaigns: [tokenCampaign()], aheadDays: 0, now: time.now });
  await issuer.rotate();
  app = await buildIssuerApp({ issuer, portalSecret: SECRET, logLevel: 'silent' });
  const list = validateTokenKeyList((await app.inject({ method: 'GET', url: '/v1/token-keys' })).json()) as TokenKeyList;
  return { app, list, issuer };
}

describe('reference issuer service', () => {
  it('publishes the key list and issues for the portal\'s account; the token verifies', async () => {
    const { app, list } = await start();
    const key = list.keys[0]!;
    const device = await blindFor(key);
    const res = await app.inject({ method: 'POST', url: '/v1/token-requests', headers: { authorization: `Bearer ${SECRET}` }, payload: { account: 'patient-7', requests: [{ keyId: key.keyId, request: device.request }] } });
    expect(res.statusCode).toBe(200);
    const token = await device.finalize(res.json().results[0].response);
    expect(await signatureVerifies(token, key)).toBe(true);
  });

  it('refuses token requests without the portal secret, and malformed bodies with a typed 400', async () => {
    const { app, list } = await start();
    const key = list.keys[0]!;
    const payload = { account: 'patient-7', requests: [{ keyId: key.keyId, request: (await blindFor(key)).request }] };
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: SECRET }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/token-requests', headers, payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    const auth = { authorization: `Bearer ${SECRET}` };
    expect((await app.inject({ method: 'POST', url: '/v1/token-requests', headers: auth, payload: { ...payload, extra: 1 } })).json().error.code).toBe('REQUEST_INVALID');
    expect((await app.inject({ method: 'POST', url: '/v1/token-requests', headers: auth, payload: { ...payload, account: '' } })).json().error.code).toBe('ACCOUNT_INVALID');
    expect((await app.inject({ method: 'POST', url: '/v1/token-requests', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"account":' })).statusCode).toBe(400);
    // After all that, the account's allowance is intact.
    const res = await app.inject({ method: 'POST', url: '/v1/token-requests', headers: auth, payload });
    expect(res.json().results[0].response).toBeTypeOf('string');
  });

  it('logs method, route and status only: never the account, the secret or the requests', async () => {
    const lines: string[] = [];
    const time = clock('2026-03-11T10:00:00Z');
    const issuer = new TokenIssuer({ name: binding.issuer, store: new MemoryIssuerStore(), campaigns: [tokenCampaign()], aheadDays: 0, now: time.now });
    await issuer.rotate();
    app = await buildIssuerApp({ issuer, portalSecret: SECRET, logLevel: 'trace', logStream: { write: (line) => void lines.push(line) } });
    const key = (await issuer.keyList()).keys[0]!;
    const device = await blindFor(key);
    const res = await app.inject({ method: 'POST', url: '/v1/token-requests', headers: { authorization: `Bearer ${SECRET}` }, payload: { account: 'patient-secret-account-42', requests: [{ keyId: key.keyId, request: device.request }] } });
    await app.inject({ method: 'POST', url: '/v1/token-requests', headers: { authorization: 'Bearer wrong-secret-guess' }, payload: { account: 'patient-secret-account-42', requests: [] } });
    const log = lines.join('');
    expect(log).toContain('/v1/token-requests');
    for (const secret of ['patient-secret-account-42', SECRET, 'wrong-secret-guess', device.request.slice(0, 40), res.json().results[0].response.slice(0, 40)]) expect(log).not.toContain(secret);
  });

  it('keeps keys and the allowance in SQLite across a restart', async () => {
    const path = `/tmp/pp-issuer-test-${process.pid}-${Date.now()}.db`;
    const first = await start(new SqliteIssuerStore(path));
    const key = first.list.keys[0]!;
    const auth = { authorization: `Bearer ${SECRET}` };
    const one = await blindFor(key);
    expect((await first.app.inject({ method: 'POST', url: '/v1/token-requests', headers: auth, payload: { account: 'p', requests: [{ keyId: key.keyId, request: one.request }] } })).json().results[0].response).toBeTypeOf('string');
    await first.app.close();
    const second = await start(new SqliteIssuerStore(path));
    expect(second.list).toEqual(first.list);
    const two = await blindFor(key);
    const res = await second.app.inject({ method: 'POST', url: '/v1/token-requests', headers: auth, payload: { account: 'p', requests: [{ keyId: key.keyId, request: two.request }] } });
    expect(res.json().results[0].error.code).toBe('ALLOWANCE_EXCEEDED');
    await second.app.close();
    app = undefined;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  });
});
