import { describe, expect, it } from 'vitest';
import { Rappor, seededRandomSource, validateCampaign, type RandomSource } from '@practical-privacy/core';
import { campaign, databaseNames, dumpStores, MONDAY, RAW, setup } from './fixtures.ts';
import { resolveMessages } from '../src/messages.ts';
import { detailsOf, plainText } from '../src/explain-text.ts';
import { refusalDbName } from '../src/store/refusal.ts';
import { openSdkDatabase } from '../src/store/db.ts';
import { bloomFilter } from '../src/worker/rappor-bloom.ts';
import { permanentResponse } from '../src/worker/rappor-prr.ts';

const answers: Array<[string, unknown]> = [
  ['fever', true],
  ['symptom', RAW.categorical],
  ['meds', ['a', 'c']],
  ['pain', 7.5],
  ['diagnosis', RAW.string],
  ['sleep', false],
];

/** A clock the test moves: `clock.day(n)` is `n` days after Monday 2026-11-23, 10:00 UTC. */
function movableClock() {
  let at = new Date(MONDAY);
  return { now: () => at, day: (n: number) => (at = new Date(Date.parse(MONDAY) + n * 86_400_000)) };
}


const english = resolveMessages(undefined);
describe('consent', () => {
  it('computes, stores and sends nothing before optIn', async () => {
    const { api, config, net } = await setup();
    const result = await api.report('fever', true);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    expect(await api.flush()).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    const db = await openSdkDatabase(config.dbName!);
    expect(await db.count('outbox')).toBe(0);
    expect(await db.count('ledger')).toBe(0);
    expect(await db.get('meta', 'secret')).toBeUndefined();
    db.close();
    expect(net.requests).toHaveLength(0);
  });

  it('optOut deletes the database (secret, ledger, outbox) and the refusal persists', async () => {
    const { api, config } = await setup();
    await api.optIn();
    for (const [q, a] of answers) expect((await api.report(q, a)).ok).toBe(true);
    expect(await api.optOut()).toEqual({ ok: true, value: { database: 'deleted' } });
    // Only the refusal record is left (test/opt-out-erase.test.ts goes further).
    expect(await databaseNames(config.dbName!)).toEqual([refusalDbName(config.dbName!)]);
    api.close();
    const again = await setup({ dbName: config.dbName });
    expect(again.init).toMatchObject({ ok: true, value: { consented: false } });
    expect(await databaseNames(config.dbName!)).toEqual([refusalDbName(config.dbName!)]);
    again.api.close();
  });
});

describe('report', () => {
  it('randomizes every question type and returns a receipt; nothing raw is stored', async () => {
    const { api, config } = await setup();
    await api.optIn();
    for (const [q, a] of answers) {
      const result = await api.report(q, a);
      if (!result.ok) throw new Error(result.error.message);
      expect(result.value.reportId).toMatch(/^[0-9a-f]{32}$/);
      expect(result.value.epsilonSpent).toBeGreaterThan(0);
      expect(detailsOf(english, result.value.facts).text).toMatch(/probability/);
    }
    const dump = await dumpStores(config.dbName!);
    expect(dump).not.toContain(RAW.string);
    expect(dump).not.toContain(RAW.categorical);
    expect(dump).not.toContain('migraine');
    const db = await openSdkDatabase(config.dbName!);
    expect(await db.count('outbox')).toBe(answers.length);
    const secret = await db.get('meta', 'secret');
    expect(secret).toBeInstanceOf(CryptoKey);
    expect((secret as CryptoKey).extractable).toBe(false);
    db.close();
  });

  it('refuses an invalid answer with INPUT_INVALID and spends nothing', async () => {
    const { api } = await setup();
    await api.optIn();
    for (const [q, a] of [['fever', 'yes'], ['symptom', 'unknown'], ['meds', ['a', 'a']], ['meds', ['a', 'b', 'c']], ['pain', 11], ['pain', Number.NaN], ['diagnosis', '']] as const) {
      expect(await api.report(q, a)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    }
    expect(await api.report('nope', 1)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', path: 'questionId' } });
    const budget = await api.budget();
    expect(budget).toMatchObject({ ok: true, value: { spent: { day: 0, week: 0, lifetime: 0 } } });
  });

  it('randomizes a one-level question afresh on every report and stores nothing per answer', async () => {
    const clock = movableClock();
    const { api, config } = await setup({}, undefined, clock.now);
    await api.optIn();
    const payloads: unknown[] = [];
    for (let day = 0; day < 8; day++) {
      clock.day(day);
      const result = await api.report('symptom', 'fatigue');
      if (!result.ok) throw new Error(result.error.message);
      expect(result.value).not.toHaveProperty('memoized');
    }
    const db = await openSdkDatabase(config.dbName!);
    for (const row of await db.getAll('outbox')) payloads.push(JSON.stringify(row.report.payload));
    expect(new Set(payloads).size).toBeGreaterThan(1);
    expect([...db.objectStoreNames].sort()).toEqual(['ledger', 'meta', 'outbox']);
    db.close();
  });

  it('refuses the report that would pass the day cap with BUDGET_EXCEEDED, before computing', async () => {
    const { api, config } = await setup({ caps: { perDay: 2.5 } });
    await api.optIn();
    expect((await api.report('fever', true)).ok).toBe(true);
    expect((await api.report('pain', 3)).ok).toBe(true);
    const refused = await api.report('meds', ['a']);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BUDGET_EXCEEDED', phase: 'accounting' } });
    const db = await openSdkDatabase(config.dbName!);
    expect(await db.count('outbox')).toBe(2);
    db.close();
    const budget = await api.budget();
    if (!budget.ok) throw new Error();
    expect(budget.value.spent.day).toBeCloseTo(2, 6);
    expect(budget.value.remaining.day).toBeCloseTo(0.5, 6);
  });

  it('fails closed when the ledger is corrupt', async () => {
    const { api, config } = await setup();
    await api.optIn();
    await api.report('fever', true);
    const db = await openSdkDatabase(config.dbName!);
    const row = (await db.getAll('ledger')).find((r) => r.questionId === '*' && r.window === 'lifetime')!;
    await db.put('ledger', { ...row, spent: -5 });
    db.close();
    expect(await api.report('pain', 2)).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
  });

  it('fails closed when the question’s own period row is corrupt', async () => {
    const { api, config } = await setup();
    await api.optIn();
    await api.report('fever', true);
    const db = await openSdkDatabase(config.dbName!);
    const row = (await db.getAll('ledger')).find((r) => r.questionId === 'fever' && r.window === 'day:2026-11-23')!;
    await db.put('ledger', { ...row, spent: Number.NaN });
    db.close();
    expect(await api.report('fever', false)).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
    expect(await api.explain('fever')).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
  });
});

describe('campaign and caps', () => {
  it('refuses a campaign asking for ε above the tier cap (TIER_CAP_EXCEEDED)', async () => {
    const { init } = await setup({ caps: { perReport: { moderate: 0.5 } } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.1.epsilon' } });
  });

  it('refuses malformed campaigns and unknown mechanisms (CAMPAIGN_INVALID)', async () => {
    const bad = { ...campaign, questions: [{ ...campaign.questions[0]!, mechanism: 'laplace' }] };
    expect((await setup({ campaign: bad })).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_INVALID' } });
    expect((await setup({ campaign: { id: 'x' } })).init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_INVALID' } });
  });

  it('fetches a campaign by id and still applies the caps', async () => {
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const hot = { ...campaign, questions: [{ ...campaign.questions[0]!, epsilon: 5 }] };
    const api = createWorkerApi({ fetch: (async () => new Response(JSON.stringify(hot))) as typeof fetch });
    const result = await api.init({ collectorUrl: 'https://c.test', campaignId: 'symptoms', dbName: 'fetched' });
    expect(result).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED' } });
  });
});

describe('explain', () => {
  it('explains in plain words with the numbers behind it', async () => {
    const { api } = await setup();
    const result = await api.explain('fever');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.facts.truthProbability).toBeCloseTo(Math.E / (Math.E + 1), 6);
    expect(detailsOf(english, result.value.facts).text).toMatch(/sent with probability 0\.73/);
    expect(plainText(english, result.value.facts)).not.toMatch(/ε|\d/);
    expect(result.value.facts.epsilonPerReport).toBeLessThanOrEqual(1);
    const rappor = await api.explain('diagnosis');
    if (!rappor.ok) throw new Error();
    expect(rappor.value.facts.permanentEpsilon).toBeGreaterThan(rappor.value.facts.epsilonPerReport);
    // RAPPOR repeats a memoized response: each report is charged its ε∞ (worker/charges.ts).
    expect(rappor.value.facts.nextCharge).toBe(rappor.value.facts.permanentEpsilon);
    expect(rappor.value.facts.lifetimeBound).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('RAPPOR PRR with the non-extractable key', () => {
  it('matches core’s permanentResponse byte for byte in both modes', async () => {
    const secret = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const mode of ['google-py', 'hardened-v1'] as const) {
      const rappor = new Rappor({ k: mode === 'google-py' ? 32 : 100, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75, mode, metricId: 'c/q' });
      for (const value of ['a', 'migraine', 'flu', 'x'.repeat(50)]) {
        const bloom = rappor.bloom(value, 3);
        expect(Array.from(await permanentResponse(rappor, bloom, key))).toEqual(Array.from(rappor.permanentResponse(bloom, secret)));
      }
    }
  });

  it('computes core’s Bloom filter byte for byte in both modes (WebCrypto SHA-256 in hardened-v1)', async () => {
    for (const [mode, h] of [['google-py', 2], ['google-py', 16], ['hardened-v1', 2], ['hardened-v1', 9], ['hardened-v1', 64]] as const) {
      const rappor = new Rappor({ k: mode === 'google-py' ? 32 : 100, h, m: 8, f: 0.5, p: 0.25, q: 0.75, mode, metricId: 'c/q' });
      for (const value of ['a', 'migraine', 'ibuprofène', 'x'.repeat(50)]) {
        for (const cohort of [0, 7]) expect(Array.from(await bloomFilter(rappor, value, cohort))).toEqual(Array.from(rappor.bloom(value, cohort)));
      }
    }
  });

  it('campaign fixture is valid', () => {
    expect(() => validateCampaign(campaign)).not.toThrow();
  });
});

describe('debug mode', () => {
  it('logs steps but never an answer', async () => {
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { freshDbName } = await import('./fixtures.ts');
    const lines: string[] = [];
    const api = createWorkerApi({ log: (line) => lines.push(line) });
    await api.init({ collectorUrl: 'https://c.test', campaign, dbName: freshDbName(), debug: true, flushIntervalMs: 60_000 });
    await api.optIn();
    for (const [q, a] of answers) expect((await api.report(q, a)).ok).toBe(true);
    expect(lines.length).toBeGreaterThan(answers.length);
    const all = lines.join('\n');
    expect(all).not.toContain(RAW.string);
    expect(all).not.toContain(RAW.categorical);
    expect(all).not.toContain('7.5');
    api.close();
  });
});

describe('concurrency', () => {
  it('concurrent reports of one question in one window: one is queued, the others refused', async () => {
    const { api, config } = await setup();
    await api.optIn();
    const results = await Promise.all(Array.from({ length: 5 }, () => api.report('symptom', 'headache')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ error: { code: 'ALREADY_REPORTED' } });
    const db = await openSdkDatabase(config.dbName!);
    expect(await db.count('outbox')).toBe(1);
    db.close();
  });
});

/** A random source that counts the bytes drawn, to show a refused report computed nothing. */
function countingRandom(): RandomSource & { bytes: number } {
  const inner = seededRandomSource('counting');
  const source = { bytes: 0, fill: (b: Uint8Array) => ((source.bytes += b.length), inner.fill(b)) };
  return source;
}

describe('one report per question per period window', () => {
  it('refuses a second report of each question in its window with ALREADY_REPORTED: nothing computed, spent or queued', async () => {
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { freshDbName } = await import('./fixtures.ts');
    const random = countingRandom();
    const dbName = freshDbName();
    const api = createWorkerApi({ random, now: () => new Date(MONDAY) });
    await api.init({ collectorUrl: 'https://c.test', campaign, dbName, flushIntervalMs: 60_000 });
    await api.optIn();
    for (const [q, a] of answers) expect((await api.report(q, a)).ok).toBe(true);
    const before = { stores: await dumpStores(dbName), bytes: random.bytes };
    expect(before.bytes).toBeGreaterThan(0);
    for (const [q, a] of answers) {
      const refused = await api.report(q, a);
      expect(refused).toMatchObject({ ok: false, error: { code: 'ALREADY_REPORTED', phase: 'accounting', path: 'questionId' } });
      if (!refused.ok) expect(refused.error.message).toMatch(q === 'sleep' ? /this week.*2026-11-30/ : /today.*2026-11-24/);
    }
    // A different answer is refused the same way (the rule is per question, not per answer).
    expect(await api.report('fever', false)).toMatchObject({ ok: false, error: { code: 'ALREADY_REPORTED' } });
    expect(random.bytes).toBe(before.bytes);
    expect(await dumpStores(dbName)).toBe(before.stores);
    api.close();
  });

  it('uses UTC day windows for day questions and ISO weeks (from Monday) for week questions', async () => {
    const clock = movableClock();
    const { api } = await setup({}, undefined, clock.now);
    await api.optIn();
    expect((await api.report('sleep', true)).ok).toBe(true);
    expect((await api.report('fever', true)).ok).toBe(true);
    expect(await api.explain('sleep')).toMatchObject({ ok: true, value: { period: 'week', reportedThisPeriod: true, nextReportDay: '2026-11-30' } });
    clock.day(1);
    expect((await api.report('fever', true)).ok).toBe(true);
    clock.day(6); // Sunday 2026-11-29: same ISO week
    expect(await api.report('sleep', true)).toMatchObject({ ok: false, error: { code: 'ALREADY_REPORTED' } });
    expect(await api.explain('fever')).toMatchObject({ ok: true, value: { reportedThisPeriod: false, nextReportDay: '2026-11-29' } });
    clock.day(7); // Monday 2026-11-30: next week
    const next = await api.report('sleep', true);
    expect(next).toMatchObject({ ok: true });
  });

  it('budget() and explain() say when each question can next be answered', async () => {
    const { api } = await setup();
    await api.optIn();
    const fresh = await api.explain('fever');
    expect(fresh).toMatchObject({ ok: true, value: { period: 'day', reportedThisPeriod: false, nextReportDay: '2026-11-23' } });
    if (fresh.ok) expect(plainText(english, fresh.value.facts, fresh.value)).not.toMatch(/already answered/);
    await api.report('fever', true);
    await api.report('sleep', true);
    const explained = await api.explain('fever');
    expect(explained).toMatchObject({ ok: true, value: { reportedThisPeriod: true, nextReportDay: '2026-11-24' } });
    if (explained.ok) expect(plainText(english, explained.value.facts, explained.value)).toMatch(/This question was already answered today; it can be answered again from 2026-11-24 \(UTC\)\.$/);
    const budget = await api.budget();
    if (!budget.ok) throw new Error(budget.error.message);
    expect(budget.value.questions).toEqual(
      campaign.questions.map((q) => ({
        spent: expect.any(Number),
        nextCharge: expect.any(Number),
        lifetimeBound: Number.POSITIVE_INFINITY,
        questionId: q.id,
        period: q.period ?? 'day',
        reportedThisPeriod: q.id === 'fever' || q.id === 'sleep',
        nextReportDay: q.id === 'fever' ? '2026-11-24' : q.id === 'sleep' ? '2026-11-30' : '2026-11-23',
      })),
    );
  });
});
