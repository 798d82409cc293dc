/**
 * Coverage of the read API's 95% intervals for numeric means (Duchi, Piecewise, Hybrid) and
 * multiselect prevalences (padding-and-sampling over GRR and over OLH), end to end: answers drawn
 * from a known distribution are randomized with core's device-side randomizers (what the SDK
 * runs), sent through POST /v1/reports, and read back per day from GET …/estimates.
 *
 * Each question gets 100 days, i.e. 100 independent cells (disjoint reports, independent draws).
 * For each mechanism (numeric) or item (multiselect) the number of cells whose 95% interval covers
 * the truth is Binomial(100, 0.95) if the intervals are right, and the test asserts it is at least
 * the exact binomial lower bound at false-alarm probability 1/2000 (statistics.ts): 87. Numeric
 * means use an empirical standard error (estimates.ts / core numeric.ts), so their 50% intervals
 * (± 0.6745·SE) are checked too, from both sides — too narrow and too wide both fail: the count is
 * Binomial(100, 0.5), asserted in [34, 66], each side again at 1/2000. 19 assertions at ≤ 1/2000
 * each: a correct implementation fails this file with probability < 1% for a random seed; the
 * seeds are fixed (core's seededRandomSource), so a failure reproduces.
 */
import { RandomSampler, createCampaignRandomizers, seededRandomSource, validateCampaign, type AnyRandomizer, newReportId } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { READ, coverageApp } from './helpers.ts';
import { binomialLowerBound, binomialUpperBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CELLS = 100;
const DAYS = Array.from({ length: CELLS }, (_, i) => new Date(NOW.getTime() - (CELLS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
const FALSE_ALARM = [1, 2000] as const;
const Z_50 = 0.674489750196082; // Φ⁻¹(0.75)

const items = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const CAMPAIGN = {
  id: 'coverage',
  version: 1,
  title: 'Coverage',
  questions: [
    { id: 'sleep', type: 'numeric', prompt: 'Hours of sleep?', tier: 'low', mechanism: 'duchi', epsilon: 1, domain: { low: 0, high: 12 } },
    { id: 'pain', type: 'numeric', prompt: 'Pain 0–10?', tier: 'low', mechanism: 'piecewise', epsilon: 2, domain: { low: 0, high: 10, gridSize: 10 } },
    { id: 'steps', type: 'numeric', prompt: 'Thousands of steps?', tier: 'low', mechanism: 'hybrid', epsilon: 1.5, domain: { low: 0, high: 20 } },
    { id: 'symptoms', type: 'multiselect', prompt: 'Symptoms?', tier: 'moderate', epsilon: 2, domain: { items: items(['cough', 'headache', 'fatigue', 'nausea']), maxItems: 2, inner: 'grr' } },
    { id: 'activities', type: 'multiselect', prompt: 'Activities?', tier: 'moderate', epsilon: 2, domain: { items: items(['walk', 'run', 'swim', 'bike', 'yoga', 'dance']), maxItems: 3, inner: 'olh' } },
  ],
};

/** Answer distributions: [answer, probability]. Numeric answers include off-grid values (randomized rounding). */
const NUMERIC: Record<string, { answers: Array<[number, number]>; perCell: number }> = {
  sleep: { answers: [[4, 0.1], [5.5, 0.15], [7, 0.3], [7.77, 0.2], [9, 0.15], [12, 0.1]], perCell: 400 },
  pain: { answers: [[0, 0.3], [1, 0.1], [3, 0.2], [5, 0.15], [8, 0.15], [10, 0.1]], perCell: 400 },
  steps: { answers: [[0, 0.05], [2.5, 0.2], [6, 0.3], [9.99, 0.25], [15, 0.15], [20, 0.05]], perCell: 400 },
};
const MULTISELECT: Record<string, { answers: Array<[number[], number]>; perCell: number }> = {
  symptoms: { answers: [[[], 0.2], [[0], 0.25], [[0, 1], 0.2], [[1, 2], 0.15], [[3], 0.1], [[0, 3], 0.1]], perCell: 600 },
  activities: { answers: [[[], 0.1], [[0], 0.2], [[0, 1, 2], 0.15], [[1], 0.15], [[2, 3], 0.2], [[4, 5], 0.1], [[0, 5], 0.1]], perCell: 1000 },
};

let app: CollectorApp;
const randomizers = createCampaignRandomizers(validateCampaign(CAMPAIGN));

beforeAll(async () => {
  app = await coverageApp([CAMPAIGN], CELLS, NOW);
});
afterAll(async () => {
  await app.close();
});

function draw<T>(rng: RandomSampler, answers: Array<[T, number]>): T {
  let u = rng.uint32() / 2 ** 32;
  for (const [answer, probability] of answers) {
    u -= probability;
    if (u < 0) return answer;
  }
  return answers[answers.length - 1]![0];
}

/** perCell reports a day for every day, randomized on the "device" and POSTed in batches of 1000. */
async function ingestDays(questionId: string, perCell: number, answer: (rng: RandomSampler) => unknown): Promise<void> {
  const rng = new RandomSampler(seededRandomSource(`collector coverage ${questionId}`));
  const randomizer = randomizers.get(questionId) as Exclude<AnyRandomizer, { name: 'rappor' }>;
  const reports = DAYS.flatMap((day) => Array.from({ length: perCell }, () => ({ id: newReportId(rng), questionId, day, ...randomizer.encodeReport(randomizer.randomize(answer(rng), rng)) })));
  for (let i = 0; i < reports.length; i += 1000) {
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ campaignId: 'coverage', campaignVersion: 1, reports: reports.slice(i, i + 1000) }) });
    expect(response.statusCode, response.body).toBe(202);
  }
}

async function dailyCells(questionId: string) {
  const response = await app.inject({ url: `/v1/campaigns/coverage/estimates?question=${questionId}&bucket=day&from=${DAYS[0]}&to=${DAYS[CELLS - 1]}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  const cells = response.json().cells as Array<{ period: string; n: number; suppressed: boolean; values?: Array<{ unbiased: number; standardError: number; ci95: [number, number] }>; mean?: { estimate: number; standardError: number; ci95: [number, number] } }>;
  expect(cells.map((c) => c.period)).toEqual(DAYS);
  return cells;
}

const covers = ([low, high]: readonly [number, number], truth: number) => low <= truth && truth <= high;

describe('numeric means: 95% intervals cover the true mean at the nominal rate', () => {
  const lower95 = binomialLowerBound(CELLS, [19, 20], FALSE_ALARM);
  const [lower50, upper50] = [binomialLowerBound(CELLS, [1, 2], FALSE_ALARM), binomialUpperBound(CELLS, [1, 2], FALSE_ALARM)];
  it('uses the exact binomial bounds', () => {
    expect([lower95, lower50, upper50]).toEqual([87, 34, 66]);
  });

  it.each(Object.keys(NUMERIC))('%s', async (questionId) => {
    const { answers, perCell } = NUMERIC[questionId]!;
    const truth = answers.reduce((s, [x, w]) => s + x * w, 0);
    await ingestDays(questionId, perCell, (rng) => draw(rng, answers));
    const cells = await dailyCells(questionId);
    let covered95 = 0;
    let covered50 = 0;
    for (const cell of cells) {
      expect(cell).toMatchObject({ n: perCell, suppressed: false });
      const { estimate, standardError, ci95 } = cell.mean!;
      expect(ci95[0]).toBeCloseTo(estimate - 1.959963984540054 * standardError, 9);
      if (covers(ci95, truth)) covered95 += 1;
      if (Math.abs(estimate - truth) <= Z_50 * standardError) covered50 += 1;
    }
    console.log(`${questionId}: truth ${truth}, 95% intervals covering ${covered95}/${CELLS} (≥ ${lower95}), 50% intervals ${covered50}/${CELLS} (in [${lower50}, ${upper50}])`);
    expect(covered95).toBeGreaterThanOrEqual(lower95);
    expect(covered50).toBeGreaterThanOrEqual(lower50);
    expect(covered50).toBeLessThanOrEqual(upper50);
  });
});

describe('multiselect prevalences: 95% intervals cover each item’s true prevalence at the nominal rate', () => {
  const lower95 = binomialLowerBound(CELLS, [19, 20], FALSE_ALARM);

  it.each(Object.keys(MULTISELECT))('%s', async (questionId) => {
    const { answers, perCell } = MULTISELECT[questionId]!;
    const k = CAMPAIGN.questions.find((q) => q.id === questionId)!.domain as { items: unknown[] };
    const prevalence = k.items.map((_, item) => answers.reduce((s, [set, w]) => s + (set.includes(item) ? w : 0), 0));
    await ingestDays(questionId, perCell, (rng) => draw(rng, answers));
    const cells = await dailyCells(questionId);
    // Intervals of different items share a cell's reports, so each item is counted on its own
    // over the independent cells.
    const covered = prevalence.map(() => 0);
    for (const cell of cells) {
      expect(cell).toMatchObject({ n: perCell, suppressed: false });
      cell.values!.forEach((v, item) => {
        if (covers(v.ci95, prevalence[item]!)) covered[item]! += 1;
      });
    }
    console.log(`${questionId}: prevalences ${prevalence.map((p) => p.toFixed(2)).join(', ')}; 95% intervals covering ${covered.join(', ')} of ${CELLS} (each ≥ ${lower95})`);
    for (const c of covered) expect(c).toBeGreaterThanOrEqual(lower95);
  });
});
