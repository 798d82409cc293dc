/**
 * Privacy levels through the collector (issue 14 §2): reports carry their level in the v2
 * envelope (`ext.level`), the collector checks it against the question, keeps sums per level and
 * releases one combined estimate (core's estimateQuestionLevels, report-count weights). A
 * (day, level) part below the minimum batch is left out, so no released figure depends on it
 * (the attacker below compares every released number with and without a small level and must
 * find no difference). Coverage: fresh patients whose level depends on their answer, 60 day
 * cells through the HTTP API; the 95% intervals cover the population share.
 */
import { createQuestionRandomizer, estimateQuestionLevels, RandomSampler, seededRandomSource, validateCampaign, type MixedFrequencyEstimate, type Question } from '@practical-privacy/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, READ, TODAY, makeApp, post, reportId } from './helpers.ts';

const CAMPAIGN = {
  id: 'levels',
  version: 1,
  title: 'Levels',
  questions: [
    { id: 'mood', prompt: 'Low mood?', tier: 'high', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], minBatch: 50 },
    { id: 'plain', prompt: 'Fever?', tier: 'high', type: 'boolean', epsilon: 1, epsilonPermanent: 2, minBatch: 5 },
  ],
};
const question = validateCampaign(CAMPAIGN).questions[0] as Question;

function reports(rng: RandomSampler, level: number, count: number, share: number, day = TODAY, questionId = 'mood') {
  const q = questionId === 'mood' ? question : (validateCampaign(CAMPAIGN).questions[1] as Question);
  const randomizer = createQuestionRandomizer(q, { level }) as unknown as { randomize(x: number, r: RandomSampler): number };
  return Array.from({ length: count }, () => ({ id: reportId(), questionId, day, payload: randomizer.randomize(rng.uint32() < share * 2 ** 32 ? 1 : 0, rng), ext: { level } }));
}

async function send(app: CollectorApp, list: unknown[]) {
  for (let i = 0; i < list.length; i += 500) {
    const response = await post(app, { protocol: 2, campaignId: 'levels', campaignVersion: 1, reports: list.slice(i, i + 500) });
    expect(response.statusCode, response.body).toBe(202);
  }
}

async function release(app: CollectorApp, query = '') {
  const response = await app.inject({ url: `/v1/campaigns/levels/estimates?question=mood&bucket=day${query}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { cells: { period: string; n: number; suppressed: boolean; values?: { unbiased: number; standardError: number; ci95: [number, number] }[] }[] };
}

describe('privacy levels at the collector', () => {
  let app: CollectorApp;
  beforeEach(async () => {
    app = await makeApp();
    const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
    expect(published.statusCode).toBe(201);
  });
  afterEach(async () => {
    await app.close();
  });

  it('combines the levels by report counts: the release equals core\'s estimate of the same per-level sums', async () => {
    const rng = new RandomSampler(seededRandomSource('levels combine'));
    const strict = reports(rng, 0.5, 300, 0.4);
    const loose = reports(rng, 2, 700, 0.1);
    await send(app, [...strict, ...loose]);
    const cell = (await release(app)).cells[0]!;
    expect(cell.n).toBe(1000);
    const count = (list: { payload: number }[]) => [list.length, list.filter((r) => r.payload === 0).length, list.filter((r) => r.payload === 1).length];
    const expected = estimateQuestionLevels(question, [
      { level: 2, sums: count(loose) },
      { level: 0.5, sums: count(strict) },
    ]) as MixedFrequencyEstimate;
    expect(cell.values![1]!.unbiased).toBeCloseTo(expected.values[1]!, 12);
    expect(cell.values![1]!.standardError).toBeCloseTo(expected.standardErrors[1]!, 12);
  });

  it('refuses a level the question does not allow, and any level other than ε₁ on a question without levels', async () => {
    const rng = new RandomSampler(seededRandomSource('levels refuse'));
    for (const [body, path] of [
      [{ protocol: 2, campaignId: 'levels', campaignVersion: 1, reports: reports(rng, 2, 1, 0.5).map((r) => ({ ...r, ext: { level: 1 } })) }, 'reports.0.ext.level'],
      [{ protocol: 2, campaignId: 'levels', campaignVersion: 1, reports: reports(rng, 1, 1, 0.5, TODAY, 'plain').map((r) => ({ ...r, ext: { level: 0.5 } })) }, 'reports.0.ext.level'],
    ] as const) {
      const response = await post(app, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'PAYLOAD_INVALID', path });
    }
    // The question's own ε₁ (or no ext) is fine.
    await send(app, reports(rng, 1, 5, 0.5, TODAY, 'plain'));
    expect((await release(app)).cells).toEqual([]);
  });

  it('a small (day, level) part changes no released figure: the attacker comparing releases with and without it learns nothing', async () => {
    const rng = new RandomSampler(seededRandomSource('levels small part'));
    const loose = reports(rng, 2, 400, 0.2);
    await send(app, loose);
    const before = JSON.stringify([await release(app), await release(app, '&estimand=respondents')]);
    const week = async () => JSON.stringify((await app.inject({ url: '/v1/campaigns/levels/estimates?question=mood&bucket=total', headers: { authorization: `Bearer ${READ}` } })).json());
    const totalBefore = await week();
    await send(app, reports(rng, 0.5, 49, 0.9)); // below minBatch 50
    expect(JSON.stringify([await release(app), await release(app, '&estimand=respondents')])).toBe(before);
    expect(await week()).toBe(totalBefore);
    // At the minimum batch it counts.
    await send(app, reports(rng, 0.5, 1, 0.9));
    expect((await release(app)).cells[0]!.n).toBe(450);
  });
});

describe('coverage with answer-dependent levels, through the HTTP API', () => {
  it('60 day cells of fresh patients (30% choose ε₁ = 0.5 with prevalence 40%, 70% stay at 2 with 10%): the 95% intervals cover the population share', async () => {
    const app = await makeApp({ reportWindowDays: 90 });
    try {
      await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
      const rng = new RandomSampler(seededRandomSource('levels coverage'));
      const truth = 0.3 * 0.4 + 0.7 * 0.1;
      const days = Array.from({ length: 60 }, (_, i) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10));
      for (const day of days) {
        const list = [];
        for (let i = 0; i < 400; i++) {
          const strict = rng.uint32() < 0.3 * 2 ** 32;
          list.push(...reports(rng, strict ? 0.5 : 2, 1, strict ? 0.4 : 0.1, day));
        }
        await send(app, list);
      }
      const cells = (await release(app, '&from=' + days.at(-1))).cells;
      expect(cells).toHaveLength(60);
      const covered = cells.filter((c) => c.values![1]!.ci95[0] <= truth && truth <= c.values![1]!.ci95[1]).length;
      expect(covered).toBeGreaterThanOrEqual(53);
    } finally {
      await app.close();
    }
  });
});
