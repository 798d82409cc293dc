/**
 * The `pp-collector` commands run in process (src/cli/program.ts `run`, as the bin does, with a
 * captured environment and output): --help/--version of every command, each command's happy path
 * and a bad-input path (a typed error, an exit code ≠ 0, nothing changed). Process-level behaviour
 * (one process, signals, kill -9, the README's commands) is test/cli.slow.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, packageVersion, run } from '../src/cli/program.ts';
import { testConfig } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { ADMIN, DEMO_CAMPAIGN, batch, post, publish, report, TODAY } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshDb = () => `sqlite:${join(dir, `db-${files++}.sqlite`)}`;
const example = new URL('../examples/demo-campaign.json', import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Every command path of the program: ['serve'], ['campaign', 'publish'], …. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

describe('help and version', () => {
  const paths = commandPaths(buildProgram({ env: {}, stdout: () => undefined, stderr: () => undefined })).filter((p) => p.at(-1) !== 'help');

  it('lists the commands', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['serve', 'migrate', 'campaign', 'campaign publish', 'campaign list', 'export', 'backup']));
  });

  it('--help exits 0 for the program and every command, with bad configuration in the environment', async () => {
    const env = { PP_PORT: 'eighty', PP_DATABASE_URL: 'mysql://nope' };
    for (const args of [['--help'], ['-h'], ['help'], ...paths.map((p) => [...p, '--help']), ...paths.map((p) => ['help', ...p])]) {
      const result = await cli(args, env);
      expect(result, args.join(' ')).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: pp-collector') });
    }
  });

  it('--version and -V print the package version and exit 0', async () => {
    for (const flag of ['--version', '-V']) expect(await cli([flag], { PP_PORT: 'eighty' })).toMatchObject({ code: 0, stdout: `pp-collector ${packageVersion()}\n` });
  });

  it('usage errors exit 2 and say so', async () => {
    for (const args of [['frobnicate'], ['campaign'], ['campaign', 'publish'], ['export'], ['backup'], ['serve', '--no-such-flag'], ['export', '--campaign', 'demo', '--bucket', 'month']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/error|Usage/);
    }
  });

  it('every command that opens the store refuses a bad database URL with exit 78 and creates nothing', async () => {
    for (const args of [['migrate'], ['campaign', 'list'], ['campaign', 'publish', example], ['export', '--campaign', 'demo'], ['backup', join(dir, 'never.sqlite')]]) {
      for (const url of ['sqlite:', 'mysql://db/x', 'postgres://']) {
        expect(await cli([...args, '--database-url', url]), `${args.join(' ')} ${url}`).toMatchObject({ code: 78, stderr: expect.stringContaining('--database-url: must be sqlite:<path>') });
      }
    }
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });

  it('serve refuses a bad flag value with exit 78 before opening anything', async () => {
    const url = freshDb();
    expect(await cli(['serve', '--port', 'eighty', '--database-url', url])).toMatchObject({ code: 78, stderr: expect.stringContaining('--port: must be a non-negative integer') });
    expect(await cli(['serve', '--admin-token', 'short'], { PP_DATABASE_URL: url })).toMatchObject({ code: 78, stderr: expect.stringContaining('--admin-token: must be at least 16 characters') });
    expect(existsSync(url.slice('sqlite:'.length))).toBe(false);
  });

  it('a configuration error exits 78 (EX_CONFIG) naming the setting', async () => {
    expect(await cli(['migrate'], { PP_DATABASE_URL: 'mysql://x' })).toMatchObject({ code: 78, stderr: expect.stringContaining('CONFIG_INVALID: configuration error: PP_DATABASE_URL') });
    expect(await cli(['migrate', '--database-url', 'mysql://x'])).toMatchObject({ code: 78, stderr: expect.stringContaining('--database-url') });
  });
});

describe('migrate', () => {
  it('migrates the database named by --database-url (over the environment)', async () => {
    const url = freshDb();
    const path = url.slice('sqlite:'.length);
    expect(await cli(['migrate', '--database-url', url], { PP_DATABASE_URL: 'sqlite:/nonexistent-dir/x.db' })).toMatchObject({ code: 0, stdout: 'migrated sqlite database\n' });
    const repo = new SqliteRepository(path);
    expect(repo.db.prepare('SELECT version FROM pp_schema_version').get()).toMatchObject({ version: expect.any(Number) });
    await repo.close();
  });
});

describe('campaign publish and list', () => {
  it('publishes, re-publishes unchanged, refuses changed content, and lists', async () => {
    const env = { PP_DATABASE_URL: freshDb() };
    expect(await cli(['campaign', 'list'], env)).toMatchObject({ code: 0, stdout: 'no campaigns published\n' });
    expect(await cli(['campaign', 'publish', example], env)).toMatchObject({ code: 0, stdout: 'campaign demo version 1: created\n' });
    expect(await cli(['campaign', 'publish', example], env)).toMatchObject({ code: 0, stdout: 'campaign demo version 1: unchanged (already published with identical content)\n' });
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...(JSON.parse(readFileSync(example, 'utf8')) as object), title: 'edited' }));
    const refused = await cli(['campaign', 'publish', changed], env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('CAMPAIGN_IMMUTABLE: campaign demo version 1 is already published with different content') });
    expect(refused.stderr).toContain('publish the change as version 2');
    const keyed = join(dir, 'keyed.json');
    writeFileSync(keyed, JSON.stringify({ ...(JSON.parse(readFileSync(example, 'utf8')) as object), id: 'keyed' }));
    expect(await cli(['campaign', 'publish', keyed, '--ingest-key', 'pk_live_0123'], env)).toMatchObject({ code: 0 });

    // An envelope file with its own key; --ingest-key replaces it.
    const envelope = write('envelope.json', JSON.stringify({ campaign: { ...(JSON.parse(readFileSync(example, 'utf8')) as object), id: 'enveloped' }, ingestKey: 'pk_from_file_01' }));
    expect(await cli(['campaign', 'publish', envelope, '--ingest-key', 'pk_from_flag_01'], env)).toMatchObject({ code: 0, stdout: 'campaign enveloped version 1: created\n' });
    const repository = new SqliteRepository(env.PP_DATABASE_URL.slice('sqlite:'.length));
    expect((await repository.getCampaign('enveloped'))?.ingestKey).toBe('pk_from_flag_01');
    expect((await repository.getCampaign('keyed'))?.ingestKey).toBe('pk_live_0123');
    await repository.close();

    const table = await cli(['campaign', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+version\s+questions\s+reports\s+ingest key\s+published at\s+title$/);
    expect(table.stdout).toMatch(/^demo\s+1\s+4\s+0\s+no\s+\S+\s+Daily symptom check$/m);
    expect(table.stdout).toMatch(/^keyed\s+1\s+4\s+0\s+yes\s/m);
    const json = JSON.parse((await cli(['campaign', 'list', '--json'], env)).stdout) as Array<{ id: string; ingestKey: boolean }>;
    expect(json.map((c) => [c.id, c.ingestKey])).toEqual([
      ['demo', false],
      ['enveloped', true],
      ['keyed', true],
    ]);
    // The key itself is never printed (it is publishable, but a listing is no place to copy it from).
    expect(table.stdout + JSON.stringify(json)).not.toContain('pk_live_0123');
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), 'FILE_UNREADABLE'],
    ['a file that is not JSON', () => write('broken.json', '{"id": '), 'JSON_INVALID'],
    ['an invalid campaign', () => write('invalid.json', JSON.stringify({ id: 'x', version: 1, title: 't', questions: [] })), 'CAMPAIGN_INVALID'],
  ])('refuses %s with a typed error and publishes nothing', async (_label, file, code) => {
    const env = { PP_DATABASE_URL: freshDb() };
    const result = await cli(['campaign', 'publish', file()], env);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^${code}: `)) });
    expect((await cli(['campaign', 'list'], env)).stdout).toBe('no campaigns published\n');
  });

  it('refuses a bad --ingest-key before touching the database', async () => {
    const url = freshDb();
    expect(await cli(['campaign', 'publish', example, '--ingest-key', 'bad key!'], { PP_DATABASE_URL: url })).toMatchObject({ code: 1, stderr: expect.stringContaining('CAMPAIGN_INVALID: ingestKey') });
    expect(existsSync(url.slice('sqlite:'.length))).toBe(false);
  });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** A SQLite store with DEMO_CAMPAIGN and 30 fever + 30 pain reports today and yesterday each. */
async function storeWithReports(): Promise<string> {
  const url = freshDb();
  const app = await buildApp(testConfig({ databaseUrl: url, adminToken: ADMIN, rateLimitPerMinute: 1_000_000, maxEventLoopDelayMs: 0 }));
  expect(await publish(app, DEMO_CAMPAIGN)).toBe(201);
  for (const day of [TODAY, YESTERDAY]) {
    const reports = Array.from({ length: 30 }, (_, i) => [report('fever', i % 3 === 0 ? 1 : 0, { day }), report('pain', i % 4, { day })]).flat();
    expect((await post(app, batch(reports))).statusCode).toBe(202);
  }
  await app.close();
  return url;
}

describe('export', () => {
  it('exports every question of the campaign in one CSV, with one header, in each bucket', async () => {
    const env = { PP_DATABASE_URL: await storeWithReports() };
    for (const bucket of ['day', 'week', 'total'] as const) {
      const result = await cli(['export', '--campaign', 'demo', '--bucket', bucket], env);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('campaign,version,question,'))).toHaveLength(1);
      const questions = new Set(lines.slice(1).map((l) => l.split(',')[2]));
      expect([...questions]).toEqual(DEMO_CAMPAIGN.questions.map((q) => q.id).filter((id) => bucket === 'total' || id === 'fever' || id === 'pain'));
      // Each question's rows are exactly that question's single-question export.
      for (const question of ['fever', 'pain']) {
        const single = (await cli(['export', '--campaign', 'demo', '--question', question, '--bucket', bucket], env)).stdout.trimEnd().split('\n');
        expect(lines.filter((l) => l.split(',')[2] === question)).toEqual(single.slice(1));
      }
      const periods = new Set(lines.slice(1).filter((l) => l.split(',')[2] === 'fever').map((l) => l.split(',')[3]));
      if (bucket === 'day') expect([...periods].sort()).toEqual([YESTERDAY, TODAY].sort());
      if (bucket === 'total') expect(periods.size).toBe(1);
    }
  });

  it('exports one question in a RAPPOR format and refuses such a format without --question', async () => {
    const env = { PP_DATABASE_URL: await storeWithReports() };
    expect(await cli(['export', '--campaign', 'demo', '--question', 'symptom', '--format', 'rappor-params'], env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^k,h,m,p,q,f/) });
    expect(await cli(['export', '--campaign', 'demo', '--format', 'rappor-params'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('REQUEST_INVALID: --format rappor-params is per question') });
  });

  it.each([
    [['--campaign', 'nope'], 'CAMPAIGN_UNKNOWN'],
    [['--campaign', 'demo', '--question', 'nope'], 'QUESTION_UNKNOWN'],
    [['--campaign', 'demo', '--version', '0'], 'REQUEST_INVALID: --version'],
    [['--campaign', 'demo', '--version', '2147483648'], 'REQUEST_INVALID: --version'],
    [['--campaign', 'demo', '--from', '2026-13-45'], 'REQUEST_INVALID: --from'],
    [['--campaign', 'demo', '--to', '2026-02-30'], 'REQUEST_INVALID: --to'],
    [['--campaign', 'demo', '--from', '2026-02-02', '--to', '2026-02-01'], 'REQUEST_INVALID: --from must not be after --to'],
  ])('refuses %o with %s and exit code 1', async (args, message) => {
    const url = await storeWithReports();
    const before = readFileSync(url.slice('sqlite:'.length));
    const result = await cli(['export', ...args], { PP_DATABASE_URL: url });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(message) });
    expect(readFileSync(url.slice('sqlite:'.length)).equals(before)).toBe(true);
  });
});

describe('backup', () => {
  it('backs up a SQLite store into a new file and refuses to overwrite one', async () => {
    const url = await storeWithReports();
    const target = join(dir, 'backup-1.sqlite');
    expect(await cli(['backup', target], { PP_DATABASE_URL: url })).toMatchObject({ code: 0, stdout: expect.stringContaining(`to ${target}`) });
    expect(readdirSync(dir).filter((f) => f.startsWith('backup-1.sqlite'))).toEqual(['backup-1.sqlite']);
    const copy = readFileSync(target);
    expect(await cli(['backup', target], { PP_DATABASE_URL: url })).toMatchObject({ code: 1, stderr: expect.stringContaining('BACKUP_EXISTS') });
    expect(readFileSync(target).equals(copy)).toBe(true);
  });

  it('refuses a missing database without creating it, and PostgreSQL pointing to pg_dump', async () => {
    const missing = join(dir, 'no-such.sqlite');
    const target = join(dir, 'backup-2.sqlite');
    expect(await cli(['backup', target], { PP_DATABASE_URL: `sqlite:${missing}` })).toMatchObject({ code: 1, stderr: expect.stringContaining('DATABASE_MISSING') });
    expect(existsSync(missing) || existsSync(target)).toBe(false);
    const pg = await cli(['backup', target], { PP_DATABASE_URL: 'postgres://collector:hunter2-password@db.internal:5432/ldp' });
    expect(pg).toMatchObject({ code: 1, stderr: expect.stringContaining('BACKUP_NOT_SUPPORTED') });
    expect(pg.stderr).toContain('pg_dump --format=custom');
    expect(pg.stderr).not.toContain('hunter2-password');
    expect(existsSync(target)).toBe(false);
  });
});
