/**
 * Coverage of the read API's 95% intervals for questions with privacy levels (issue 14 §2), end to
 * end: fresh patients per day cell, each report randomized at its level with core's device-side
 * randomizers (what the SDK runs), sent as protocol-v2 batches with `ext.level`, read back per day
 * from GET …/estimates (population estimand, the default).
 *
 *  1. Levels chosen on the patient's side and dependent on the answer — the issue's mixture: 30%
 *     choose ε₁ = 0.5 with prevalence 40%, 70% stay at ε₁ = 2 with 10% (truth 19.0%) — for a yes/no
 *     (L-GRR) question and a categorical L-OUE question with three levels. The released
 *     report-count intervals cover; the collector refuses inverse-variance weights there
 *     (WEIGHTING_UNAVAILABLE), and the test computes what they would have given from the same
 *     per-level sums (kept by the test, never released) to show the refusal matters: the same
 *     coverage check fails for them (mood: centred near the issue's 10.8%, 8 of 100 cells cover;
 *     pain's "head": 11.7% for a truth of 21%, 61 of 100).
 *  2. Levels drawn at random (levelPolicy.assignment 'random', core's drawLevel, weights 3:7),
 *     independent of the answer: both `weighting=reports` and `weighting=inverse-variance` cover.
 *
 * Each question has 100 independent day cells, so a count of covering cells is Binomial(100, 0.95)
 * when the intervals are right; each assertion uses the exact binomial lower bound at false-alarm
 * probability 1/2000 (statistics.ts): 87. Seeds are fixed (core's seededRandomSource).
 */
import {
  createQuestionRandomizer,
  drawLevel,
  mixedLevelFrequencies,
  questionLevels,
  RandomSampler,
  seededRandomSource,
  validateCampaign,
  createQuestionMechanism,
  type Question,
  newReportId,
} from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { READ, coverageApp } from './helpers.ts';
import { binomialLowerBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const CELLS = 100;
const PER_CELL = 800;
const DAYS = Array.from({ length: CELLS }, (_, i) => new Date(NOW.getTime() - (CELLS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
const LOWER_95 = binomialLowerBound(CELLS, [19, 20], [1, 2000]);

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));
const CAMPAIGN = {
  id: 'levels-coverage',
  version: 1,
  title: 'Levels coverage',
  questions: [
    { id: 'mood', prompt: 'Low mood?', tier: 'moderate', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], minBatch: 20 },
    { id: 'pain', prompt: 'Where is the pain?', tier: 'moderate', type: 'categorical', mechanism: 'l-oue', epsilon: 2, epsilonPermanent: 4, levels: [2, 1, 0.5], domain: { categories: options(['head', 'back', 'none']) }, minBatch: 20 },
    { id: 'drawn', prompt: 'Low mood?', tier: 'moderate', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], levelPolicy: { assignment: 'random', weights: [7, 3] }, minBatch: 20 },
  ],
};
const QUESTIONS = new Map(validateCampaign(CAMPAIGN).questions.map((q) => [q.id, q as Question]));

/** A patient: the level they report at and their answer (an index into the question's values). */
type Patient = (rng: RandomSampler) => { level: number; answer: number };

const yesWith = (rng: RandomSampler, share: number) => (rng.uint32() < share * 2 ** 32 ? 1 : 0);
/** The issue's mixture: 30% choose ε₁ = 0.5 and answer yes with probability 40%, the rest stay at 2 with 10%. */
const moodPatient: Patient = (rng) => (rng.uint32() < 0.3 * 2 ** 32 ? { level: 0.5, answer: yesWith(rng, 0.4) } : { level: 2, answer: yesWith(rng, 0.1) });
/** Pain: 20% at ε₁ = 0.5 (head 50%, back 30%), 30% at 1 (head 20%, back 40%), 50% at 2 (head 10%, back 20%); the rest "none". */
const PAIN: Array<[level: number, share: number, head: number, back: number]> = [
  [0.5, 0.2, 0.5, 0.3],
  [1, 0.3, 0.2, 0.4],
  [2, 0.5, 0.1, 0.2],
];
const painPatient: Patient = (rng) => {
  let u = rng.uint32() / 2 ** 32;
  const [level, , head, back] = PAIN.find(([, share]) => (u -= share) < 0) ?? PAIN[2]!;
  const v = rng.uint32() / 2 ** 32;
  return { level, answer: v < head ? 0 : v < head + back ? 1 : 2 };
};
const PAIN_TRUTH = [0, 1].map((i) => PAIN.reduce((s, row) => s + row[1] * row[2 + i]!, 0)).concat([0]);
PAIN_TRUTH[2] = 1 - PAIN_TRUTH[0]! - PAIN_TRUTH[1]!;
const drawnPatient: Patient = (rng) => ({ level: drawLevel(QUESTIONS.get('drawn')!, rng), answer: yesWith(rng, 0.19) });

let app: CollectorApp;
beforeAll(async () => {
  app = await coverageApp([CAMPAIGN], CELLS, NOW);
});
afterAll(async () => {
  await app.close();
});

/**
 * PER_CELL fresh patients a day for every day, randomized at their level and POSTed; returns, per
 * day, the per-level sums the collector keeps (computed here from the same reports with core's
 * mechanism of each level — for the test's own inverse-variance figures, never read from the API).
 */
async function ingest(questionId: string, patient: Patient): Promise<Array<Array<{ p: number; q: number; scale: number; sums: Float64Array }>>> {
  const question = QUESTIONS.get(questionId)!;
  const rng = new RandomSampler(seededRandomSource(`levels coverage ${questionId}`));
  type Randomizer = { randomize(x: number, r: RandomSampler): unknown; encodeReport(x: unknown): { payload: unknown } };
  type Mechanism = { p: number; q: number; sumsLength: number; contribute(report: unknown, cells: { add(i: number, d: number): void }): void; decodeReport(e: { payload: unknown }): unknown };
  const levels = questionLevels(question);
  const randomizers = new Map(levels.map((level) => [level, createQuestionRandomizer(question, { level }) as unknown as Randomizer]));
  const mechanisms = new Map(levels.map((level) => [level, createQuestionMechanism(question, { level }) as unknown as Mechanism]));
  const perDay = [];
  for (const day of DAYS) {
    const sums = new Map(levels.map((level) => [level, new Float64Array(mechanisms.get(level)!.sumsLength)]));
    const reports = Array.from({ length: PER_CELL }, () => {
      const { level, answer } = patient(rng);
      const encoded = randomizers.get(level)!.encodeReport(randomizers.get(level)!.randomize(answer, rng));
      const mechanism = mechanisms.get(level)!;
      const own = sums.get(level)!;
      mechanism.contribute(mechanism.decodeReport(encoded), { add: (i, d) => (own[i]! += d) });
      return { id: newReportId(rng), questionId, day, ...encoded, ext: { level } };
    });
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ protocol: 2, campaignId: 'levels-coverage', campaignVersion: 1, reports }) });
    expect(response.statusCode, response.body).toBe(202);
    perDay.push(levels.map((level) => ({ p: mechanisms.get(level)!.p, q: mechanisms.get(level)!.q, scale: 1, sums: sums.get(level)! })));
  }
  return perDay;
}

async function dailyCells(questionId: string, weighting?: string) {
  const response = await app.inject({ url: `/v1/campaigns/levels-coverage/estimates?question=${questionId}&bucket=day&from=${DAYS[0]}&to=${DAYS[CELLS - 1]}${weighting === undefined ? '' : `&weighting=${weighting}`}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  const release = response.json() as { weighting: { name: string }; cells: Array<{ period: string; n: number; values: Array<{ unbiased: number; ci95: [number, number] }> }> };
  expect(release.cells.map((c) => c.period)).toEqual(DAYS);
  return release;
}

const covers = ([low, high]: readonly [number, number], truth: number) => low <= truth && truth <= high;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('levels chosen on the patient’s side, dependent on the answer', () => {
  it('uses the exact binomial bound', () => {
    expect(LOWER_95).toBe(87);
  });

  it.each([
    ['mood', moodPatient, [0.81, 0.19]],
    ['pain', painPatient, PAIN_TRUTH],
  ] as const)('%s: report-count intervals cover; inverse-variance ones would not (and are refused)', async (questionId, patient, truth) => {
    const perDay = await ingest(questionId, patient);
    const release = await dailyCells(questionId);
    expect(release.weighting.name).toBe('reports');
    const refused = await app.inject({ url: `/v1/campaigns/levels-coverage/estimates?question=${questionId}&weighting=inverse-variance`, headers: { authorization: `Bearer ${READ}` } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('WEIGHTING_UNAVAILABLE');

    const k = truth.length;
    const covered = { reports: Array(k).fill(0) as number[], inverse: Array(k).fill(0) as number[] };
    const inverseValues: number[][] = Array.from({ length: k }, () => []);
    release.cells.forEach((cell, d) => {
      expect(cell.n).toBe(PER_CELL);
      const inverse = mixedLevelFrequencies(perDay[d]!, k, { weighting: 'inverse-variance' });
      const byReports = mixedLevelFrequencies(perDay[d]!, k);
      for (let v = 0; v < k; v++) {
        // The release is the report-count estimate of the sums the test kept.
        expect(cell.values[v]!.unbiased).toBeCloseTo(byReports.values[v]!, 9);
        if (covers(cell.values[v]!.ci95, truth[v]!)) covered.reports[v]!++;
        if (covers(inverse.ci95[v]!, truth[v]!)) covered.inverse[v]!++;
        inverseValues[v]!.push(inverse.values[v]!);
      }
    });
    console.log(
      `${questionId}: truth ${truth.map((t) => t.toFixed(3)).join(', ')}; report-count intervals covering ${covered.reports.join(', ')} of ${CELLS} (each ≥ ${LOWER_95}); ` +
        `inverse-variance would cover ${covered.inverse.join(', ')}, mean estimates ${inverseValues.map((xs) => mean(xs).toFixed(3)).join(', ')}`,
    );
    for (const c of covered.reports) expect(c).toBeGreaterThanOrEqual(LOWER_95);
    // The same check fails for inverse-variance weights: mood's yes share (the issue's 10.8%) and
    // pain's "head" are biased far below the truth, so their intervals miss the nominal rate.
    const biased = questionId === 'mood' ? 1 : 0;
    expect(covered.inverse[biased]!).toBeLessThan(LOWER_95);
    expect(truth[biased]! - mean(inverseValues[biased]!)).toBeGreaterThan(0.06);
  });
});

describe('levels drawn at random, independent of the answer', () => {
  it('drawn (weights 7:3, prevalence 19%): both weightings cover through the API', async () => {
    await ingest('drawn', drawnPatient);
    const covered: Record<string, number> = {};
    for (const weighting of ['reports', 'inverse-variance']) {
      const release = await dailyCells('drawn', weighting);
      expect(release.weighting.name).toBe(weighting);
      covered[weighting] = release.cells.filter((cell) => covers(cell.values[1]!.ci95, 0.19)).length;
    }
    console.log(`drawn: 95% intervals covering 19% — reports ${covered.reports}/${CELLS}, inverse-variance ${covered['inverse-variance']}/${CELLS} (each ≥ ${LOWER_95})`);
    expect(covered.reports).toBeGreaterThanOrEqual(LOWER_95);
    expect(covered['inverse-variance']).toBeGreaterThanOrEqual(LOWER_95);
  });
});
