/**
 * INTERIM patient client, used only while @practical-privacy/sdk has no `createClient` yet: it
 * randomizes in the page with core's mechanisms and the platform CSPRNG, keeps consent and a
 * per-day ε ledger in localStorage, and POSTs each report at once. It lacks what the SDK adds
 * (Web Worker, IndexedDB outbox with retries, memoized permanent responses under a
 * non-extractable key) — the patient view names the engine in use. Raw answers are never stored.
 */
import { createQuestionMechanism, cryptoRandomSource, newReportId, RandomSampler, utcDay, type Question, type Tier } from '@practical-privacy/core';
import { postBatch } from './api.ts';
import { batchReport } from './sim/synthesize.ts';
import { campaign, medicationQuestion } from './campaign.ts';
import type { BudgetLine, Explanation, PatientClient, Receipt } from './patient-client.ts';

/** DESIGN.md's default caps per report, by tier. */
const TIER_CAPS: Record<Tier, number> = { restricted: 0.5, high: 1, moderate: 2, low: 4 };
const CONSENT_KEY = 'pp-demo-interim-consent';
const LEDGER_KEY = 'pp-demo-interim-ledger';

type Ledger = Record<string, number>;

function readLedger(): Ledger {
  try {
    return JSON.parse(localStorage.getItem(LEDGER_KEY) ?? '{}') as Ledger;
  } catch {
    return {};
  }
}

function question(id: string): Question {
  const q = campaign.questions.find((x) => x.id === id);
  if (q === undefined) throw new Error(`unknown question ${id}`);
  return q;
}

export function createInterimClient(): PatientClient {
  const rng = new RandomSampler(cryptoRandomSource());
  // Per page load only: without the SDK's stored secret there is no longitudinal memo.
  const secret = rng.bytesInto(new Uint8Array(32));
  const cohort = rng.uniformInt(medicationQuestion.domain.rappor.m);
  const key = (questionId: string) => `${campaign.id}/${questionId}/${utcDay(new Date())}`;
  const mechanismFor = (q: Question) => createQuestionMechanism(q, { campaignId: campaign.id });

  return {
    kind: 'interim in-page client (the SDK was not available)',
    async consented() {
      return localStorage.getItem(CONSENT_KEY) === 'yes';
    },
    async optIn() {
      localStorage.setItem(CONSENT_KEY, 'yes');
    },
    async optOut() {
      localStorage.removeItem(CONSENT_KEY);
      localStorage.removeItem(LEDGER_KEY);
    },
    async explain(questionId) {
      const description = mechanismFor(question(questionId)).describe();
      const explanation: Explanation = { questionId, text: description.summary, epsilon: description.implementedEpsilon, truthProbability: description.truthProbability };
      return explanation;
    },
    async report(questionId, answer) {
      if (localStorage.getItem(CONSENT_KEY) !== 'yes') throw Object.assign(new Error('opt in first'), { code: 'CONSENT_REQUIRED' });
      const q = question(questionId);
      const mechanism = mechanismFor(q);
      const ledger = readLedger();
      const spent = ledger[key(questionId)] ?? 0;
      const cap = TIER_CAPS[q.tier];
      if (spent + q.epsilon > cap + 1e-12) throw Object.assign(new Error(`today's budget for this question is spent (${spent.toFixed(2)} of ${cap})`), { code: 'BUDGET_EXCEEDED' });
      const input: unknown = q.type === 'string' ? { value: String(answer), cohort, secret } : q.type === 'boolean' ? (answer ? 1 : 0) : answer;
      const encoded = mechanism.encodeReport(mechanism.randomize(input, rng));
      const id = newReportId(rng);
      ledger[key(questionId)] = spent + q.epsilon;
      localStorage.setItem(LEDGER_KEY, JSON.stringify(ledger));
      await postBatch({ campaignId: campaign.id, campaignVersion: campaign.version, reports: [batchReport(id, questionId, utcDay(new Date()), encoded)] });
      const receipt: Receipt = { questionId, reportId: id, epsilonSpent: q.epsilon, remaining: cap - spent - q.epsilon, explanation: mechanism.describe().summary };
      return receipt;
    },
    async budget() {
      const ledger = readLedger();
      const day = utcDay(new Date());
      return campaign.questions.map((q): BudgetLine => {
        const spent = ledger[key(q.id)] ?? 0;
        return { questionId: q.id, period: day, spent, cap: TIER_CAPS[q.tier], remaining: Math.max(0, TIER_CAPS[q.tier] - spent) };
      });
    },
    async flush() {},
  };
}
