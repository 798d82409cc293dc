/**
 * `pp-collector backup` of a running store: while the app keeps ingesting on its own connection,
 * the backup (a second connection, as the CLI opens it) copies a consistent state; opened as a
 * fresh store it gives the same estimates as the source had at that state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildApp, type CollectorApp } from '../src/app.ts';
import { run } from '../src/cli/program.ts';
import { testConfig } from '../src/config.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, batch, post, publish, report } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (path: string) => testConfig({ databaseUrl: `sqlite:${path}`, adminToken: ADMIN, readToken: READ, rateLimitPerMinute: 1_000_000, maxEventLoopDelayMs: 0 });
const QUESTIONS = ['fever', 'pain'] as const;
const backup = (source: string, target: string) => run(['backup', target], { env: { PP_DATABASE_URL: `sqlite:${source}` }, stdout: () => undefined, stderr: (t) => process.stderr.write(t) });

async function estimates(app: CollectorApp): Promise<unknown[]> {
  const out = [];
  for (const question of QUESTIONS) {
    for (const bucket of ['day', 'total']) {
      const response = await app.inject({ url: `/v1/campaigns/demo/estimates?question=${question}&bucket=${bucket}`, headers: { authorization: `Bearer ${READ}` } });
      expect(response.statusCode, response.body).toBe(200);
      out.push(response.json());
    }
  }
  return out;
}

it('backs up a store while it ingests: the copy holds whole batches, estimates like a store fed exactly those, and a quiescent backup like the source', async () => {
  const source = join(dir, 'live.sqlite');
  const app = await buildApp(config(source));
  expect(await publish(app, DEMO_CAMPAIGN)).toBe(201);
  const acked: Array<Array<Record<string, unknown>>> = [];
  const send = async () => {
    const n = acked.length;
    const reports = QUESTIONS.flatMap((q) => Array.from({ length: 10 }, (_, i) => report(q, q === 'fever' ? (n + i) % 2 : (n * 3 + i) % 4)));
    const response = await post(app, batch(reports));
    expect(response.statusCode, response.body).toBe(202);
    acked.push(reports);
  };
  for (let i = 0; i < 20; i++) await send();

  // Ingest keeps going on the app's connection while the CLI's backup (its own connection) copies pages.
  let stop = false;
  const writer = (async () => {
    while (!stop) await send();
  })();
  const target = join(dir, 'backup.sqlite');
  const code = await backup(source, target);
  stop = true;
  await writer;
  expect(code).toBe(0);

  // Consistent: the copy holds whole acknowledged batches, and its cells are exactly their sums.
  const copy = await buildApp(config(target));
  const ids = new Set(await copy.collector.repository.listReportIds('demo', 1));
  const included = acked.filter((b) => ids.has(b[0]!.id as string));
  for (const b of acked) expect(b.every((r) => ids.has(r.id as string))).toBe(ids.has(b[0]!.id as string));
  expect(ids.size).toBe(included.length * 20);
  expect(included.length).toBeGreaterThanOrEqual(20);
  const replay = await buildApp(testConfig({ readToken: READ, adminToken: ADMIN, maxEventLoopDelayMs: 0, rateLimitPerMinute: 1_000_000 }));
  expect(await publish(replay, DEMO_CAMPAIGN)).toBe(201);
  for (const b of included) expect((await post(replay, batch(b))).statusCode).toBe(202);
  expect(await estimates(copy)).toEqual(await estimates(replay));
  await replay.close();
  await copy.close();
  await app.close();

  // Quiescent: a backup restored as a fresh store estimates exactly as the source.
  const second = join(dir, 'backup-2.sqlite');
  expect(await backup(source, second)).toBe(0);
  const a = await buildApp(config(source));
  const b = await buildApp(config(second));
  const fromSource = await estimates(a);
  expect((fromSource[1] as { cells: Array<{ n: number }> }).cells[0]!.n).toBe(acked.length * 10);
  expect(await estimates(b)).toEqual(fromSource);
  await a.close();
  await b.close();
});
