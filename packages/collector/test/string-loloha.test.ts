/** A string question under LOLOHA is a frequency over its candidates plus '(other)', exclusive: its consistent estimates sum to one. */
import { RandomSampler, createCampaignRandomizers, isTwoLevel, randomizeTwoLevel, seededRandomSource, stringIndex, validateCampaign, type StringQuestion } from '@practical-privacy/core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { STRING_OTHER } from '../src/campaigns/model.ts';
import { READ, batch, makeApp, post, publish } from './helpers.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CANDIDATES = ['cough', 'headache', 'fatigue'];
const CAMPAIGN = {
  id: 'strings',
  version: 1,
  title: 'Strings',
  questions: [{ id: 'complaint', type: 'string', prompt: 'Main complaint?', tier: 'low', mechanism: 'loloha', epsilon: 2, epsilonPermanent: 4, minBatch: 5, domain: { candidates: CANDIDATES } }],
};

let app: CollectorApp;
beforeEach(async () => {
  app = await makeApp({}, { now: () => NOW });
});
afterEach(async () => {
  await app.close();
});

it('a LOLOHA string question returns its candidates plus (other), whose consistent estimates sum to one', async () => {
  expect(await publish(app, CAMPAIGN)).toBe(201);
  const campaign = validateCampaign(CAMPAIGN);
  const question = campaign.questions[0] as StringQuestion;
  const m = createCampaignRandomizers(campaign).get('complaint');
  if (!isTwoLevel(m)) throw new Error('complaint should be two-level');
  const rng = new RandomSampler(seededRandomSource('collector string loloha'));
  // Answers off the candidate list (and one differing only in case) are "other".
  const answers = ['cough', 'cough', 'headache', 'rash', 'Cough', 'fatigue', 'dizziness', 'cough'];
  const reports = ['2026-06-29', '2026-06-30'].flatMap((day, d) =>
    Array.from({ length: 100 }, (_, i) => ({ id: (d * 1000 + i).toString(16).padStart(32, '0'), questionId: 'complaint', day, ...m.encodeReport(randomizeTwoLevel(m, stringIndex(question, answers[i % answers.length]!), rng)) })),
  );
  expect((await post(app, batch(reports, 'strings'))).statusCode).toBe(202);

  for (const bucket of ['day', 'total']) {
    const response = await app.inject({ url: `/v1/campaigns/strings/estimates?question=complaint&bucket=${bucket}`, headers: { authorization: `Bearer ${READ}` } });
    expect(response.statusCode, response.body).toBe(200);
    const release = response.json() as { mechanism: string; cells: Array<{ n: number; suppressed: boolean; values: Array<{ value: string; consistent: number; unbiased: number }> }> };
    expect(release.mechanism).toBe('loloha');
    expect(release.cells).toHaveLength(bucket === 'day' ? 2 : 1);
    for (const cell of release.cells) {
      expect(cell).toMatchObject({ n: bucket === 'day' ? 100 : 200, suppressed: false });
      expect(cell.values.map((v) => v.value)).toEqual([...CANDIDATES, STRING_OTHER]);
      expect(STRING_OTHER).toBe('(other)');
      for (const v of cell.values) expect(v.consistent).toBeGreaterThanOrEqual(0);
      expect(cell.values.reduce((s, v) => s + v.consistent, 0)).toBeCloseTo(1, 12);
    }
  }
});
