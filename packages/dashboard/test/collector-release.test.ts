/**
 * The collector's real estimates response — built in-process with the collector's own test
 * helpers (makeApp: fresh in-memory store), a unary-encoding question and a maximal-gain attack on
 * one day — through the dashboard's reader (DashboardApi.estimates, rowsOf, the CSV): every cell's
 * `integrity` and `recovery` and the release's `defence` arrive whole, field for field. Fails when
 * the collector renames or adds a field the dashboard drops, or when the dashboard's reader loses one.
 * Also what the collector says for every mechanism without a set-bit law (binary RR, GRR, OLH,
 * Hadamard, numeric, multiselect): not-applicable and not recovered — the SDK README's "undetectable" list.
 */
import { addDays, createQuestionRandomizer, RandomSampler, resolvedMechanismName, seededRandomSource, validateCampaign, type Question } from '@practical-privacy/core';
import type { EstimateRelease } from '@practical-privacy/collector/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { READ, TODAY, makeApp, post, publish, reportId } from '../../collector/test/helpers.ts';
import { DashboardApi } from '../src/api.ts';
import { defenceOf, integrityOf, recoveryOf } from '../src/integrity.ts';
import { CSV_COLUMNS, rowsOf, toCsv } from '../src/model.ts';

const categories = Array.from({ length: 16 }, (_, i) => ({ code: `s${i}`, label: `Symptom ${i}` }));
const DOCUMENT = {
  id: 'poisoned',
  version: 1,
  title: 'Poisoned',
  questions: [
    { id: 'symptom', type: 'categorical', prompt: 'Symptom?', domain: { categories }, mechanism: 'oue', epsilon: 1, minBatch: 50, tier: 'moderate' },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', domain: { categories: categories.slice(0, 4) }, mechanism: 'grr', epsilon: 1, minBatch: 50, tier: 'moderate' },
    { id: 'levelled', type: 'categorical', prompt: 'Symptom (levels)?', domain: { categories }, mechanism: 'l-oue', epsilon: 1, epsilonPermanent: 3, levels: [1, 0.5], minBatch: 50, tier: 'moderate' },
  ],
};
const campaign = validateCampaign(DOCUMENT);
/** One question per mechanism whose every output is a valid honest report (LOLOHA: core's test/integrity.test.ts). */
const NO_LAW = {
  id: 'no-law',
  version: 1,
  title: 'No set-bit law',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Fever?', mechanism: 'binary-rr', epsilon: 1, minBatch: 5, tier: 'high' },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', domain: { categories: categories.slice(0, 4) }, mechanism: 'grr', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'region', type: 'categorical', prompt: 'Region?', domain: { categories: categories.slice(0, 6) }, mechanism: 'olh', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'diet', type: 'categorical', prompt: 'Diet?', domain: { categories: categories.slice(0, 5) }, mechanism: 'hadamard', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'sleep', type: 'numeric', prompt: 'Sleep?', domain: { low: 0, high: 12, gridSize: 12 }, mechanism: 'piecewise', epsilon: 2, minBatch: 5, tier: 'low' },
    { id: 'temperature', type: 'numeric', prompt: 'Temperature?', domain: { low: 35, high: 42 }, mechanism: 'duchi', epsilon: 1, minBatch: 5, tier: 'low' },
    { id: 'steps', type: 'numeric', prompt: 'Steps?', domain: { low: 0, high: 20, gridSize: 20 }, mechanism: 'hybrid', epsilon: 1, minBatch: 5, tier: 'low' },
    { id: 'aches', type: 'multiselect', prompt: 'Which aches?', domain: { items: categories.slice(0, 4), maxItems: 2, inner: 'grr' }, epsilon: 2, minBatch: 5, tier: 'moderate' },
  ],
};
const attacked = addDays(TODAY, -1);
const honestDay = addDays(TODAY, -2);

let app: Awaited<ReturnType<typeof makeApp>>;

function honest(rng: RandomSampler, question: Question, count: number, day: string) {
  const randomizer = createQuestionRandomizer(question) as unknown as { randomize(x: number, r: RandomSampler): unknown; encodeReport(r: unknown): { payload: unknown } };
  const k = question.type === 'categorical' ? question.domain.categories.length : 2;
  return Array.from({ length: count }, () => ({ id: reportId(), questionId: question.id, day, payload: randomizer.encodeReport(randomizer.randomize(rng.uniformInt(k), rng)).payload }));
}

beforeAll(async () => {
  app = await makeApp();
  expect(await publish(app, DOCUMENT)).toBe(201);
  const rng = new RandomSampler(seededRandomSource('dashboard collector-release'));
  const [symptom, pain, levelled] = campaign.questions as Question[];
  const levelRandomizer = createQuestionRandomizer(levelled!, { level: 1 }) as unknown as { randomize(x: number, r: RandomSampler): unknown; encodeReport(r: unknown): { payload: unknown } };
  const levelledReports = Array.from({ length: 200 }, () => ({ id: reportId(), questionId: 'levelled', day: attacked, payload: levelRandomizer.encodeReport(levelRandomizer.randomize(rng.uniformInt(16), rng)).payload, ext: { level: 1 } }));
  // 8% maximal-gain fakes on `attacked`: only the bit of s3 set (OUE's packed-bit payload, 16 bits).
  const fake = Buffer.from([1 << 3, 0]).toString('base64url');
  const reports = [...honest(rng, symptom!, 800, honestDay), ...honest(rng, symptom!, 800, attacked), ...Array.from({ length: 70 }, () => ({ id: reportId(), questionId: 'symptom', day: attacked, payload: fake })), ...honest(rng, pain!, 300, attacked), ...levelledReports];
  for (let i = 0; i < reports.length; i += 500) {
    const response = await post(app, { protocol: 2, campaignId: 'poisoned', campaignVersion: 1, reports: reports.slice(i, i + 500) });
    expect(response.statusCode, response.body).toBe(202);
  }
  vi.stubGlobal('fetch', collectorFetch);
});

/** The dashboard's fetch, answered by the in-process collector. */
async function collectorFetch(url: string, init: RequestInit): Promise<Response> {
  const response = await app.inject({ url: new URL(url).pathname + new URL(url).search, headers: init.headers as Record<string, string> });
  return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
}

afterAll(async () => {
  vi.unstubAllGlobals();
  await app?.close();
});

/** One RFC 4180 line's fields (the reasons and notes hold commas and are quoted). */
function csvFields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
}

const reader = () => new DashboardApi('http://collector.test', READ);
const query = (question: string, defence?: 'ldprecover') => ({ campaignId: 'poisoned', version: 1, question, bucket: 'day' as const, estimand: 'population' as const, ...(defence === undefined ? {} : { defence }) });

async function raw(question: string, defence?: string): Promise<EstimateRelease> {
  const response = await app.inject({ url: `/v1/campaigns/poisoned/estimates?question=${question}&bucket=day&estimand=population${defence === undefined ? '' : `&defence=${defence}`}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as EstimateRelease;
}

describe("the collector's real release through the dashboard's reader", () => {
  it('integrity per cell and defence arrive whole: the attacked day suspicious, the honest day ok', async () => {
    const release = await reader().estimates(query('symptom'));
    expect(release).toEqual(await raw('symptom'));
    expect(defenceOf(release)).toBe('none');
    expect(release.cells.map((c) => [c.period, integrityOf(c)?.status])).toEqual([
      [honestDay, 'ok'],
      [attacked, 'suspicious'],
    ]);
    for (const cell of release.cells) {
      expect(cell.integrity).toBeDefined();
      expect(integrityOf(cell)).toEqual(cell.integrity);
      expect(recoveryOf(cell)).toBeUndefined();
    }
    const rows = rowsOf(release, campaign.questions[0]!);
    expect(rows).toHaveLength(32);
    for (const row of rows) expect(row.integrity).toEqual(release.cells.find((c) => c.period === row.period)!.integrity);
  });

  it('with defence=ldprecover every cell\'s recovery note (applied, fake share, targets, note) reaches the rows and the CSV', async () => {
    const release = await reader().estimates(query('symptom', 'ldprecover'));
    expect(release).toEqual(await raw('symptom', 'ldprecover'));
    expect(defenceOf(release)).toBe('ldprecover');
    const attackedCell = release.cells.find((c) => c.period === attacked)!;
    expect(attackedCell.recovery).toMatchObject({ applied: true, targets: ['s3'] });
    expect(attackedCell.recovery!.fakeShare!).toBeGreaterThan(0.03);
    for (const cell of release.cells) {
      expect(cell.recovery).toBeDefined();
      expect(recoveryOf(cell)).toEqual(cell.recovery);
    }
    const rows = rowsOf(release, campaign.questions[0]!);
    const csv = toCsv(rows, { campaign: 'poisoned', version: 1, bucket: 'day', estimand: 'population', defence: defenceOf(release) }).trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    expect(header).toEqual(['campaign', 'version', 'bucket', 'estimand', 'defence', ...CSV_COLUMNS]);
    const line = rows.findIndex((r) => r.period === attacked) + 1;
    const at = (column: string) => csvFields(csv[line]!)[header.indexOf(column)];
    expect(at('defence')).toBe('ldprecover');
    expect(at('recoveryApplied')).toBe('true');
    expect(Number(at('recoveryFakeShare'))).toBe(attackedCell.recovery!.fakeShare);
    expect(at('recoveryTargets')).toBe('s3');
    expect(at('recoveryNote')).toBe(attackedCell.recovery!.note);
    expect(at('integrityStatus')).toBe('suspicious');
    // The recovered values are the collector's, unchanged.
    const values = attackedCell.values as { value: string; unbiased: number }[];
    for (const row of rows.filter((r) => r.period === attacked)) expect(row.estimate).toBe(values.find((v) => v.value === row.value)!.unbiased);
    // The JSON download is the rows: the note is in it whole.
    expect(JSON.parse(JSON.stringify(rows[line - 1])).recovery).toEqual(attackedCell.recovery);
  });

  it('every mechanism without a set-bit law (binary RR, GRR, OLH, Hadamard, numeric, multiselect): integrity not-applicable and recovery not applied, with the collector\'s reasons, through the reader', async () => {
    const other = await makeApp();
    expect(await publish(other, NO_LAW)).toBe(201);
    const rng = new RandomSampler(seededRandomSource('dashboard no-law mechanisms'));
    const questions = validateCampaign(NO_LAW).questions as Question[];
    const reports = questions.flatMap((question) => {
      const randomizer = createQuestionRandomizer(question) as unknown as { randomize(x: unknown, r: RandomSampler): unknown; encodeReport(r: unknown): { payload: unknown } };
      const answer = () => (question.type === 'numeric' ? question.domain.low + rng.uniformInt(question.domain.high - question.domain.low) : question.type === 'categorical' ? rng.uniformInt(question.domain.categories.length) : question.type === 'multiselect' ? [rng.uniformInt(4)] : rng.uniformInt(2));
      return Array.from({ length: 30 }, () => ({ id: reportId(), questionId: question.id, day: TODAY, payload: randomizer.encodeReport(randomizer.randomize(answer(), rng)).payload }));
    });
    const response = await post(other, { campaignId: 'no-law', campaignVersion: 1, reports });
    expect(response.statusCode, response.body).toBe(202);
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const answer = await other.inject({ url: new URL(url).pathname + new URL(url).search, headers: init.headers as Record<string, string> });
      return new Response(answer.body, { status: answer.statusCode, headers: { 'content-type': 'application/json' } });
    });
    try {
      for (const question of questions) {
        const release = await reader().estimates({ ...query(question.id, 'ldprecover'), campaignId: 'no-law' });
        expect(release.mechanism, question.id).toBe(resolvedMechanismName(question));
        expect(release.cells, question.id).toHaveLength(1);
        const cell = release.cells[0]!;
        expect(cell.integrity, question.id).toMatchObject({ status: 'not-applicable', score: null });
        expect(cell.integrity!.reason, question.id).toMatch(/cannot be detected|no detection|nothing to detect/);
        expect(integrityOf(cell)).toEqual(cell.integrity);
        expect(cell.recovery, question.id).toMatchObject({ applied: false, fakeShare: null, targets: [] });
        expect(recoveryOf(cell)).toEqual(cell.recovery);
      }
    } finally {
      vi.stubGlobal('fetch', collectorFetch);
      await other.close();
    }
  });

  it('a question with privacy levels: tested (ok on honest reports) but not recovered, and says why', async () => {
    const release = await reader().estimates(query('levelled', 'ldprecover'));
    const cell = release.cells[0]!;
    expect(cell.integrity?.status).toBe('ok');
    expect(cell.recovery).toMatchObject({ applied: false, fakeShare: null, targets: [] });
    expect(cell.recovery!.note).toMatch(/privacy levels/);
    expect(recoveryOf(cell)).toEqual(cell.recovery);
  });

  it('a GRR question: integrity not-applicable and recovery not applied, each with the collector\'s reason', async () => {
    const release = await reader().estimates(query('pain', 'ldprecover'));
    const cell = release.cells[0]!;
    expect(integrityOf(cell)).toEqual(cell.integrity);
    expect(cell.integrity).toMatchObject({ status: 'not-applicable', score: null });
    expect(recoveryOf(cell)).toEqual(cell.recovery);
    expect(cell.recovery).toMatchObject({ applied: false, fakeShare: null, targets: [] });
    expect(rowsOf(release, campaign.questions[1]!)[0]!.recovery!.note).toMatch(/^not applied: /);
  });
});
