/**
 * The demo portal's server (scripts/portal.mjs): the fake login's session is the only way to get
 * tokens, the issuer secret and the account are added on the server (never taken from the page),
 * and bad input changes nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { accountOf, demoName, portalHandler } from '../scripts/portal.mjs';

const SECRET = 'portal-test-secret-0123456789abcdefghij';
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function portal(options: { issuerUrl?: string; issuerSecret?: string } = { issuerUrl: 'http://issuer.test', issuerSecret: SECRET }) {
  const calls: Array<{ url: string; authorization: string | null; body: unknown }> = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({ url, authorization: new Headers(init.headers).get('authorization'), body: JSON.parse(String(init.body)) });
    return new Response(JSON.stringify({ results: [{ keyId: 'k', response: 'r' }] }), { status: 200 });
  };
  const handler = portalHandler({ ...options, fetch });
  const server = createServer((req, res) => void handler(req, res, () => ((res.statusCode = 418), res.end())));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (path: string, body: unknown, cookie?: string) =>
    globalThis.fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie === undefined ? {} : { cookie }) }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { base, calls, post };
}

const sessionCookie = (response: Response) => response.headers.get('set-cookie')!.split(';')[0]!;

describe('demo portal', () => {
  it('gives tokens only to a signed-in session, adding the secret and an opaque account on the server', async () => {
    const { calls, post, base } = await portal();
    const anonymous = await post('/portal/token-requests', { requests: [{ keyId: 'k', request: 'q' }] });
    expect(anonymous.status).toBe(401);
    expect(calls).toHaveLength(0);

    const login = await post('/portal/login', { name: '  Ada  LOVELACE ' });
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ name: 'Ada  LOVELACE' });
    expect(login.headers.get('set-cookie')).toMatch(/^pp_demo_portal=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/portal$/);
    const cookie = sessionCookie(login);
    expect((await globalThis.fetch(`${base}/portal/session`, { headers: { cookie } })).status).toBe(200);

    // The page's body may claim another account: the portal's session decides.
    const answer = await post('/portal/token-requests', { account: 'someone-else', requests: [{ keyId: 'k', request: 'q' }] }, cookie);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ results: [{ keyId: 'k', response: 'r' }] });
    expect(calls).toEqual([{ url: 'http://issuer.test/v1/token-requests', authorization: `Bearer ${SECRET}`, body: { account: accountOf('ada lovelace'), requests: [{ keyId: 'k', request: 'q' }] } }]);
    expect(accountOf('ada lovelace')).toMatch(/^demo-[0-9a-f]{32}$/);
    expect(accountOf('Ada Lovelace')).toBe(accountOf(' ada   lovelace'));
    expect(accountOf('Ada Lovelace')).not.toBe(accountOf('Ben Okafor'));

    // Signed out: the same cookie gets nothing more.
    expect((await post('/portal/logout', {}, cookie)).status).toBe(204);
    expect((await post('/portal/token-requests', { requests: [] }, cookie)).status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('refuses bad names and bodies with 400 and no session, and answers 503 without an issuer', async () => {
    const { post, calls } = await portal();
    for (const name of ['', '   ', 'x'.repeat(41), '<script>', 42, null]) {
      const response = await post('/portal/login', { name });
      expect(response.status, String(name)).toBe(400);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    expect((await post('/portal/login', 'not json')).status).toBe(400);
    expect(demoName('Chen Wei')).toBe('Chen Wei');
    expect(demoName('Zoë O\'Brien-Smith')).toBe('Zoë O\'Brien-Smith');
    expect(calls).toHaveLength(0);
    const unconfigured = await portal({});
    expect((await unconfigured.post('/portal/login', { name: 'Ada' })).status).toBe(503);
  });
});
