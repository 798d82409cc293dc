/**
 * Issue 17 §2 at the collector: set-bit histograms kept at ingest, the integrity signal on every
 * released cell, `?defence=ldprecover`, the suspicious-cells gauge. Plays the attacker through the
 * HTTP API (maximal-gain reports: only the target bit set), and checks the withholding rules: a
 * withheld day, or a withheld (day, level) part, must not show through a week's or total's signal.
 */
import { addDays, createQuestionRandomizer, RandomSampler, seededRandomSource, validateCampaign, type Question } from '@practical-privacy/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import type { CellRelease, EstimateRelease } from '../src/release.ts';
import { ADMIN, READ, TODAY, post, reportId } from './helpers.ts';
import { STORES, storeApp } from './stores.ts';

const codes = Array.from({ length: 16 }, (_, i) => ({ code: `s${i}`, label: `S${i}` }));
const CAMPAIGN = {
  id: 'attack',
  version: 1,
  title: 'Integrity',
  questions: [
    { id: 'symptom', type: 'categorical', prompt: 'Symptom?', domain: { categories: codes }, mechanism: 'oue', epsilon: 1, minBatch: 50, tier: 'moderate' },
    { id: 'levelled', type: 'categorical', prompt: 'Symptom (levels)?', domain: { categories: codes }, mechanism: 'l-oue', epsilon: 1, epsilonPermanent: 3, levels: [1, 0.5], minBatch: 50, tier: 'moderate' },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', domain: { categories: codes.slice(0, 4) }, mechanism: 'grr', epsilon: 1, minBatch: 50, tier: 'moderate' },
  ],
};
const questions = validateCampaign(CAMPAIGN).questions as Question[];

/** base64url of k packed bits with only `targets` set: what the maximal-gain attack sends to a unary encoding. */
function mgaPayload(k: number, targets: number[]): string {
  const bytes = new Uint8Array(Math.ceil(k / 8));
  for (const t of targets) bytes[t >> 3]! |= 1 << (t & 7);
  return Buffer.from(bytes).toString('base64url');
}

function honest(rng: RandomSampler, questionId: string, count: number, day: string, answer: (r: RandomSampler) => number, level?: number) {
  const q = questions.find((x) => x.id === questionId)!;
  const randomizer = createQuestionRandomizer(q, level === undefined ? {} : { level }) as unknown as { randomize(x: number, r: RandomSampler): Uint8Array | number; encodeReport(r: unknown): { payload: unknown } };
  return Array.from({ length: count }, () => ({ id: reportId(), questionId, day, payload: randomizer.encodeReport(randomizer.randomize(answer(rng), rng)).payload, ...(level === undefined ? {} : { ext: { level } }) }));
}

function fakes(questionId: string, count: number, day: string, level?: number) {
  return Array.from({ length: count }, () => ({ id: reportId(), questionId, day, payload: mgaPayload(16, [5]), ...(level === undefined ? {} : { ext: { level } }) }));
}

async function send(app: CollectorApp, list: unknown[]) {
  for (let i = 0; i < list.length; i += 500) {
    const response = await post(app, { protocol: 2, campaignId: 'attack', campaignVersion: 1, reports: list.slice(i, i + 500) });
    expect(response.statusCode, response.body).toBe(202);
  }
}

async function release(app: CollectorApp, query: string): Promise<EstimateRelease> {
  const response = await app.inject({ url: `/v1/campaigns/attack/estimates?${query}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as EstimateRelease;
}

const uniform = (r: RandomSampler) => r.uniformInt(16);
const share = (cell: CellRelease, i: number) => (cell.values![i] as { unbiased: number }).unbiased;

describe.each(STORES)('integrity signal and defence on $name', (store) => {
  let app: CollectorApp & { dispose: () => Promise<void> };
  const d1 = addDays(TODAY, -3);
  const d2 = addDays(TODAY, -2);
  const d3 = addDays(TODAY, -1);
  beforeEach(async () => {
    app = await storeApp(store, 'integrity');
    const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
    expect(published.statusCode).toBe(201);
  });
  afterEach(async () => {
    await app.dispose();
  });

  it('flags the attacked day, not the honest day nor the outbreak day; a withheld all-fake day does not reach the total', async () => {
    const rng = new RandomSampler(seededRandomSource('collector integrity'));
    // d1 honest; d2 honest + 5% MGA; d3 an outbreak (70% answer s3) — honest, must stay ok; TODAY 49 fakes only (< minBatch: withheld).
    await send(app, [
      ...honest(rng, 'symptom', 800, d1, uniform),
      ...honest(rng, 'symptom', 800, d2, uniform),
      ...fakes('symptom', 42, d2),
      ...honest(rng, 'symptom', 800, d3, (r) => (r.uniformInt(10) < 7 ? 3 : r.uniformInt(16))),
      ...fakes('symptom', 49, TODAY),
    ]);
    const days = await release(app, 'question=symptom&bucket=day');
    expect(days.defence).toBe('none');
    expect(days.cells.map((c) => [c.period, c.integrity?.status])).toEqual([
      [d1, 'ok'],
      [d2, 'suspicious'],
      [d3, 'ok'],
      [TODAY, undefined],
    ]);
    expect(days.cells[1]!.integrity!.score!).toBeGreaterThan(3);
    expect(days.cells[0]!.integrity!.score).toBeLessThan(3);
    // The total of d1 and d3 (honest) plus the withheld all-fake day: ok — were TODAY's 49 crafted reports counted, it would be flagged.
    const honestTotal = await release(app, `question=symptom&bucket=total&from=${d3}`);
    expect(honestTotal.cells[0]!.n).toBe(800);
    expect(honestTotal.cells[0]!.integrity?.status).toBe('ok');
    expect(honestTotal.cells[0]!.withheld?.days).toBe(1);

    // The gauge counts the (question, day) cells flagged in the latest day reads, by campaign.
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/pp_integrity_suspicious_cells\{campaign="attack"\} 1\b/);

    // Recovery: the target's gain on d2 mostly removed; honest d1 unchanged up to Norm-Sub.
    const plain = days.cells[1]!;
    const defended = await release(app, 'question=symptom&bucket=day&defence=ldprecover');
    expect(defended.defence).toBe('ldprecover');
    const cell = defended.cells[1]!;
    expect(cell.recovery).toMatchObject({ applied: true, targets: ['s5'] });
    expect(cell.recovery!.fakeShare!).toBeGreaterThan(0.03);
    expect(share(plain, 5) - 1 / 16).toBeGreaterThan(0.06);
    expect(Math.abs(share(cell, 5) - 1 / 16)).toBeLessThan(0.04);
    expect(defended.cells[0]!.recovery).toMatchObject({ applied: true, fakeShare: 0, targets: [] });
    expect(share(defended.cells[0]!, 2)).toBe(share(days.cells[0]!, 2));

    const csv = await app.inject({ url: '/v1/campaigns/attack/export?question=symptom&bucket=day', headers: { authorization: `Bearer ${READ}` } });
    const [header, ...rows] = csv.body.trim().split('\n');
    expect(header).toMatch(/,integrity_status,integrity_score$/);
    expect(rows.filter((r) => r.includes(d2)).every((r) => r.split(',').at(-2) === 'suspicious')).toBe(true);
  });

  it('a withheld (day, level) part stays out of the signal', async () => {
    const rng = new RandomSampler(seededRandomSource('collector integrity levels'));
    await send(app, [...honest(rng, 'levelled', 800, d1, uniform, 1), ...fakes('levelled', 49, d1, 0.5)]);
    const day = (await release(app, 'question=levelled&bucket=day')).cells[0]!;
    expect(day.n).toBe(800);
    expect(day.integrity?.status).toBe('ok');
    // With 50 (the minimum batch) the level part is released — and then its crafted reports are flagged.
    await send(app, fakes('levelled', 1, d1, 0.5));
    const released = (await release(app, 'question=levelled&bucket=day')).cells[0]!;
    expect(released.n).toBe(850);
    expect(released.integrity?.status).toBe('suspicious');
  });

  it('GRR cells say detection is not applicable; recovery says it was not applied; a bad defence is refused', async () => {
    const rng = new RandomSampler(seededRandomSource('collector integrity grr'));
    await send(app, honest(rng, 'pain', 200, d1, (r) => r.uniformInt(4)));
    const cell = (await release(app, 'question=pain&bucket=total&defence=ldprecover')).cells[0]!;
    expect(cell.integrity).toMatchObject({ status: 'not-applicable', score: null });
    expect(cell.integrity!.reason).toMatch(/cannot be detected/);
    expect(cell.recovery).toMatchObject({ applied: false });
    const bad = await app.inject({ url: '/v1/campaigns/attack/estimates?question=pain&defence=magic', headers: { authorization: `Bearer ${READ}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });
});
