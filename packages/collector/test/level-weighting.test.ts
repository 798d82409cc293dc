/**
 * `?weighting=` on the estimates (issue 14 §2, src/level-weighting.ts): report-count weights by
 * default; inverse-variance weights only for a question whose campaign assigns its levels at
 * random, refused with 400 WEIGHTING_UNAVAILABLE otherwise (levels the patient may choose, a
 * question without levels, a mean, the CSV export); a bad value is 400 REQUEST_INVALID; the release
 * says which weighting it used, and the inverse-variance release is core's estimate of the same
 * per-level sums.
 */
import { createQuestionRandomizer, estimateQuestionLevels, RandomSampler, seededRandomSource, validateCampaign, type MixedFrequencyEstimate, type Question } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, READ, TODAY, makeApp, post, reportId } from './helpers.ts';

const CAMPAIGN = {
  id: 'weights',
  version: 1,
  title: 'Weights',
  questions: [
    { id: 'drawn', prompt: 'Low mood?', tier: 'high', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: { assignment: 'random', weights: [7, 3] }, minBatch: 20 },
    { id: 'chosen', prompt: 'Fever?', tier: 'high', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], minBatch: 20 },
    { id: 'plain', prompt: 'Cough?', tier: 'high', type: 'boolean', epsilon: 1, minBatch: 20 },
    { id: 'sleep', prompt: 'Hours slept?', tier: 'low', type: 'numeric', epsilon: 1.5, epsilonPermanent: 3, levels: [1.5, 0.5], levelPolicy: { assignment: 'random', weights: [1, 1] }, domain: { low: 0, high: 12 }, minBatch: 20 },
  ],
};
const questions = new Map(validateCampaign(CAMPAIGN).questions.map((q) => [q.id, q as Question]));

/** `count` L-GRR reports of `questionId` at `level`, prevalence `share`. */
function reports(rng: RandomSampler, questionId: string, level: number, count: number, share: number) {
  const randomizer = createQuestionRandomizer(questions.get(questionId)!, { level }) as unknown as { randomize(x: number, r: RandomSampler): number };
  return Array.from({ length: count }, () => ({ id: reportId(), questionId, day: TODAY, payload: randomizer.randomize(rng.uint32() < share * 2 ** 32 ? 1 : 0, rng), ext: { level } }));
}

let app: CollectorApp;
const sent: Record<string, ReturnType<typeof reports>> = {};

beforeAll(async () => {
  app = await makeApp();
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
  expect(published.statusCode, published.body).toBe(201);
  const rng = new RandomSampler(seededRandomSource('level weighting'));
  sent.strict = reports(rng, 'drawn', 0.5, 300, 0.2);
  sent.loose = reports(rng, 'drawn', 2, 700, 0.2);
  for (const list of [sent.strict, sent.loose, reports(rng, 'chosen', 2, 100, 0.3)]) {
    const response = await post(app, { protocol: 2, campaignId: 'weights', campaignVersion: 1, reports: list });
    expect(response.statusCode, response.body).toBe(202);
  }
});
afterAll(async () => {
  await app.close();
});

const read = (query: string, path = 'estimates') => app.inject({ url: `/v1/campaigns/weights/${path}?${query}`, headers: { authorization: `Bearer ${READ}` } });

describe('?weighting= on the estimates', () => {
  it('inverse-variance for levels assigned at random: core\'s estimate of the same per-level sums, and the release says so', async () => {
    const count = (list: { payload: number }[]) => [list.length, list.filter((r) => r.payload === 0).length, list.filter((r) => r.payload === 1).length];
    const parts = [
      { level: 2, sums: count(sent.loose!) },
      { level: 0.5, sums: count(sent.strict!) },
    ];
    for (const weighting of ['reports', 'inverse-variance'] as const) {
      const response = await read(`question=drawn&bucket=day${weighting === 'reports' ? '' : '&weighting=inverse-variance'}`);
      expect(response.statusCode, response.body).toBe(200);
      const release = response.json();
      expect(release.weighting).toMatchObject({ name: weighting, assignment: 'random' });
      const expected = estimateQuestionLevels(questions.get('drawn')!, parts, { weighting }) as MixedFrequencyEstimate;
      expect(release.cells[0].values[1].unbiased).toBeCloseTo(expected.values[1]!, 12);
      expect(release.cells[0].values[1].standardError).toBeCloseTo(expected.standardErrors[1]!, 12);
    }
    // The two differ on these sums (so the parameter is not ignored).
    const [a, b] = await Promise.all([read('question=drawn&bucket=day'), read('question=drawn&bucket=day&weighting=inverse-variance')]);
    expect(a.json().cells[0].values[1].standardError).not.toBeCloseTo(b.json().cells[0].values[1].standardError, 6);
  });

  it('refuses inverse-variance weights where they could be biased or mean nothing (400 WEIGHTING_UNAVAILABLE), and a bad value (400 REQUEST_INVALID)', async () => {
    for (const [query, code] of [
      ['question=chosen&weighting=inverse-variance', 'WEIGHTING_UNAVAILABLE'],
      ['question=plain&weighting=inverse-variance', 'WEIGHTING_UNAVAILABLE'],
      ['question=sleep&weighting=inverse-variance', 'WEIGHTING_UNAVAILABLE'],
      ['question=drawn&weighting=precision', 'REQUEST_INVALID'],
    ] as const) {
      const response = await read(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error, query).toMatchObject({ code, path: 'weighting' });
    }
    const chosen = await read('question=chosen&weighting=inverse-variance');
    expect(chosen.json().error.message).toMatch(/biased/);
    const csv = await read('question=drawn&format=csv&weighting=inverse-variance', 'export');
    expect(csv.statusCode).toBe(400);
    expect(csv.json().error).toMatchObject({ code: 'WEIGHTING_UNAVAILABLE', path: 'weighting' });
  });

  it('report-count weights by default, stated for a question with levels and absent without levels', async () => {
    const chosen = (await read('question=chosen&bucket=day')).json();
    expect(chosen.weighting).toMatchObject({ name: 'reports', assignment: 'patient' });
    expect(chosen.weighting.note).toMatch(/whatever makes a patient choose a level/);
    const plain = await read('question=plain');
    expect(plain.statusCode).toBe(200);
    expect(plain.json().weighting).toBeUndefined();
  });
});
