/**
 * No leak of a small level (issue 14 §2): a (day, level) part below the minimum batch is left out
 * of that day and of every week and total, and not mentioned — its count would be the group. The
 * attacker here sees every figure the read API releases for a question with levels — day, week and
 * total cells for every range (`from`/`to`, including none), both estimands, both weightings where
 * served, and the CSV export — and tries to recover the small parts' counts and estimates by
 * comparing them with a collector that never received those parts (the strongest differencing
 * attack: any figure that depends on a small part differs). Every body must be identical. A part
 * at the minimum batch does count (so the comparison is not vacuous).
 */
import { createQuestionRandomizer, RandomSampler, seededRandomSource, validateCampaign, type Question, newReportId } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, READ, makeApp } from './helpers.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CAMPAIGN = {
  id: 'level-leak',
  version: 1,
  title: 'Level leak',
  questions: [
    { id: 'chosen', prompt: 'Low mood?', tier: 'high', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 1, 0.5], minBatch: 20 },
    { id: 'drawn', prompt: 'Fever?', tier: 'high', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: { assignment: 'random', weights: [1, 1] }, minBatch: 20 },
  ],
};
const QUESTIONS = new Map(validateCampaign(CAMPAIGN).questions.map((q) => [q.id, q as Question]));

/** [day, level, reports, prevalence, small]: `small` parts (below minBatch 20) are what the attacker is after. 06-15 and 06-22 are Mondays. */
const PLAN: ReadonlyArray<readonly [string, number, number, number, boolean]> = [
  ['2026-06-15', 2, 60, 0.1, false],
  ['2026-06-15', 0.5, 7, 0.9, true],
  ['2026-06-16', 2, 15, 0.1, false], // 15 + 6 ≥ 20 reports, but each part is below the batch
  ['2026-06-16', 0.5, 6, 0.9, true],
  ['2026-06-17', 2, 45, 0.2, false],
  ['2026-06-17', 0.5, 20, 0.6, false], // at the minimum batch: counted
  ['2026-06-17', 1, 19, 0.8, true],
  ['2026-06-22', 2, 30, 0.1, false],
  ['2026-06-23', 0.5, 25, 0.5, false],
  ['2026-06-23', 2, 1, 1, true],
];
const DAYS = [undefined, '2026-06-14', '2026-06-15', '2026-06-16', '2026-06-17', '2026-06-21', '2026-06-22', '2026-06-23'];

/** The same seeded reports for both collectors; `withSmall` false leaves the small parts out. */
async function collector(withSmall: boolean): Promise<CollectorApp> {
  const app = await makeApp({ maxBatchReports: 1000 }, { now: () => NOW });
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
  expect(published.statusCode, published.body).toBe(201);
  for (const [questionId, question] of QUESTIONS) {
    const rng = new RandomSampler(seededRandomSource(`level leak ${questionId}`));
    const reports = PLAN.flatMap(([day, level, count, share, small]) => {
      if (questionId === 'drawn' && level === 1) return [];
      const randomizer = createQuestionRandomizer(question, { level }) as unknown as { randomize(x: number, r: RandomSampler): unknown; encodeReport(x: unknown): { payload: unknown } };
      const list = Array.from({ length: count }, () => ({ id: newReportId(rng), questionId, day, ...randomizer.encodeReport(randomizer.randomize(rng.uint32() < share * 2 ** 32 ? 1 : 0, rng)), ext: { level } }));
      return small && !withSmall ? [] : list;
    });
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: { protocol: 2, campaignId: CAMPAIGN.id, campaignVersion: 1, reports } });
    expect(response.statusCode, response.body).toBe(202);
  }
  return app;
}

let all: CollectorApp;
let without: CollectorApp;
beforeAll(async () => {
  [all, without] = [await collector(true), await collector(false)];
});
afterAll(async () => {
  await all.close();
  await without.close();
});

async function body(app: CollectorApp, path: string, query: string): Promise<string> {
  const response = await app.inject({ url: `/v1/campaigns/${CAMPAIGN.id}/${path}?${query}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, `${path}?${query}: ${response.body}`).toBe(200);
  return response.body;
}

describe('no leak of a small level', () => {
  it('every released figure — every range, bucket, estimand, weighting and the CSV — is what it would be had the small level parts never been sent', async () => {
    let compared = 0;
    for (const question of QUESTIONS.keys()) {
      const weightings = question === 'drawn' ? ['', '&weighting=inverse-variance'] : [''];
      for (const bucket of ['day', 'week', 'total']) {
        for (const from of DAYS) {
          for (const to of DAYS) {
            if (from !== undefined && to !== undefined && from > to) continue;
            const range = `${from === undefined ? '' : `&from=${from}`}${to === undefined ? '' : `&to=${to}`}`;
            for (const estimand of ['', '&estimand=respondents']) {
              for (const weighting of weightings) {
                const query = `question=${question}&bucket=${bucket}${range}${estimand}${weighting}`;
                expect(await body(all, 'estimates', query), query).toBe(await body(without, 'estimates', query));
                compared++;
              }
              const csv = `question=${question}&bucket=${bucket}${range}${estimand}&format=csv`;
              expect(await body(all, 'export', csv), csv).toBe(await body(without, 'export', csv));
              compared++;
            }
          }
        }
      }
    }
    // 43 ranges (from ≤ to, each optional) × 3 buckets × 2 estimands × (1 + CSV) for chosen, (2 + CSV) for drawn.
    expect(compared).toBe(43 * 3 * 2 * (2 + 3));
  });

  it('a part at the minimum batch counts (the comparison can see a level part when it is released)', async () => {
    const cells = JSON.parse(await body(all, 'estimates', 'question=chosen&bucket=day')).cells as Array<{ period: string; n: number; suppressed: boolean }>;
    // 06-15: 60 (7 withheld); 06-16: both its parts (15 and 6) are below the batch, so nothing is left; 06-17: 45 + 20 (19 withheld); 06-22: 30; 06-23: 25 (1 withheld).
    expect(cells.map((c) => [c.period, c.n, c.suppressed])).toEqual([
      ['2026-06-15', 60, false],
      ['2026-06-16', 0, true],
      ['2026-06-17', 65, false],
      ['2026-06-22', 30, false],
      ['2026-06-23', 25, false],
    ]);
  });
});
