/**
 * Crash durability: batches stream into a real collector process, which is SIGKILLed mid-stream;
 * after a restart every acknowledged report is present exactly once, nothing unsent appears, and
 * the aggregates equal what the stored reports contribute (no lost or doubled sums). Repeated
 * rounds on one database, for SQLite and PostgreSQL. Clients then retry everything — the retries
 * of acknowledged reports are all duplicates.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../src/storage/open.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { ADMIN_TOKEN, kill, startCollector, streamUntilKilled } from './process-helpers.ts';

const CAMPAIGN = { id: 'crash', version: 1, title: 'Crash test', questions: [{ id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'low', mechanism: 'grr', domain: { categories: ['a', 'b', 'c', 'd'].map((code) => ({ code, label: code })) }, epsilon: 2, minBatch: 1 }] };
const ROUNDS = 3;
const BATCH = 25;
const IN_FLIGHT = 4;
const today = () => new Date().toISOString().slice(0, 10);

interface Sent {
  id: string;
  payload: number;
}

function makeBatch(): Sent[] {
  return Array.from({ length: BATCH }, () => ({ id: randomBytes(16).toString('hex'), payload: randomBytes(1)[0]! % 4 }));
}

async function send(url: string, reports: Sent[]): Promise<Response> {
  return fetch(`${url}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaignId: 'crash', campaignVersion: 1, reports: reports.map((r) => ({ id: r.id, questionId: 'pain', day: today(), payload: r.payload })) }),
  });
}

async function crashRounds(databaseUrl: string): Promise<void> {
  const publisher = await startCollector(databaseUrl);
  const published = await fetch(`${publisher.url}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(CAMPAIGN) });
  expect(published.status).toBe(201);
  await kill(publisher.child, 'SIGTERM');

  const allAcked: Sent[] = [];
  const allAttempted = new Map<string, Sent>();
  for (let round = 0; round < ROUNDS; round++) {
    const collector = await startCollector(databaseUrl);
    // Kill at varying points of the stream.
    const { acked, attempted } = await streamUntilKilled({ send: (reports) => send(collector.url, reports), makeBatch, kill: () => collector.child.kill('SIGKILL'), killAfterMs: 400 + round * 350, senders: IN_FLIGHT });
    expect(acked.length).toBeGreaterThan(0);
    allAcked.push(...acked);
    for (const r of attempted) allAttempted.set(r.id, r);

    const repository = openRepository(databaseUrl);
    try {
      const stored = new Set(await repository.listReportIds('crash', 1));
      for (const r of allAcked) expect(stored.has(r.id)).toBe(true);
      for (const id of stored) expect(allAttempted.has(id)).toBe(true);
      // Aggregates equal exactly the contributions of the stored reports.
      const expected = [stored.size, 0, 0, 0, 0];
      for (const id of stored) expected[1 + allAttempted.get(id)!.payload]! += 1;
      const cells = await repository.readSums({ campaignId: 'crash', version: 1, questionId: 'pain' });
      const actual = [0, 0, 0, 0, 0];
      for (const c of cells) actual[c.index]! += c.sum;
      expect(actual).toEqual(expected);
    } finally {
      await repository.close();
    }
  }

  // Clients retry everything they ever sent (acked or not): acked ones are duplicates, nothing is counted twice.
  const collector = await startCollector(databaseUrl);
  const ackedIds = new Set(allAcked.map((r) => r.id));
  const everything = [...allAttempted.values()];
  let duplicates = 0;
  let accepted = 0;
  for (let i = 0; i < everything.length; i += 500) {
    const response = await send(collector.url, everything.slice(i, i + 500));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: number; duplicates: number };
    duplicates += body.duplicates;
    accepted += body.accepted;
  }
  expect(duplicates).toBeGreaterThanOrEqual(ackedIds.size);
  expect(accepted + duplicates).toBe(everything.length);
  const exit = await kill(collector.child, 'SIGTERM');
  expect(exit.code).toBe(0);

  const repository = openRepository(databaseUrl);
  try {
    expect(await repository.countReports('crash', 1)).toBe(everything.length);
    const cells = await repository.readSums({ campaignId: 'crash', version: 1, questionId: 'pain' });
    expect(cells.filter((c) => c.index === 0).reduce((s, c) => s + c.sum, 0)).toBe(everything.length);
  } finally {
    await repository.close();
  }
  console.log(`crash rounds (${databaseUrl.split(':')[0]}): ${allAcked.length} acknowledged across ${ROUNDS} SIGKILLs, ${everything.length} attempted; all acknowledged present once`);
}

describe('crash durability (SIGKILL mid-stream)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: every acknowledged report survives exactly once', async () => {
    await crashRounds(`sqlite:${join(dir, 'collector.db')}`);
  });

  it.skipIf(!HAVE_POSTGRES)('PostgreSQL: every acknowledged report survives exactly once', async () => {
    const schema = uniqueSchema('crash');
    try {
      await crashRounds(`${POSTGRES_URL}?schema=${schema}`);
    } finally {
      const repo = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
      await repo.dropSchema();
      await repo.close();
    }
  });

  it('SIGTERM: in-flight batches are answered, the process exits 0, and every 202 is stored', async () => {
    const databaseUrl = `sqlite:${join(dir, 'drain.db')}`;
    const collector = await startCollector(databaseUrl);
    await fetch(`${collector.url}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(CAMPAIGN) });
    const batches = Array.from({ length: 20 }, makeBatch);
    const responses = batches.map((reports) => send(collector.url, reports).then((r) => r.status, () => 0));
    await new Promise((r) => setTimeout(r, 20));
    const exit = kill(collector.child, 'SIGTERM');
    const statuses = await Promise.all(responses);
    expect((await exit).code).toBe(0);
    // Each request either completed (202) or never got in (connection refused/reset = 0, or 503 while closing); none half-done.
    for (const status of statuses) expect([0, 202, 503]).toContain(status);
    const repository = openRepository(databaseUrl);
    const stored = new Set(await repository.listReportIds('crash', 1));
    await repository.close();
    batches.forEach((reports, i) => {
      if (statuses[i] === 202) for (const r of reports) expect(stored.has(r.id)).toBe(true);
    });
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
  });

});
