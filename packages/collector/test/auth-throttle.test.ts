/**
 * Failed bearer-token attempts are throttled per client address (issue #16.5), and a spoofed
 * X-Forwarded-For from a peer that is not a configured proxy does not change that address.
 */
import { afterEach, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { READ, makeApp, publish } from './helpers.ts';

let app: CollectorApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const estimates = (token: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  app!.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever', remoteAddress, headers: { authorization: `Bearer ${token}`, ...headers } });

it('700 wrong read tokens in a row are throttled with 429 after the configured number of failures, per address', async () => {
  app = await makeApp({ authFailuresPerMinute: 10 });
  expect(await publish(app)).toBe(201);
  const statuses: number[] = [];
  for (let i = 0; i < 700; i += 1) statuses.push((await estimates(`wrong-token-${i}-0123456789`, '203.0.113.7')).statusCode);
  expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
  expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
  const limited = await estimates(READ, '203.0.113.7');
  expect(limited.statusCode).toBe(429);
  expect(limited.json().error.code).toBe('RATE_LIMITED');
  // It says when to come back: the rest of the address's one-minute window.
  const retryAfter = Number(limited.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  // Another address is not affected.
  expect((await estimates(READ, '203.0.113.8')).statusCode).toBe(200);
});

it('a spoofed X-Forwarded-For from an untrusted peer does not change the throttling key', async () => {
  app = await makeApp({ authFailuresPerMinute: 5, trustProxy: ['10.0.0.1'] });
  expect(await publish(app)).toBe(201);
  const statuses: number[] = [];
  for (let i = 0; i < 20; i += 1) statuses.push((await estimates('wrong-token-0123456789', '203.0.113.9', { 'x-forwarded-for': `198.51.100.${i}` })).statusCode);
  expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
  // Through the configured proxy, the forwarded address is the key.
  for (let i = 0; i < 5; i += 1) expect((await estimates('wrong-token-0123456789', '10.0.0.1', { 'x-forwarded-for': '198.51.100.200' })).statusCode).toBe(401);
  expect((await estimates('wrong-token-0123456789', '10.0.0.1', { 'x-forwarded-for': '198.51.100.200' })).statusCode).toBe(429);
  expect((await estimates(READ, '10.0.0.1', { 'x-forwarded-for': '198.51.100.201' })).statusCode).toBe(200);
});

it('PP_TRUST_PROXY takes false, true (private and loopback networks only) or a list of addresses/CIDRs', () => {
  expect(loadConfig({}).trustProxy).toBe(false);
  expect(loadConfig({ PP_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  expect(loadConfig({ PP_TRUST_PROXY: 'true' }).trustProxy).toEqual(['loopback', 'linklocal', 'uniquelocal']);
  expect(loadConfig({ PP_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
  expect(() => loadConfig({ PP_TRUST_PROXY: 'everyone' })).toThrow(/PP_TRUST_PROXY/);
  expect(loadConfig({}).authFailuresPerMinute).toBe(30);
});
