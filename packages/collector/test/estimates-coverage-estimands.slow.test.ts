/**
 * Coverage of the read API's 95% (and 50%) intervals for shares under BOTH estimands, end to end:
 * answers are randomized with core's device-side randomizers (what the SDK runs), sent through
 * POST /v1/reports, and read back per day from GET …/estimates.
 *
 * - Population (the default interval): every day a FRESH sample of PER_CELL patients is drawn
 *   from a fixed population distribution, and the truth is the population's share — what a clinic
 *   means by "the share of our patients". Each cell's error is the mechanism's noise plus the
 *   sampling noise of who happened to answer.
 * - Respondents (`?estimand=respondents`): the SAME PER_CELL answers every day, randomized afresh,
 *   and the truth is the share among those answers — only the mechanism's noise.
 *
 * Two-level questions (L-GRR, LOLOHA) draw a fresh simulated device (device constant and permanent
 * response) for every report, as a day cell holds one report per device. Mechanisms: binary RR,
 * GRR, OUE, SUE, OLH, Hadamard, padding-and-sampling over GRR, L-GRR and LOLOHA, at ε where the
 * sampling term is a large part of the population variance (so a respondents-only interval read as
 * a population one visibly undercovers).
 *
 * Each question gets CELLS = 200 days, i.e. 200 independent cells. Per value (item), the number of
 * cells whose 95% interval covers the truth is Binomial(200, 0.95) if the intervals are right,
 * asserted ≥ the exact binomial lower bound at false-alarm probability 1/2000 (statistics.ts); the
 * 50% intervals (± 0.6745·SE) are checked from both sides, so an interval too wide fails too:
 * Binomial(200, 0.5) asserted within the exact bounds at 1/2000 each side. A boolean question's two
 * values are one event, so only `true` is asserted. The seeds are fixed (core's
 * seededRandomSource), so a failure reproduces.
 *
 * Power: with fresh samples, the respondents-only interval (what the collector released before
 * the population estimand) must undercover the population share for binary RR at ε = 2, f = 0.5
 * (the issue's example: ±2.6 points where ±4.1 are needed, ≈ 80%), GRR at ε = 3, SUE at ε = 4 and
 * L-GRR — asserted below the 95% lower bound, so this design does tell the estimands apart. Measured
 * with these seeds: 153/200 (binary RR), 143–166 (GRR), 156–178 (SUE), 156 (L-GRR); against
 * 183–193 for the population intervals. OUE, OLH, Hadamard and LOLOHA keep p* ≤ 1/2 or q* = 1/2 —
 * their own noise dominates — and padding-and-sampling divides by L, so the difference is smaller
 * there (respondents-only 173–192); they are checked for coverage, not for power.
 */
import { RandomSampler, createCampaignRandomizers, isTwoLevel, randomizeTwoLevel, seededRandomSource, validateCampaign, type AnyRandomizer, newReportId } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { READ, coverageApp } from './helpers.ts';
import { binomialLowerBound, binomialUpperBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CELLS = 200;
const PER_CELL = 400;
const DAYS = Array.from({ length: CELLS }, (_, i) => new Date(NOW.getTime() - (CELLS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
const FALSE_ALARM = [1, 2000] as const;
const Z_95 = 1.959963984540054; // Φ⁻¹(0.975)
const Z_50 = 0.674489750196082; // Φ⁻¹(0.75)

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const four = (prefix: string) => options([0, 1, 2, 3].map((i) => `${prefix}${i}`));
const QUESTIONS = [
  { id: 'smoker', type: 'boolean', prompt: 'Do you smoke?', tier: 'high', mechanism: 'binary-rr', epsilon: 2 },
  { id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'moderate', mechanism: 'grr', epsilon: 3, domain: { categories: four('p') } },
  { id: 'mood', type: 'categorical', prompt: 'Mood?', tier: 'moderate', mechanism: 'oue', epsilon: 3, domain: { categories: four('m') } },
  { id: 'energy', type: 'categorical', prompt: 'Energy?', tier: 'moderate', mechanism: 'sue', epsilon: 4, domain: { categories: four('e') } },
  { id: 'region', type: 'categorical', prompt: 'Region?', tier: 'moderate', mechanism: 'olh', epsilon: 3, domain: { categories: four('r') } },
  { id: 'diet', type: 'categorical', prompt: 'Diet?', tier: 'moderate', mechanism: 'hadamard', epsilon: 4, domain: { categories: four('d') } },
  { id: 'symptoms', type: 'multiselect', prompt: 'Symptoms?', tier: 'moderate', epsilon: 4, domain: { items: options(['cough', 'headache', 'fatigue']), maxItems: 2, inner: 'grr' } },
  { id: 'cough-days', type: 'boolean', prompt: 'Coughing today?', tier: 'moderate', mechanism: 'l-grr', epsilon: 2, epsilonPermanent: 5 },
  { id: 'clinic', type: 'categorical', prompt: 'Clinic?', tier: 'moderate', mechanism: 'loloha', epsilon: 2, epsilonPermanent: 5, domain: { categories: four('c') } },
];
const campaignDocument = (id: string) => ({ id, version: 1, title: `Estimand coverage (${id})`, questions: QUESTIONS });
const POPULATION = 'estimand-population';
const RESPONDENTS = 'estimand-respondents';

type Weighted<T> = Array<[T, number]>;
const SKEWED: Weighted<number> = [[0, 0.4], [1, 0.3], [2, 0.2], [3, 0.1]];
/** The population each day's patients are drawn from: exclusive answers (value index) or item sets. */
const EXCLUSIVE: Record<string, Weighted<number>> = {
  smoker: [[0, 0.5], [1, 0.5]],
  pain: SKEWED,
  mood: [[0, 0.1], [1, 0.4], [2, 0.3], [3, 0.2]],
  energy: SKEWED,
  region: [[0, 0.25], [1, 0.45], [2, 0.2], [3, 0.1]],
  diet: SKEWED,
  'cough-days': [[0, 0.6], [1, 0.4]],
  clinic: [[0, 0.3], [1, 0.3], [2, 0.3], [3, 0.1]],
};
const MULTISELECT: Record<string, Weighted<number[]>> = {
  symptoms: [[[], 0.3], [[0], 0.25], [[0, 1], 0.15], [[1, 2], 0.2], [[2], 0.1]],
};
const QUESTION_IDS = [...Object.keys(EXCLUSIVE), ...Object.keys(MULTISELECT)];

let app: CollectorApp;
const randomizers = createCampaignRandomizers(validateCampaign(campaignDocument(POPULATION)));

beforeAll(async () => {
  app = await coverageApp([campaignDocument(POPULATION), campaignDocument(RESPONDENTS)], CELLS, NOW);
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

/** One report as the SDK would send it the first time: two-level questions from a fresh device. */
function randomize(questionId: string, answer: unknown, rng: RandomSampler) {
  const m = randomizers.get(questionId) as Exclude<AnyRandomizer, { name: 'rappor' }>;
  return m.encodeReport(isTwoLevel(m) ? randomizeTwoLevel(m, answer, rng) : m.randomize(answer, rng));
}

/** `answersOf(day)` patients' answers on each day, randomized and POSTed in batches of 1000. */
async function ingest(campaignId: string, questionId: string, answersOf: (day: number) => unknown[], rng: RandomSampler): Promise<void> {
  const reports = DAYS.flatMap((day, d) => answersOf(d).map((answer) => ({ id: newReportId(rng), questionId, day, ...randomize(questionId, answer, rng) })));
  for (let i = 0; i < reports.length; i += 1000) {
    const body = JSON.stringify({ campaignId, campaignVersion: 1, reports: reports.slice(i, i + 1000) });
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: body });
    expect(response.statusCode, response.body).toBe(202);
  }
}

interface Cell {
  period: string;
  n: number;
  suppressed: boolean;
  values?: Array<{ value: string; unbiased: number; standardError: number; ci95: [number, number] }>;
}
interface Release {
  estimand?: { name: string; assumptions: string[] };
  cells: Cell[];
}

async function dailyRelease(campaignId: string, questionId: string, estimand?: string): Promise<Release> {
  const query = `question=${questionId}&bucket=day&from=${DAYS[0]}&to=${DAYS[CELLS - 1]}${estimand === undefined ? '' : `&estimand=${estimand}`}`;
  const response = await app.inject({ url: `/v1/campaigns/${campaignId}/estimates?${query}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  const release = response.json() as Release;
  expect(release.cells.map((c) => c.period)).toEqual(DAYS);
  for (const cell of release.cells) expect(cell).toMatchObject({ n: PER_CELL, suppressed: false });
  return release;
}

/** Shares per value (exclusive answers) or per item (sets) of a list of answers. */
function sharesOf(questionId: string, answers: unknown[]): number[] {
  const k = questionId in EXCLUSIVE ? (questionId === 'smoker' || questionId === 'cough-days' ? 2 : 4) : 3;
  return Array.from({ length: k }, (_, v) => answers.filter((a) => (Array.isArray(a) ? a.includes(v) : a === v)).length / answers.length);
}

/** The population's shares: the distribution's probabilities (exclusive) or prevalences (items). */
function populationShares(questionId: string): number[] {
  const weighted: Weighted<unknown> = EXCLUSIVE[questionId] ?? MULTISELECT[questionId]!;
  const k = sharesOf(questionId, []).length;
  return Array.from({ length: k }, (_, v) => weighted.reduce((s, [a, w]) => s + ((Array.isArray(a) ? a.includes(v) : a === v) ? w : 0), 0));
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/** Per value: cells whose 95% interval covers the truth, and whose 50% interval (± 0.6745·SE) does. */
function coverage(release: Release, truth: number[]): { covered95: number[]; covered50: number[] } {
  const covered95 = truth.map(() => 0);
  const covered50 = truth.map(() => 0);
  for (const cell of release.cells) {
    cell.values!.forEach((v, i) => {
      expect(v.ci95[0]).toBeCloseTo(clip01(v.unbiased - Z_95 * v.standardError), 9);
      if (v.ci95[0] <= truth[i]! && truth[i]! <= v.ci95[1]) covered95[i]! += 1;
      if (Math.abs(v.unbiased - truth[i]!) <= Z_50 * v.standardError) covered50[i]! += 1;
    });
  }
  return { covered95, covered50 };
}

/** A boolean question's two values are one event: only `true` (index 1) is asserted. */
const asserted = (questionId: string, i: number) => !(questionId === 'smoker' || questionId === 'cough-days') || i === 1;

const lower95 = binomialLowerBound(CELLS, [19, 20], FALSE_ALARM);
const [lower50, upper50] = [binomialLowerBound(CELLS, [1, 2], FALSE_ALARM), binomialUpperBound(CELLS, [1, 2], FALSE_ALARM)];

it('uses the exact binomial bounds', () => {
  expect([lower95, lower50, upper50]).toEqual([179, 77, 123]);
});

function check(label: string, questionId: string, { covered95, covered50 }: { covered95: number[]; covered50: number[] }): void {
  console.log(`${label} ${questionId}: 95% intervals covering ${covered95.join(', ')} of ${CELLS} (each ≥ ${lower95}); 50% ${covered50.join(', ')} (in [${lower50}, ${upper50}])`);
  covered95.forEach((c, i) => {
    if (!asserted(questionId, i)) return;
    expect(c, `${questionId} value ${i}: 95%`).toBeGreaterThanOrEqual(lower95);
    expect(covered50[i], `${questionId} value ${i}: 50%`).toBeGreaterThanOrEqual(lower50);
    expect(covered50[i], `${questionId} value ${i}: 50%`).toBeLessThanOrEqual(upper50);
  });
}

describe('population estimand (the default): a fresh sample of patients every day, truth = the population share', () => {
  it.each(QUESTION_IDS)('%s', async (questionId) => {
    const rng = new RandomSampler(seededRandomSource(`estimand coverage population ${questionId}`));
    const population: Weighted<unknown> = EXCLUSIVE[questionId] ?? MULTISELECT[questionId]!;
    await ingest(POPULATION, questionId, () => Array.from({ length: PER_CELL }, () => draw(rng, population)), rng);
    const truth = populationShares(questionId);
    const release = await dailyRelease(POPULATION, questionId);
    check('population', questionId, coverage(release, truth));

    // The respondents-only interval of the same cells, read as a statement about the population.
    const narrow = coverage(await dailyRelease(POPULATION, questionId, 'respondents'), truth);
    console.log(`  (respondents-only intervals of the same cells cover the population share ${narrow.covered95.join(', ')} of ${CELLS})`);
    if (['smoker', 'pain', 'energy', 'cough-days'].includes(questionId)) {
      narrow.covered95.forEach((c, i) => asserted(questionId, i) && expect(c, `${questionId} value ${i}: respondents-only vs population`).toBeLessThan(lower95));
    }
  });
});

describe('respondents estimand (?estimand=respondents): the same answers every day, truth = their share', () => {
  it.each(QUESTION_IDS)('%s', async (questionId) => {
    const rng = new RandomSampler(seededRandomSource(`estimand coverage respondents ${questionId}`));
    const population: Weighted<unknown> = EXCLUSIVE[questionId] ?? MULTISELECT[questionId]!;
    const fixed = Array.from({ length: PER_CELL }, () => draw(rng, population));
    await ingest(RESPONDENTS, questionId, () => fixed, rng);
    const release = await dailyRelease(RESPONDENTS, questionId, 'respondents');
    check('respondents', questionId, coverage(release, sharesOf(questionId, fixed)));
  });
});

describe('the release states its estimand', () => {
  it('population by default, respondents on request, with the assumptions', async () => {
    const population = await dailyRelease(POPULATION, 'pain');
    expect(population.estimand?.name).toBe('population');
    expect(population.estimand?.assumptions.join(' ')).toMatch(/independent sample/);
    expect(population.estimand?.assumptions.join(' ')).toMatch(/finite-population correction/);
    expect(population.estimand?.assumptions.join(' ')).toMatch(/non-response/);
    const respondents = await dailyRelease(POPULATION, 'pain', 'respondents');
    expect(respondents.estimand?.name).toBe('respondents');
    // Same cells, same centres; only the standard errors differ (wider for the population).
    population.cells.forEach((cell, c) =>
      cell.values!.forEach((v, i) => {
        const r = respondents.cells[c]!.values![i]!;
        expect(r.unbiased).toBe(v.unbiased);
        const f = clip01(v.unbiased);
        expect(v.standardError ** 2).toBeCloseTo(r.standardError ** 2 + (f * (1 - f)) / PER_CELL, 12);
      }),
    );
  });
});
