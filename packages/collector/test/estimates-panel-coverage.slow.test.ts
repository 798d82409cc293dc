/**
 * Coverage of week and total 95% intervals when the SAME patients report every day, as a clinic
 * panel does — end to end through POST /v1/reports and GET …/estimates.
 *
 * Each trial is its own campaign: a fixed panel of PANEL patients who each report both questions
 * on every one of 30 days (2026-06-01, a Monday, to 2026-06-30), so the week cell is the first ISO
 * week and the total is all 30 days. A patient's answer changes on a given day with probability
 * CHANGE; otherwise it is unchanged. The "device" memoizes as the SDK does (sdk/src/worker/api.ts):
 * one randomized report per distinct answer, drawn the first time that answer is given and re-sent
 * on every later day with the same answer. So a week's reports are mostly the same 300 reports
 * seven times over — strongly correlated, and nothing the collector stores says so.
 *
 * Two estimands (core's estimand.ts), two truths:
 *  - respondents (`?estimand=respondents`): the report-weighted mean of the days' true statistics
 *    among that day's reporters (here every patient reports every day, so the plain mean over days);
 *  - population (the default): the panel is drawn from PAIN / SLEEP and every change redraws from
 *    them, so every day's population share is PAIN[v] and mean is the mean of SLEEP. The panel's
 *    sampling error is the same 300 patients on every day — perfectly correlated across days, the
 *    case the any-correlation bound over the days' population SEs must cover.
 * The numeric mean has one (empirical) SE for both, checked against both truths.
 *
 * Per trial and for each categorical value and for the numeric mean, the week and the total
 * interval cover the truth or not; trials are independent (own campaign, own seed), so the number
 * covering is Binomial(TRIALS, c). The week/total SE is an upper bound (estimates.ts), so c ≥ 0.95
 * up to the normal approximation; each count is asserted to be at least the exact binomial lower
 * bound for c = 0.95 at false-alarm probability 1/2000 (statistics.ts): 16 assertions, so a correct
 * implementation fails with probability < 1%, and seeds are fixed, so a failure reproduces.
 * Treating the reports as independent (the collector before the bound) gives a week SE about √7
 * too small; that code covered ≈ 0.5 in a week and ≈ 0.3 in 30 days here.
 */
import { RandomSampler, createCampaignRandomizers, seededRandomSource, validateCampaign, type AnyRandomizer, type EncodedReport } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { ADMIN, READ, makeApp } from './helpers.ts';
import { binomialLowerBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const DAYS = Array.from({ length: 30 }, (_, i) => `2026-06-${String(i + 1).padStart(2, '0')}`);
const WEEK = DAYS.slice(0, 7); // 2026-06-01 is a Monday
const TRIALS = 200;
const PANEL = 300;
const CHANGE = 0.05;
const FALSE_ALARM = [1, 2000] as const;

const PAIN = [0.5, 0.3, 0.2]; // categorical answer distribution
const SLEEP = [4, 6, 7, 8, 10]; // numeric answers, drawn uniformly

const campaign = (trial: number) => ({
  id: `panel-${trial}`,
  version: 1,
  title: 'Panel',
  questions: [
    { id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'moderate', mechanism: 'grr', epsilon: 1, minBatch: 20, domain: { categories: ['none', 'mild', 'bad'].map((c) => ({ code: c, label: c })) } },
    { id: 'sleep', type: 'numeric', prompt: 'Hours of sleep?', tier: 'low', mechanism: 'duchi', epsilon: 1, minBatch: 20, domain: { low: 0, high: 12 } },
  ],
});
const randomizers = createCampaignRandomizers(validateCampaign(campaign(0)));

let app: CollectorApp;
beforeAll(async () => {
  app = await makeApp({ maxBatchReports: 1000, bodyLimitBytes: 4 * 1024 * 1024, reportWindowDays: 35 }, { now: () => NOW });
});
afterAll(async () => {
  await app.close();
});

interface Patient {
  pain: number;
  sleep: number;
  memo: Map<string, EncodedReport>;
}

/** What the device sends: the memoized report of this answer, randomized on first use. */
function memoized(patient: Patient, questionId: 'pain' | 'sleep', rng: RandomSampler): EncodedReport {
  const answer = patient[questionId];
  const key = `${questionId}|${answer}`;
  let encoded = patient.memo.get(key);
  if (encoded === undefined) {
    const randomizer = randomizers.get(questionId) as Exclude<AnyRandomizer, { name: 'rappor' }>;
    encoded = randomizer.encodeReport(randomizer.randomize(answer as never, rng));
    patient.memo.set(key, encoded);
  }
  return encoded;
}

const uniform = (rng: RandomSampler) => rng.uint32() / 2 ** 32;
function drawPain(rng: RandomSampler): number {
  let u = uniform(rng);
  for (let v = 0; v < PAIN.length; v++) if ((u -= PAIN[v]!) < 0) return v;
  return PAIN.length - 1;
}
const drawSleep = (rng: RandomSampler) => SLEEP[rng.uint32() % SLEEP.length]!;

/** Runs one trial: publishes its campaign, sends 30 days of panel reports, returns each day's truth. */
async function runTrial(trial: number): Promise<Array<{ pain: number[]; sleep: number }>> {
  const doc = campaign(trial);
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: doc });
  expect(published.statusCode, published.body).toBe(201);
  const rng = new RandomSampler(seededRandomSource(`collector panel coverage ${trial}`));
  const patients: Patient[] = Array.from({ length: PANEL }, () => ({ pain: drawPain(rng), sleep: drawSleep(rng), memo: new Map() }));
  const reports: unknown[] = [];
  const truth = DAYS.map((day, d) => {
    const counts = PAIN.map(() => 0);
    let sleep = 0;
    patients.forEach((p, i) => {
      if (d > 0 && uniform(rng) < CHANGE) p.pain = drawPain(rng);
      if (d > 0 && uniform(rng) < CHANGE) p.sleep = drawSleep(rng);
      counts[p.pain]! += 1;
      sleep += p.sleep;
      // Ids only need to be unique: trial, question, patient and day in hex.
      const id = (q: number) => [trial, q, i, d].map((x) => x.toString(16).padStart(8, '0')).join('');
      reports.push({ id: id(0), questionId: 'pain', day, ...memoized(p, 'pain', rng) });
      reports.push({ id: id(1), questionId: 'sleep', day, ...memoized(p, 'sleep', rng) });
    });
    return { pain: counts.map((c) => c / PANEL), sleep: sleep / PANEL };
  });
  for (let i = 0; i < reports.length; i += 1000) {
    const body = JSON.stringify({ campaignId: doc.id, campaignVersion: 1, reports: reports.slice(i, i + 1000) });
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: body });
    expect(response.statusCode, response.body).toBe(202);
  }
  return truth;
}

interface Cell {
  n: number;
  suppressed: boolean;
  values?: Array<{ unbiased: number; ci95: [number, number] }>;
  mean?: { estimate: number; ci95: [number, number] };
}

async function cell(trial: number, question: string, bucket: 'week' | 'total', days: string[], estimand: 'population' | 'respondents'): Promise<Cell> {
  const url = `/v1/campaigns/panel-${trial}/estimates?question=${question}&bucket=${bucket}&from=${days[0]}&to=${days.at(-1)}&estimand=${estimand}`;
  const response = await app.inject({ url, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  const cells = response.json().cells as Cell[];
  expect(cells).toHaveLength(1);
  expect(cells[0]).toMatchObject({ n: PANEL * days.length, suppressed: false });
  return cells[0]!;
}

const covers = ([low, high]: readonly [number, number], truth: number) => low <= truth && truth <= high;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('week and total intervals under repeated, memoized reporting by a fixed panel', () => {
  const lower = binomialLowerBound(TRIALS, [19, 20], FALSE_ALARM);

  it(`cover at ≥ 95% (each count ≥ the binomial lower bound over ${TRIALS} trials)`, async () => {
    const buckets = { week: WEEK, total: DAYS } as const;
    // covered[estimand][bucket][target]: targets are the pain values, then the sleep mean.
    const covered = { respondents: { week: [0, 0, 0, 0], total: [0, 0, 0, 0] }, population: { week: [0, 0, 0, 0], total: [0, 0, 0, 0] } };
    const populationSleep = mean(SLEEP);
    for (let trial = 0; trial < TRIALS; trial++) {
      const truth = await runTrial(trial);
      for (const bucket of ['week', 'total'] as const) {
        const days = buckets[bucket];
        const inRange = truth.slice(0, days.length);
        const pain = await cell(trial, 'pain', bucket, days, 'respondents');
        pain.values!.forEach((v, value) => {
          if (covers(v.ci95, mean(inRange.map((t) => t.pain[value]!)))) covered.respondents[bucket][value]! += 1;
        });
        const painPopulation = await cell(trial, 'pain', bucket, days, 'population');
        painPopulation.values!.forEach((v, value) => {
          if (covers(v.ci95, PAIN[value]!)) covered.population[bucket][value]! += 1;
        });
        const sleep = await cell(trial, 'sleep', bucket, days, 'respondents');
        if (covers(sleep.mean!.ci95, mean(inRange.map((t) => t.sleep)))) covered.respondents[bucket][3]! += 1;
        if (covers(sleep.mean!.ci95, populationSleep)) covered.population[bucket][3]! += 1;
      }
    }
    for (const estimand of ['respondents', 'population'] as const) {
      for (const bucket of ['week', 'total'] as const) {
        console.log(`${estimand} ${bucket}: 95% intervals covering (pain none, mild, bad; sleep mean) ${covered[estimand][bucket].map((c) => (c / TRIALS).toFixed(3)).join(', ')} of ${TRIALS} trials (each ≥ ${lower}/${TRIALS})`);
      }
    }
    for (const estimand of ['respondents', 'population'] as const) for (const c of [...covered[estimand].week, ...covered[estimand].total]) expect(c).toBeGreaterThanOrEqual(lower);
  });
});
