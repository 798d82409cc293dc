/**
 * vitest globalSetup for the Privacy Pass end-to-end test (issue 17): the reference issuer service
 * (packages/token-issuer, its own SQLite file and keys) and a real collector (packages/collector)
 * that verifies with the issuer's key list (given inline, PP_TOKEN_KEYS), each as a process, with a token
 * campaign published. The browser reaches the issuer only through the `issueTokens` command
 * (token-commands.ts), standing in for the app's backend: the portal's secret never enters the page.
 * (Vitest may run a globalSetup more than once; each run's URLs are provided together, so the page
 * always talks to one issuer–collector pair.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    tokenCollectorUrl: string;
    tokenIssuerUrl: string;
  }
}

export const TOKEN_BINDING = { issuer: 'portal.test', origin: 'collector.test' };
export const TOKEN_CAMPAIGN = {
  id: 'sdk-tokens',
  version: 1,
  title: 'Check-in with tokens',
  tokens: TOKEN_BINDING,
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1, minBatch: 1 },
    { id: 'cough', prompt: 'Cough today?', type: 'boolean', tier: 'low', epsilon: 1, minBatch: 1 },
  ],
};
const ADMIN = 'sdk-tokens-admin-token-0123456789';
export const TOKEN_PORTAL_SECRET = 'sdk-tokens-portal-secret-0123456789abcdef';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = new URL(`file://${createRequire(path.join(root, 'collector/src/cli.ts')).resolve('tsx')}`).href;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function start(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=@practical-privacy/source', ...script.split(' ')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${output}`);
    if (await fetch(readyUrl).then((r) => r.status === 200, () => false)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not become ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-sdk-tokens-'));
  writeFileSync(path.join(dir, 'campaigns.json'), JSON.stringify([TOKEN_CAMPAIGN]));
  const issuerPort = await freePort();
  const issuerUrl = `http://127.0.0.1:${issuerPort}`;
  const issuer = await start(
    path.join(root, 'token-issuer/src/server.ts'),
    { PP_ISSUER_NAME: TOKEN_BINDING.issuer, PP_ISSUER_SECRET: TOKEN_PORTAL_SECRET, PP_ISSUER_CAMPAIGNS: path.join(dir, 'campaigns.json'), PP_ISSUER_DB: path.join(dir, 'issuer.db'), PP_ISSUER_AHEAD_DAYS: '0', PORT: String(issuerPort), HOST: '127.0.0.1' },
    `${issuerUrl}/healthz`,
  );
  const keys = await (await fetch(`${issuerUrl}/v1/token-keys`)).text();
  const collectorPort = await freePort();
  const collectorUrl = `http://127.0.0.1:${collectorPort}`;
  const collector = await start(
    `${path.join(root, 'collector/src/cli.ts')} serve`,
    { PP_PORT: String(collectorPort), PP_HOST: '127.0.0.1', PP_DATABASE_URL: 'sqlite::memory:', PP_ADMIN_TOKEN: ADMIN, PP_ALLOWED_ORIGINS: '*', PP_LOG_LEVEL: 'warn', PP_MAX_EVENT_LOOP_DELAY_MS: '0', PP_TOKEN_KEYS: keys },
    `${collectorUrl}/readyz`,
  );
  const published = await fetch(`${collectorUrl}/v1/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(TOKEN_CAMPAIGN) });
  if (!published.ok) throw new Error(`publishing the token campaign failed: ${published.status} ${await published.text()}`);
  project.provide('tokenCollectorUrl', collectorUrl);
  project.provide('tokenIssuerUrl', issuerUrl);
  return () => {
    issuer.kill('SIGTERM');
    collector.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}
