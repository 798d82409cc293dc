/**
 * The admin commands of `pp-collector` in process: `plan` (the planner without publishing and
 * without a database), `campaign publish` through the audited operation (its plan envelope too),
 * `campaign close`, `purge` and `tokens` — the same operations, checks and audit rows as the
 * admin API; each with a bad-input path that exits non-zero and changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCampaign } from '@practical-privacy/core';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/program.ts';
import { formatPlanTable } from '../src/plan.ts';
import { openRepository } from '../src/storage/open.ts';
import { DEMO_CAMPAIGN } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-cli-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshDb = () => `sqlite:${join(dir, `db-${files++}.sqlite`)}`;
const campaignFile = join(dir, 'campaign.json');
writeFileSync(campaignFile, JSON.stringify(DEMO_CAMPAIGN));

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function auditActions(databaseUrl: string): Promise<string[]> {
  const repository = openRepository(databaseUrl);
  try {
    await repository.migrate();
    return (await repository.readAudit({ limit: 100 })).map((e) => e.action).reverse();
  } finally {
    await repository.close();
  }
}

describe('pp-collector plan', () => {
  it('prints the planner\'s table for N patients, with targets, and the same plan as JSON', async () => {
    const result = await cli(['plan', campaignFile, '--patients', '300', '--target', 'fever=0.04']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${formatPlanTable(planCampaign(DEMO_CAMPAIGN, { patients: 300, targets: { fever: 0.04 } }))}\n`);
    expect(result.stdout).toContain('warning: "fever"');
    const json = await cli(['plan', campaignFile, '--patients', '300', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(planCampaign(DEMO_CAMPAIGN, { patients: 300 }))));
  });

  it('refuses bad input: no or a bad --patients (usage, 2), an unknown question target or a missing file (1)', async () => {
    expect((await cli(['plan', campaignFile])).code).toBe(2);
    expect((await cli(['plan', campaignFile, '--patients', '0'])).code).toBe(2);
    expect((await cli(['plan', campaignFile, '--patients', '10', '--target', 'fever'])).code).toBe(2);
    const unknown = await cli(['plan', campaignFile, '--patients', '10', '--target', 'nope=0.1']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('PARAMETER_INVALID') });
    expect((await cli(['plan', join(dir, 'missing.json'), '--patients', '10'])).stderr).toContain('FILE_UNREADABLE');
  });
});

describe('campaign publish, close, purge and tokens', () => {
  it('publish is audited; close refuses ingest; purge needs a closed campaign and the confirmation', async () => {
    const db = freshDb();
    expect(await cli(['campaign', 'publish', campaignFile, '--database-url', db])).toMatchObject({ code: 0, stdout: 'campaign demo version 1: created\n' });
    // purge of an open campaign is refused and changes nothing.
    expect((await cli(['purge', 'demo', '--confirm', 'demo', '--database-url', db])).stderr).toContain('CAMPAIGN_OPEN');
    expect((await cli(['purge', 'demo', '--database-url', db])).code).toBe(2);
    const closed = await cli(['campaign', 'close', 'demo', '--database-url', db]);
    expect(closed.code).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ id: 'demo', status: 'closed' });
    expect((await cli(['purge', 'demo', '--confirm', 'other', '--database-url', db])).stderr).toContain('CONFIRMATION_REQUIRED');
    const purged = await cli(['purge', 'demo', '--confirm', 'demo', '--database-url', db]);
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ id: 'demo' });
    expect(await auditActions(db)).toEqual(['campaign.publish', 'campaign.close', 'campaign.purge']);
  });

  it('publish with a strict plan envelope refuses and stores nothing', async () => {
    const db = freshDb();
    const strict = join(dir, 'strict.json');
    writeFileSync(strict, JSON.stringify({ campaign: DEMO_CAMPAIGN, plan: { patients: 3, strict: true } }));
    const result = await cli(['campaign', 'publish', strict, '--database-url', db]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('PLAN_INSUFFICIENT') });
    expect(await auditActions(db)).toEqual([]);
  });

  it('tokens create (printed once), list (never the token) and revoke, audited', async () => {
    const db = freshDb();
    const created = await cli(['tokens', 'create', '--label', 'dashboard', '--role', 'read', '--campaign', 'demo', '--database-url', db]);
    expect(created.code).toBe(0);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    expect(token.length).toBeGreaterThan(30);
    const listed = await cli(['tokens', 'list', '--database-url', db]);
    expect(listed.stdout).not.toContain(token);
    expect(JSON.parse(listed.stdout).tokens).toEqual([expect.objectContaining({ label: 'dashboard', role: 'read', campaigns: ['demo'], status: 'active' })]);
    expect((await cli(['tokens', 'create', '--label', 'dashboard', '--role', 'read', '--database-url', db])).code).toBe(1);
    expect((await cli(['tokens', 'create', '--label', 'x', '--role', 'root', '--database-url', db])).code).toBe(1);
    expect(JSON.parse((await cli(['tokens', 'revoke', 'dashboard', '--database-url', db])).stdout)).toMatchObject({ label: 'dashboard', status: 'revoked' });
    expect(await auditActions(db)).toEqual(['token.create', 'token.revoke']);
  });
});
