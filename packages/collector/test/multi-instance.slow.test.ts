/**
 * Two collector processes on one PostgreSQL, written to concurrently with overlapping batches
 * (every report goes to both, as a client retrying through a load balancer would): the final
 * aggregates equal exactly what was sent, each report counted once.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { ADMIN_TOKEN, kill, startCollector } from './process-helpers.ts';

const CAMPAIGN = {
  id: 'multi',
  version: 1,
  title: 'Two instances',
  questions: [
    { id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'low', mechanism: 'grr', domain: { categories: ['a', 'b', 'c'].map((code) => ({ code, label: code })) }, epsilon: 1, minBatch: 1 },
    { id: 'fever', type: 'boolean', prompt: 'Fever?', tier: 'low', epsilon: 1, minBatch: 1 },
  ],
};

describe.skipIf(!HAVE_POSTGRES)('two collectors on one PostgreSQL', () => {
  it('final aggregates equal exactly what was sent', async () => {
    const schema = uniqueSchema('multi');
    const url = `${POSTGRES_URL}?schema=${schema}`;
    const [a, b] = await Promise.all([startCollector(url), startCollector(url)]);
    try {
      const published = await fetch(`${a.url}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(CAMPAIGN) });
      expect(published.status).toBe(201);
      const day = new Date().toISOString().slice(0, 10);
      const expected = { pain: [0, 0, 0, 0], fever: [0, 0, 0] };
      const batches = Array.from({ length: 120 }, () =>
        Array.from({ length: 20 }, () => {
          const question = randomBytes(1)[0]! % 2 === 0 ? 'pain' : 'fever';
          const payload = randomBytes(1)[0]! % (question === 'pain' ? 3 : 2);
          const sums = expected[question];
          sums[0]! += 1;
          sums[1 + payload]! += 1;
          return { id: randomBytes(16).toString('hex'), questionId: question, day, payload };
        }),
      );
      let accepted = 0;
      let duplicates = 0;
      // Each batch goes to both instances at once, in opposite orders, 6 at a time.
      for (let i = 0; i < batches.length; i += 6) {
        const slice = batches.slice(i, i + 6);
        const responses = await Promise.all(
          slice.flatMap((reports, j) => [
            fetch(`${a.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId: 'multi', campaignVersion: 1, reports }) }),
            fetch(`${b.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId: 'multi', campaignVersion: 1, reports: j % 2 === 0 ? [...reports].reverse() : reports }) }),
          ]),
        );
        for (const response of responses) {
          expect(response.status).toBe(202);
          const body = (await response.json()) as { accepted: number; duplicates: number };
          accepted += body.accepted;
          duplicates += body.duplicates;
        }
      }
      expect(accepted).toBe(120 * 20);
      expect(duplicates).toBe(120 * 20);
      const repository = new PostgresRepository({ connectionString: POSTGRES_URL, schema });
      try {
        for (const question of ['pain', 'fever'] as const) {
          const actual = expected[question].map(() => 0);
          for (const c of await repository.readSums({ campaignId: 'multi', version: 1, questionId: question })) actual[c.index]! += c.sum;
          expect(actual).toEqual(expected[question]);
        }
      } finally {
        await repository.dropSchema();
        await repository.close();
      }
    } finally {
      await Promise.all([kill(a.child, 'SIGTERM'), kill(b.child, 'SIGTERM')]);
    }
  });
});

