/**
 * vitest globalSetup: the real collector (packages/collector, issue #4) as a process (its CLI through
 * tsx, in-memory SQLite), with the end-to-end campaign published.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { e2eCampaign } from './campaign.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    realCollectorUrl: string;
  }
}

const ADMIN = 'sdk-e2e-admin-token-0123456789';
const cli = fileURLToPath(new URL('../../../collector/src/cli.ts', import.meta.url));
const tsx = new URL(`file://${createRequire(cli).resolve('tsx')}`).href;

export default async function setup(project: TestProject) {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=@practical-privacy/source', cli, 'serve'], {
    env: { ...process.env, PP_PORT: String(port), PP_HOST: '127.0.0.1', PP_DATABASE_URL: 'sqlite::memory:', PP_ADMIN_TOKEN: ADMIN, PP_ALLOWED_ORIGINS: '*', PP_LOG_LEVEL: 'warn', PP_MAX_EVENT_LOOP_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`collector did not become ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const published = await fetch(`${url}/v1/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(e2eCampaign) });
  if (!published.ok) throw new Error(`publishing the e2e campaign failed: ${published.status} ${await published.text()}`);
  project.provide('realCollectorUrl', url);
  return () => {
    child.kill('SIGTERM');
  };
}
