/**
 * Coverage of the read API's 95% intervals for the two-level (longitudinal) mechanisms, end to end:
 * boolean and categorical L-GRR, L-OUE, L-SUE, L-OSUE, L-SOUE, LOLOHA, multiselect
 * padding-and-sampling over L-GRR and over LOLOHA, numeric alpha-1bit (2 and 3 levels), and a
 * string question under LOLOHA over its candidates plus "other". Answers drawn from a known
 * distribution are randomized with core's device-side randomizers, sent through POST /v1/reports,
 * and read back per day from GET …/estimates.
 *
 * Every report comes from its own simulated device: `randomizeTwoLevel` draws a fresh device
 * constant (LOLOHA's hash, alpha-1bit's rounding offset) and a fresh permanent response, then the
 * instantaneous response — what the SDK sends the first time, and what a day cell holds (one report
 * per device per day). Each question gets 100 days, i.e. 100 independent cells.
 *
 * The truth: the frequency and prevalence intervals read here are the respondents' ones
 * (`?estimand=respondents`: the share among the cell's own reporters; pure-protocol.ts and
 * padding-sampling.ts give the variance conditional on the answers), so the truth is counted per
 * cell from the drawn answers. (The default, population, intervals are checked against the
 * population share in estimates-coverage-estimands.slow.test.ts, L-GRR and LOLOHA included.) The
 * alpha-1bit SE is the empirical Bernoulli one, which includes the spread of the answers, so its
 * truth is the distribution's mean.
 *
 * For each value (frequency), item (multiselect) or mean, the number of cells whose 95% interval
 * covers the truth is Binomial(100, 0.95) if the intervals are right; each is asserted ≥ the exact
 * binomial lower bound at false-alarm probability 1/2000 (statistics.ts): 87. The means' 50%
 * intervals (± 0.6745·SE) are checked from both sides too, the count Binomial(100, 0.5) asserted in
 * [34, 66]. A boolean question's two values are one event (f̂_false = 1 − f̂_true, same SE), so
 * only `true` is asserted. Budget: 1 + 5·6 (k = 6 frequency questions) + 10 (LOLOHA) + 4 + 6
 * (multiselect) + 2·3 (means) + 4 (string) = 61 assertions at ≤ 1/2000 each, so a correct
 * implementation fails this file with probability ≤ 3.1% for a random seed (union bound; items of
 * one question are correlated, which only lowers it). The seeds are fixed (core's
 * seededRandomSource), so a failure reproduces and this run passes or fails the same every time.
 */
import {
  RandomSampler,
  createCampaignRandomizers,
  isTwoLevel,
  randomizeTwoLevel,
  seededRandomSource,
  stringIndex,
  validateCampaign,
  type AnyTwoLevelRandomizer,
  type StringQuestion,
  newReportId,
} from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { READ, coverageApp } from './helpers.ts';
import { binomialLowerBound, binomialUpperBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CELLS = 100;
const DAYS = Array.from({ length: CELLS }, (_, i) => new Date(NOW.getTime() - (CELLS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
const FALSE_ALARM = [1, 2000] as const;
const Z_95 = 1.959963984540054; // Φ⁻¹(0.975)
const Z_50 = 0.674489750196082; // Φ⁻¹(0.75)

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const six = (prefix: string) => options(Array.from({ length: 6 }, (_, i) => `${prefix}${i}`));
const CANDIDATES = ['cough', 'headache', 'fatigue'];
const CAMPAIGN = {
  id: 'coverage-two-level',
  version: 1,
  title: 'Two-level coverage',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Fever?', tier: 'high', mechanism: 'l-grr', epsilon: 1, epsilonPermanent: 2 },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'moderate', mechanism: 'l-grr', epsilon: 2, epsilonPermanent: 4, domain: { categories: six('p') } },
    { id: 'mood', type: 'categorical', prompt: 'Mood?', tier: 'moderate', mechanism: 'l-oue', epsilon: 1, epsilonPermanent: 3, domain: { categories: six('m') } },
    { id: 'energy', type: 'categorical', prompt: 'Energy?', tier: 'moderate', mechanism: 'l-sue', epsilon: 1.5, epsilonPermanent: 3, domain: { categories: six('e') } },
    { id: 'appetite', type: 'categorical', prompt: 'Appetite?', tier: 'moderate', mechanism: 'l-osue', epsilon: 1, epsilonPermanent: 2.5, domain: { categories: six('a') } },
    { id: 'stress', type: 'categorical', prompt: 'Stress?', tier: 'moderate', mechanism: 'l-soue', epsilon: 1, epsilonPermanent: 2.5, domain: { categories: six('s') } },
    {
      id: 'region',
      type: 'categorical',
      prompt: 'Region?',
      tier: 'moderate',
      mechanism: 'loloha',
      epsilon: 1.5,
      epsilonPermanent: 3,
      domain: { categories: options(Array.from({ length: 10 }, (_, i) => `r${i}`)) },
    },
    {
      id: 'symptoms',
      type: 'multiselect',
      prompt: 'Symptoms?',
      tier: 'moderate',
      epsilon: 2,
      epsilonPermanent: 4,
      domain: { items: options(['cough', 'headache', 'fatigue', 'nausea']), maxItems: 2, inner: 'l-grr' },
    },
    {
      id: 'activities',
      type: 'multiselect',
      prompt: 'Activities?',
      tier: 'moderate',
      epsilon: 2,
      epsilonPermanent: 4,
      domain: { items: options(['walk', 'run', 'swim', 'bike', 'yoga', 'dance']), maxItems: 3, inner: 'loloha' },
    },
    { id: 'sleep', type: 'numeric', prompt: 'Hours of sleep?', tier: 'low', mechanism: 'alpha-1bit', epsilon: 1, epsilonPermanent: 2, domain: { low: 0, high: 12 } },
    { id: 'steps', type: 'numeric', prompt: 'Thousands of steps?', tier: 'low', mechanism: 'alpha-1bit', epsilon: 1.5, epsilonPermanent: 3, domain: { low: 0, high: 20, levels: 3 } },
    { id: 'complaint', type: 'string', prompt: 'Main complaint?', tier: 'low', mechanism: 'loloha', epsilon: 1.5, epsilonPermanent: 3, domain: { candidates: CANDIDATES } },
  ],
};

/** What each question resolves to, as GET …/estimates names it (and the inner oracle of a multiselect). */
const EXPECTED_MECHANISM: Record<string, string> = {
  fever: 'l-grr',
  pain: 'l-grr',
  mood: 'l-oue',
  energy: 'l-sue',
  appetite: 'l-osue',
  stress: 'l-soue',
  region: 'loloha',
  symptoms: 'padding-sampling/l-grr',
  activities: 'padding-sampling/loloha',
  sleep: 'alpha-1bit',
  steps: 'alpha-1bit',
  complaint: 'loloha',
};

type Weighted<T> = Array<[T, number]>;
const SKEWED_SIX: Weighted<number> = [[0, 0.35], [1, 0.25], [2, 0.15], [3, 0.1], [4, 0.1], [5, 0.05]];

/** Exclusive answers: the value index each answer sets (the boolean: 0 false, 1 true). */
const FREQUENCY: Record<string, { answers: Weighted<number>; perCell: number }> = {
  fever: { answers: [[0, 0.7], [1, 0.3]], perCell: 500 },
  pain: { answers: SKEWED_SIX, perCell: 500 },
  mood: { answers: [[0, 0.05], [1, 0.15], [2, 0.3], [3, 0.3], [4, 0.15], [5, 0.05]], perCell: 500 },
  energy: { answers: SKEWED_SIX, perCell: 500 },
  appetite: { answers: [[0, 0.4], [2, 0.3], [3, 0.2], [5, 0.1]], perCell: 500 },
  stress: { answers: [[0, 0.2], [1, 0.2], [2, 0.2], [3, 0.2], [4, 0.1], [5, 0.1]], perCell: 500 },
  region: { answers: [[0, 0.3], [1, 0.2], [2, 0.1], [3, 0.1], [4, 0.1], [5, 0.05], [6, 0.05], [7, 0.05], [8, 0.05]], perCell: 800 },
};
const MULTISELECT: Record<string, { answers: Weighted<number[]>; perCell: number }> = {
  symptoms: { answers: [[[], 0.2], [[0], 0.25], [[0, 1], 0.2], [[1, 2], 0.15], [[3], 0.1], [[0, 3], 0.1]], perCell: 600 },
  activities: { answers: [[[], 0.1], [[0], 0.2], [[0, 1, 2], 0.15], [[1], 0.15], [[2, 3], 0.2], [[4, 5], 0.1], [[0, 5], 0.1]], perCell: 800 },
};
/** Numeric answers include values between the rounding levels (α-point rounding). */
const NUMERIC: Record<string, { answers: Weighted<number>; perCell: number }> = {
  sleep: { answers: [[4, 0.1], [5.5, 0.15], [7, 0.3], [7.77, 0.2], [9, 0.15], [12, 0.1]], perCell: 500 },
  steps: { answers: [[0, 0.05], [2.5, 0.2], [6, 0.3], [9.99, 0.25], [15, 0.15], [20, 0.05]], perCell: 500 },
};
/** String answers: three candidates and three strings that are none of them ("other"). */
const STRING_ANSWERS: Weighted<string> = [['cough', 0.3], ['headache', 0.2], ['fatigue', 0.15], ['rash', 0.15], ['dizziness', 0.1], ['Cough', 0.1]];

let app: CollectorApp;
const campaign = validateCampaign(CAMPAIGN);
const randomizers = createCampaignRandomizers(campaign);
const complaint = campaign.questions.find((q) => q.id === 'complaint') as StringQuestion;

beforeAll(async () => {
  app = await coverageApp([CAMPAIGN], CELLS, NOW);
});
afterAll(async () => {
  await app.close();
});

function draw<T>(rng: RandomSampler, answers: Weighted<T>): T {
  let u = rng.uint32() / 2 ** 32;
  for (const [answer, probability] of answers) {
    u -= probability;
    if (u < 0) return answer;
  }
  return answers[answers.length - 1]![0];
}

function twoLevel(questionId: string): AnyTwoLevelRandomizer {
  const randomizer = randomizers.get(questionId);
  if (!isTwoLevel(randomizer)) throw new Error(`${questionId} is not a two-level question`);
  return randomizer;
}

/**
 * perCell reports a day for every day, each from a fresh simulated device, POSTed in batches of
 * 1000. `input` maps an answer to the mechanism's input; returns the answers drawn, per day.
 */
async function ingestDays<A>(questionId: string, perCell: number, answer: (rng: RandomSampler) => A, input: (a: A) => unknown = (a) => a): Promise<A[][]> {
  const rng = new RandomSampler(seededRandomSource(`collector two-level coverage ${questionId}`));
  const m = twoLevel(questionId);
  const drawn: A[][] = [];
  const reports = DAYS.flatMap((day) => {
    const answers = Array.from({ length: perCell }, () => answer(rng));
    drawn.push(answers);
    return answers.map((a) => ({ id: newReportId(rng), questionId, day, ...m.encodeReport(randomizeTwoLevel(m, input(a), rng)) }));
  });
  for (let i = 0; i < reports.length; i += 1000) {
    const body = JSON.stringify({ campaignId: CAMPAIGN.id, campaignVersion: 1, reports: reports.slice(i, i + 1000) });
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: body });
    expect(response.statusCode, response.body).toBe(202);
  }
  return drawn;
}

interface Cell {
  period: string;
  n: number;
  suppressed: boolean;
  values?: Array<{ value: string; unbiased: number; standardError: number; ci95: [number, number]; consistent: number }>;
  mean?: { estimate: number; standardError: number; ci95: [number, number] };
}

async function dailyCells(questionId: string, perCell: number): Promise<Cell[]> {
  const response = await app.inject({ url: `/v1/campaigns/${CAMPAIGN.id}/estimates?question=${questionId}&bucket=day&from=${DAYS[0]}&to=${DAYS[CELLS - 1]}&estimand=respondents`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  const release = response.json() as { mechanism: string; cells: Cell[] };
  const inner = (randomizers.get(questionId) as { inner?: { name: string } }).inner;
  expect(inner === undefined ? release.mechanism : `${release.mechanism}/${inner.name}`).toBe(EXPECTED_MECHANISM[questionId]);
  expect(release.cells.map((c) => c.period)).toEqual(DAYS);
  for (const cell of release.cells) expect(cell).toMatchObject({ n: perCell, suppressed: false });
  return release.cells;
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));
const covers = ([low, high]: readonly [number, number], truth: number) => low <= truth && truth <= high;
const lower95 = binomialLowerBound(CELLS, [19, 20], FALSE_ALARM);

/** Per value, how many cells' 95% intervals cover that cell's truth (`truth[cell][value]`). */
function coverageCounts(cells: Cell[], truth: number[][]): number[] {
  const covered = truth[0]!.map(() => 0);
  cells.forEach((cell, c) => {
    expect(cell.values).toHaveLength(covered.length);
    cell.values!.forEach((v, value) => {
      // The interval is the reported SE's (clipped to [0, 1]), so checking it checks the SE too.
      expect(v.ci95[0]).toBeCloseTo(clip01(v.unbiased - Z_95 * v.standardError), 9);
      expect(v.ci95[1]).toBeCloseTo(clip01(v.unbiased + Z_95 * v.standardError), 9);
      if (covers(v.ci95, truth[c]![value]!)) covered[value]! += 1;
    });
  });
  return covered;
}

/** Shares of each of k values among one cell's exclusive answers. */
const shares = (k: number, answers: number[]) => Array.from({ length: k }, (_, v) => answers.filter((a) => a === v).length / answers.length);

it('uses the exact binomial bounds', () => {
  expect([lower95, binomialLowerBound(CELLS, [1, 2], FALSE_ALARM), binomialUpperBound(CELLS, [1, 2], FALSE_ALARM)]).toEqual([87, 34, 66]);
});

describe('exclusive answers (L-GRR, the L-UE family, LOLOHA): 95% intervals cover each value’s share at the nominal rate', () => {
  it.each(Object.keys(FREQUENCY))('%s', async (questionId) => {
    const { answers, perCell } = FREQUENCY[questionId]!;
    const k = (randomizers.get(questionId) as { k: number }).k;
    const drawn = await ingestDays(questionId, perCell, (rng) => draw(rng, answers));
    const cells = await dailyCells(questionId, perCell);
    // Intervals of different values share a cell's reports, so each value is counted on its own
    // over the independent cells.
    const covered = coverageCounts(cells, drawn.map((day) => shares(k, day)));
    console.log(`${questionId}: 95% intervals covering ${covered.join(', ')} of ${CELLS} (each ≥ ${lower95})`);
    // The boolean's two values are one event: assert `true` only (see header).
    for (const c of questionId === 'fever' ? covered.slice(1) : covered) expect(c).toBeGreaterThanOrEqual(lower95);
  });
});

describe('string answers under LOLOHA: candidates plus "(other)"', () => {
  it('complaint', async () => {
    const k = CANDIDATES.length + 1;
    const drawn = await ingestDays('complaint', 800, (rng) => draw(rng, STRING_ANSWERS), (s) => stringIndex(complaint, s));
    const cells = await dailyCells('complaint', 800);
    for (const cell of cells) expect(cell.values!.map((v) => v.value)).toEqual([...CANDIDATES, '(other)']);
    const covered = coverageCounts(cells, drawn.map((day) => shares(k, day.map((s) => stringIndex(complaint, s)))));
    console.log(`complaint: 95% intervals covering ${covered.join(', ')} of ${CELLS} (each ≥ ${lower95})`);
    for (const c of covered) expect(c).toBeGreaterThanOrEqual(lower95);
  });
});

describe('multiselect over L-GRR and LOLOHA: 95% intervals cover each item’s prevalence at the nominal rate', () => {
  it.each(Object.keys(MULTISELECT))('%s', async (questionId) => {
    const { answers, perCell } = MULTISELECT[questionId]!;
    const k = (randomizers.get(questionId) as { k: number }).k;
    const drawn = await ingestDays(questionId, perCell, (rng) => draw(rng, answers));
    const cells = await dailyCells(questionId, perCell);
    const prevalence = drawn.map((day) => Array.from({ length: k }, (_, item) => day.filter((set) => set.includes(item)).length / day.length));
    const covered = coverageCounts(cells, prevalence);
    console.log(`${questionId}: 95% intervals covering ${covered.join(', ')} of ${CELLS} (each ≥ ${lower95})`);
    for (const c of covered) expect(c).toBeGreaterThanOrEqual(lower95);
  });
});

describe('numeric means (alpha-1bit): 95% and 50% intervals cover the true mean at the nominal rate', () => {
  const [lower50, upper50] = [binomialLowerBound(CELLS, [1, 2], FALSE_ALARM), binomialUpperBound(CELLS, [1, 2], FALSE_ALARM)];

  it.each(Object.keys(NUMERIC))('%s', async (questionId) => {
    const { answers, perCell } = NUMERIC[questionId]!;
    const truth = answers.reduce((s, [x, w]) => s + x * w, 0);
    await ingestDays(questionId, perCell, (rng) => draw(rng, answers));
    const cells = await dailyCells(questionId, perCell);
    let covered95 = 0;
    let covered50 = 0;
    for (const cell of cells) {
      const { estimate, standardError, ci95 } = cell.mean!;
      expect(ci95[0]).toBeCloseTo(estimate - Z_95 * standardError, 9);
      if (covers(ci95, truth)) covered95 += 1;
      if (Math.abs(estimate - truth) <= Z_50 * standardError) covered50 += 1;
    }
    console.log(`${questionId} (${twoLevel(questionId).permanentCount} levels): truth ${truth}, 95% intervals covering ${covered95}/${CELLS} (≥ ${lower95}), 50% intervals ${covered50}/${CELLS} (in [${lower50}, ${upper50}])`);
    expect(covered95).toBeGreaterThanOrEqual(lower95);
    expect(covered50).toBeGreaterThanOrEqual(lower50);
    expect(covered50).toBeLessThanOrEqual(upper50);
  });
});
