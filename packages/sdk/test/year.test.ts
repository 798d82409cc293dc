/**
 * A year of daily check-ins (issue 13 §6), through the worker API with an injected clock, under the
 * DEFAULT caps: the demo's check-in (packages/demo-app/campaign/daily-checkin.json, read as data)
 * plus a restricted-tier daily question, for two patients — a realistic one (pain wandering between
 * a few values, symptoms coming and going, one medication for weeks then a switch) and one whose
 * answers change every day. Checked:
 *  - every report of every day is accepted and delivered (no BUDGET_EXCEEDED in 365 days);
 *  - both patients are charged exactly the same, report by report, and their ledgers, receipts'
 *    explanations, explain() and budget() are equal;
 *  - the lifetime figure equals Σ D·ε∞ over the questions (each two-level question is charged ε∞
 *    on its first D reports, nothing after), reached on the days the README states;
 *  - payloads are not re-sent byte for byte: the share of days whose payload equals the previous
 *    day's matches what the two levels predict. Conditional on the device's permanent responses
 *    (the test re-derives them with the device key, as levels.ts does) days are independent, with
 *    Pr[equal] = Σ_y IRR(y | P_prev)·IRR(y | P_now) (padding's pick is a PRF of the set too); the count is
 *    within Bernstein's bound at false-alarm probability 10^-4 per patient and question. And the
 *    reports come from those permanent responses: the days whose value is one of the day's
 *    permanent values match their predicted count likewise. (20 counts at 10^-4: ≤ 0.2% false alarm.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { THRESHOLD_ONE, addDays, isTwoLevel, stringIndex, validateCampaign, type AnyTwoLevelRandomizer, type CampaignInput, type Question, createCampaignRandomizers } from '@practical-privacy/core';
import { openSdkDatabase } from '../src/store/db.ts';
import { permanentKeyOf } from '../src/worker/campaign.ts';
import { permanentOf, slotFor } from '../src/worker/levels.ts';
import { setup } from './fixtures.ts';

const demo = JSON.parse(readFileSync(new URL('../../demo-app/campaign/daily-checkin.json', import.meta.url), 'utf8')) as CampaignInput;
const RESTRICTED = {
  id: 'hopeless',
  type: 'boolean',
  label: 'Hopelessness',
  prompt: 'Have you had thoughts that you would be better off dead?',
  tier: 'restricted',
  epsilon: 0.5,
  epsilonPermanent: 1,
  mechanism: 'l-grr',
  minBatch: 50,
} as const;
const CAMPAIGN: CampaignInput = { ...demo, questions: [...demo.questions, RESTRICTED] };
const campaign = validateCampaign(CAMPAIGN);
const randomizers = createCampaignRandomizers(campaign);
const START = '2027-01-04'; // a Monday
const DAYS = 365;
const SYMPTOMS = (campaign.questions.find((q) => q.id === 'symptoms')! as Extract<Question, { type: 'multiselect' }>).domain.items.map((i) => i.code);
const MEDS = (campaign.questions.find((q) => q.id === 'medication')! as Extract<Question, { type: 'string' }>).domain.candidates;

type Answers = Record<string, unknown>;

/** Small deterministic PRNG for the patients' answers (not the mechanism's randomness). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function realisticPatient(): (day: number) => Answers {
  const r = lcg(7);
  let pain = 3;
  const symptoms = new Set<string>(['84229001']);
  return (day) => {
    if (r() < 0.3) pain = Math.min(6, Math.max(2, pain + (r() < 0.5 ? -1 : 1)));
    if (r() < 0.1) {
      if (symptoms.has('25064002')) symptoms.delete('25064002');
      else symptoms.add('25064002');
    }
    if (r() < 0.05) {
      if (symptoms.size > 0) symptoms.clear();
      else symptoms.add('84229001');
    }
    const medication = day < 120 ? 'ibuprofen' : day < 300 ? 'paracetamol' : 'sertraline';
    return { symptoms: [...symptoms].slice(0, 3), pain, 'low-mood': day % 30 < 5, medication, hopeless: false };
  };
}

function changingPatient(): (day: number) => Answers {
  return (day) => ({
    symptoms: [SYMPTOMS[day % SYMPTOMS.length]!, ...(day % 2 === 0 ? [SYMPTOMS[(day + 3) % SYMPTOMS.length]!] : [])],
    pain: day % 11,
    'low-mood': day % 2 === 0,
    medication: day % 5 === 4 ? 'something unlisted' : MEDS[day % MEDS.length]!,
    hopeless: day % 2 === 1,
  });
}

/** Σ_y IRR(y|a)·IRR(y|b) for a GRR step over m values with keep threshold t. */
function sameOutput(a: number, b: number, m: number, keep: number): number {
  const t = keep / THRESHOLD_ONE;
  if (a === b) return t * t + (1 - t) ** 2 / (m - 1);
  return (2 * t * (1 - t)) / (m - 1) + ((m - 2) * (1 - t) ** 2) / (m - 1) ** 2;
}

interface Levels {
  /** The GRR the instantaneous level applies: its output range and keep threshold. */
  m: number;
  keep: number;
  /** Distribution of the permanent response's value given the answer (over the padding pick). */
  permanents(answer: unknown): Promise<Map<number, number>>;
}

/** What the test needs to predict payload repeats, re-derived with the device key (levels.ts). */
async function levelsOf(q: Question, mechanism: AnyTwoLevelRandomizer, secret: CryptoKey): Promise<Levels> {
  const ref = { campaignId: campaign.id, questionId: q.id, permanentKey: await permanentKeyOf(q, mechanism) };
  const prr = async (slot: number) => (await permanentOf(mechanism, secret, ref, slot)) as number;
  const inner = (mechanism as unknown as { inner?: AnyTwoLevelRandomizer & { g?: number; k: number; instantKeep: number } }).inner;
  const grr = (inner ?? mechanism) as unknown as { k: number; g?: number; instantKeep?: number; keep?: number };
  const m = mechanism.name === 'alpha-1bit' ? 2 : (grr.g ?? grr.k);
  const keep = grr.instantKeep ?? grr.keep!;
  const index = (answer: unknown): unknown => {
    switch (q.type) {
      case 'boolean':
        return answer ? 1 : 0;
      case 'string':
        return stringIndex(q, answer as string);
      case 'multiselect':
        return (answer as string[]).map((code) => q.domain.items.findIndex((i) => i.code === code)).sort((x, y) => x - y);
      default:
        return answer;
    }
  };
  return {
    m,
    keep,
    // Every slot is deterministic on a device (padding's pick too: levels.ts slotCoins).
    async permanents(answer) {
      const slot = await slotFor(mechanism, index(answer), secret, ref);
      return new Map([[await prr(slot), 1]]);
    },
  };
}

/** Bernstein: |X − μ| ≤ √(2V ln(2/α)) + (2/3)·ln(2/α) with probability ≥ 1 − α for a sum of Bernoullis. */
function bernstein(variance: number, alpha: number): number {
  const l = Math.log(2 / alpha);
  return Math.sqrt(2 * variance * l) + (2 / 3) * l;
}

async function runYear(patient: (day: number) => Answers) {
  let now = new Date(`${START}T09:00:00Z`);
  const { api, config, net } = await setup({ campaign: CAMPAIGN }, undefined, () => now);
  await api.optIn();
  const charges: number[] = [];
  const explanations: string[] = [];
  const history: Answers[] = [];
  for (let d = 0; d < DAYS; d++) {
    now = new Date(`${addDays(START, d)}T09:00:00Z`);
    const answers = patient(d);
    history.push(answers);
    for (const q of campaign.questions) {
      const result = await api.report(q.id, answers[q.id]);
      if (!result.ok) throw new Error(`day ${d} ${q.id}: ${result.error.code} ${result.error.message}`);
      charges.push(result.value.epsilonSpent);
      // Sampled, to keep the comparison cheap: the first weeks and then one day a month.
      if (d < 14 || d % 30 === 0) explanations.push(JSON.stringify(result.value.facts));
    }
    const flushed = await api.flush();
    if (!flushed.ok) throw new Error(flushed.error.message);
  }
  const budget = await api.budget();
  if (!budget.ok) throw new Error(budget.error.message);
  for (const q of campaign.questions) {
    const explained = await api.explain(q.id);
    if (!explained.ok) throw new Error(explained.error.message);
    explanations.push(JSON.stringify(explained.value));
  }
  const db = await openSdkDatabase(config.dbName!);
  const secret = (await db.get('meta', 'secret')) as CryptoKey;
  const ledger = (await db.getAll('ledger')).map(({ key, spent, reports }) => ({ key, spent, reports }));
  const outboxLeft = await db.count('outbox');
  db.close();
  const delivered = net.requests.flatMap((r) => (JSON.parse(r.body) as { reports: Array<{ questionId: string; day: string; payload: unknown }> }).reports);
  api.close();
  return { charges, explanations, budget: budget.value, ledger, outboxLeft, delivered, secret, history };
}

const lifetimeBound = campaign.questions.reduce((total, q) => {
  const m = randomizers.get(q.id)!;
  if (!isTwoLevel(m)) throw new Error(`${q.id} is not two-level`);
  return total + m.permanentCount * m.permanentEpsilon;
}, 0);

describe('a year of daily check-ins under the default caps', () => {
  it('sends every report, charges both patients the same, totals Σ D·ε∞, and repeats payloads only as the levels predict', { timeout: 300_000 }, async () => {
    const results = [await runYear(realisticPatient()), await runYear(changingPatient())];
    for (const r of results) {
      expect(r.charges).toHaveLength(DAYS * campaign.questions.length);
      expect(r.delivered).toHaveLength(DAYS * campaign.questions.length);
      expect(r.outboxLeft).toBe(0);
      expect(r.budget.spent.lifetime).toBeCloseTo(lifetimeBound, 9);
      expect(r.budget.deviceSpent).toBeCloseTo(lifetimeBound, 9);
    }
    const [a, b] = results as [Awaited<ReturnType<typeof runYear>>, Awaited<ReturnType<typeof runYear>>];
    expect(a.charges).toEqual(b.charges);
    expect(a.ledger).toEqual(b.ledger);
    // Receipts, explain() and budget() say the same to both patients, whatever their answers.
    expect(a.explanations).toEqual(b.explanations);
    expect(a.budget).toEqual(b.budget);
    // Charges fall on the first days only: nothing after the largest D (3 here).
    const perDay = (r: typeof a) => Array.from({ length: DAYS }, (_, d) => r.charges.slice(d * campaign.questions.length, (d + 1) * campaign.questions.length).reduce((x, y) => x + y, 0));
    const days = perDay(a);
    expect(days.slice(3).every((x) => x === 0)).toBe(true);
    expect(days[0]).toBeGreaterThan(0);

    for (const r of results) {
      for (const q of campaign.questions) {
        const mechanism = randomizers.get(q.id)! as AnyTwoLevelRandomizer;
        const levels = await levelsOf(q, mechanism, r.secret);
        const payloads = r.delivered.filter((x) => x.questionId === q.id).sort((x, y) => x.day.localeCompare(y.day));
        const value = (payload: unknown) => (Array.isArray(payload) ? payload[1] : payload);
        let observed = 0;
        let expected = 0;
        let variance = 0;
        let previous = await levels.permanents(r.history[0]![q.id]);
        for (let d = 1; d < DAYS; d++) {
          const current = await levels.permanents(r.history[d]![q.id]);
          let p = 0;
          for (const [pa, wa] of previous) for (const [pb, wb] of current) p += wa * wb * sameOutput(pa, pb, levels.m, levels.keep);
          expected += p;
          variance += p * (1 - p);
          if (JSON.stringify(value(payloads[d]!.payload)) === JSON.stringify(value(payloads[d - 1]!.payload))) observed++;
          previous = current;
        }
        // The reports really come from the derived permanent responses: the share of days whose
        // value is one of that day's permanent values is Σ_a w_a·Σ_{y∈S} IRR(y|P_a) (a report drawn
        // from a fresh permanent response instead would match far less often).
        let matched = 0;
        let matchExpected = 0;
        let matchVariance = 0;
        for (let d = 0; d < DAYS; d++) {
          const current = await levels.permanents(r.history[d]![q.id]);
          const support = [...current.keys()];
          let p = 0;
          for (const [pa, wa] of current) for (const y of support) p += wa * (y === pa ? levels.keep / THRESHOLD_ONE : (1 - levels.keep / THRESHOLD_ONE) / (levels.m - 1));
          matchExpected += p;
          matchVariance += p * (1 - p);
          if (support.includes(value(payloads[d]!.payload) as number)) matched++;
        }
        expect(Math.abs(matched - matchExpected), `${q.id}: ${matched} days match the derived permanent response, ${matchExpected.toFixed(1)} predicted`).toBeLessThanOrEqual(bernstein(matchVariance, 1e-4));
        const tolerance = bernstein(variance, 1e-4);
        expect(Math.abs(observed - expected), `${q.id}: ${observed} repeats, ${expected.toFixed(1)} predicted ± ${tolerance.toFixed(1)}`).toBeLessThanOrEqual(tolerance);
        // And not byte-for-byte memoized: a repeated payload every day would be 364.
        expect(observed).toBeLessThan(DAYS - 1);
      }
    }
  });
});
