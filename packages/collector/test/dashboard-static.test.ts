/**
 * /dashboard/ (src/routes/dashboard.ts): the operator's dashboard build is served, and nothing
 * else — not a file beside the directory by `..` (plain, percent-encoded, double-encoded,
 * backslashed), not a dotfile, not a directory listing; every file carries the CSP. Without
 * PP_DASHBOARD_DIR there is no /dashboard at all, and a directory without index.html is refused
 * at start-up.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CollectorApp } from '../src/app.ts';
import { ConfigError, loadConfig, testConfig } from '../src/config.ts';
import { DASHBOARD_CSP } from '../src/routes/dashboard.ts';

const SECRET = 'outside-the-dashboard-directory';
let base: string;
let app: CollectorApp;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'pp-dashboard-static-'));
  const dist = join(base, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dashboard</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("dashboard")');
  writeFileSync(join(dist, '.env'), SECRET);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'dist-secret.txt'), SECRET);
  app = await buildApp(testConfig({ dashboardDir: dist }));
});

afterAll(async () => {
  await app?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('GET /dashboard/', () => {
  it('serves the build: /dashboard redirects to /dashboard/, index.html and its assets with the CSP', async () => {
    const redirect = await app.inject({ method: 'GET', url: '/dashboard' });
    expect([301, 302, 308]).toContain(redirect.statusCode);
    expect(redirect.headers.location).toBe('/dashboard/');
    const index = await app.inject({ method: 'GET', url: '/dashboard/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>dashboard</title>');
    expect(index.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const script = await app.inject({ method: 'GET', url: '/dashboard/assets/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['content-security-policy']).toBe(DASHBOARD_CSP);
  });

  it.each([
    '/dashboard/../secret.txt',
    '/dashboard/%2e%2e/secret.txt',
    '/dashboard/%2E%2E%2Fsecret.txt',
    '/dashboard/..%2fsecret.txt',
    '/dashboard/..%5csecret.txt',
    '/dashboard/%252e%252e/secret.txt',
    '/dashboard/assets/../../secret.txt',
    '/dashboard/assets/%2e%2e/%2e%2e/secret.txt',
    '/dashboard/..\\secret.txt',
    '/dashboard-secret.txt',
    '/dashboard/.env',
    '/dashboard/%2eenv',
    '/dashboard/assets/',
  ])('%s: not served', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, `${url} → ${response.statusCode}`).toBeGreaterThanOrEqual(300);
    expect(response.statusCode).not.toBe(200);
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain('console.log');
  });

  it('only GET and HEAD', async () => {
    expect((await app.inject({ method: 'POST', url: '/dashboard/', payload: '{}' })).statusCode).toBe(404);
  });
});

describe('PP_DASHBOARD_DIR', () => {
  it('unset: no /dashboard route', async () => {
    const plain = await buildApp(testConfig());
    try {
      const response = await plain.inject({ method: 'GET', url: '/dashboard/' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    } finally {
      await plain.close();
    }
  });

  it('a directory without index.html is refused at start-up, naming the fix', async () => {
    await expect(buildApp(testConfig({ dashboardDir: join(base, 'nowhere') }))).rejects.toThrow(ConfigError);
    await expect(buildApp(testConfig({ dashboardDir: join(base, 'nowhere') }))).rejects.toThrow(/no index.html there/);
  });

  it('is read from the environment and the --dashboard-dir flag like every setting', () => {
    expect(loadConfig({ PP_DATABASE_URL: 'sqlite::memory:', PP_DASHBOARD_DIR: '/srv/dashboard' }).dashboardDir).toBe('/srv/dashboard');
    expect(loadConfig({ PP_DATABASE_URL: 'sqlite::memory:' }).dashboardDir).toBeUndefined();
  });
});
