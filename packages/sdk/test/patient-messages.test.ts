/**
 * Issue 14 §4: what a patient is told. Through the real facade and worker (an in-process
 * MessageChannel): explain() and receipts say the privacy level and why, and the loss so far, in a
 * main sentence with no symbol and no figure, the figures behind `details`; every text the SDK gives
 * a patient goes through the app's messages (a pseudo-locale leaves no English behind); missing keys
 * fall back to English; and the words are the same whatever the answers were (issue 13 §2).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { expose } from 'comlink';
import { isPrivacyError, PrivacyError, seededRandomSource, type CampaignInput } from '@practical-privacy/core';
import { campaign, freshDbName, MONDAY, recordingFetch } from './fixtures.ts';
import { createClient, type ClientOptions, type PatientFacingError } from '../src/client.ts';
import { ENGLISH, type MessageKey, type Messages } from '../src/messages.ts';
import { createWorkerApi } from '../src/worker/api.ts';
import type { Explanation, Receipt } from '../src/worker/types.ts';

/** The fixture's questions (every type, RAPPOR, a weekly one) and a two-level question with privacy levels. */
const levelled: CampaignInput = {
  ...campaign,
  id: 'levelled',
  questions: [...campaign.questions, { id: 'mood', prompt: 'Low mood today?', type: 'boolean', tier: 'moderate', epsilon: 2, epsilonPermanent: 4, levels: [2, 1] }],
};

function channelWorker(seed: string, fetch: typeof globalThis.fetch = recordingFetch().fetch, respond = true): Worker {
  const { port1, port2 } = new MessageChannel();
  if (respond) expose(createWorkerApi({ fetch, random: seededRandomSource(seed), now: () => new Date(MONDAY) }), port1 as unknown as Worker);
  return Object.assign(port2, { terminate: () => (port1.close(), port2.close()) }) as unknown as Worker;
}

/** Every message as a token naming its key: any text outside tokens is English the hook missed. */
function pseudoLocale(seen: Set<string>): Messages {
  return Object.fromEntries(
    (Object.keys(ENGLISH) as MessageKey[]).map((key) => [
      key,
      () => {
        seen.add(key);
        return `⟦${key}⟧`;
      },
    ]),
  ) as unknown as Messages;
}

const onlyTokens = /^(⟦\w+⟧ ?)+$/;

async function client(options: Partial<ClientOptions> & { seed?: string } = {}) {
  const { seed = 'messages', ...rest } = options;
  return createClient({ collectorUrl: 'https://collector.test', campaign: levelled, dbName: freshDbName(), flushIntervalMs: 60_000, persistent: true, caps: { perDay: 30 }, createWorker: () => channelWorker(seed), ...rest });
}

const answers: Array<[string, unknown]> = [
  ['fever', true],
  ['symptom', 'headache'],
  ['meds', ['a', 'c']],
  ['pain', 7.5],
  ['diagnosis', 'migraine'],
  ['sleep', false],
  ['mood', true],
];
const otherAnswers: Array<[string, unknown]> = [
  ['fever', false],
  ['symptom', 'none'],
  ['meds', []],
  ['pain', 0],
  ['diagnosis', 'flu'],
  ['sleep', true],
  ['mood', false],
];

const texts = (x: Explanation | Receipt) => ('text' in x ? [x.text, x.details.text] : [x.explanation, x.details.text]);

describe('what a patient is told', () => {
  it('a pseudo-locale replaces every text the SDK can give a patient: explain(), receipts and every error, with no English left', async () => {
    const seen = new Set<string>();
    const messages = pseudoLocale(seen);
    const shown: string[] = [];
    const refusal = async (work: Promise<unknown>, code: string) => {
      const error = await work.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPrivacyError(error, code as never)).toBe(true);
      shown.push((error as PatientFacingError).patientMessage);
    };

    // Not persistent, so the "may be erased" sentence is said too.
    const c = await client({ messages, persistent: false });
    await refusal(c.report('fever', true), 'CONSENT_REQUIRED');
    await c.optIn();
    for (const [q] of answers) shown.push(...texts(await c.explain(q)));
    for (const [q, a] of answers) shown.push(...texts(await c.report(q, a)));
    for (const [q] of answers) shown.push(...texts(await c.explain(q))); // "already answered"
    await refusal(c.report('fever', true), 'ALREADY_REPORTED');
    await refusal(c.report('nope' as never, 1), 'INPUT_INVALID');
    await c.setPrivacy('more-private');
    shown.push(...texts(await c.explain('mood')));
    c.close();

    // Stepped down: the app's per-report cap for the moderate tier is below the default level.
    const capped = await client({ messages, caps: { perReport: { moderate: 1 } } });
    await capped.optIn();
    shown.push(...texts(await capped.report('mood', true)));
    capped.close();

    // A campaign that draws each report's level at random (levelPolicy.assignment 'random').
    const drawn: CampaignInput = {
      ...levelled,
      id: 'drawn',
      questions: [{ id: 'mood', prompt: 'Low mood today?', type: 'boolean', tier: 'moderate', epsilon: 2, epsilonPermanent: 4, levels: [2, 1], levelPolicy: { assignment: 'random', weights: [1, 1] } }],
    };
    const assigned = await client({ messages, campaign: drawn });
    await assigned.optIn();
    shown.push(...texts(await assigned.explain('mood')));
    shown.push(...texts(await assigned.report('mood', true)));
    assigned.close();

    // Over the day's cap.
    const tight = await client({ messages, caps: { perDay: 1.5 } });
    await tight.optIn();
    await tight.report('fever', true);
    await refusal(tight.report('pain', 3), 'BUDGET_EXCEEDED');
    tight.close();

    // The app's token wallet refuses (issue 17): its error gets the patient's words too.
    const wallet = await client({ messages, campaign: { ...levelled, id: 'with-tokens', tokens: { issuer: 'portal.example', origin: 'collector.test' } }, tokens: { take: async () => Promise.reject(new PrivacyError('TOKEN_UNAVAILABLE', 'runtime', 'no token')), spent: async () => undefined } });
    await wallet.optIn();
    await refusal(wallet.report('fever', true), 'TOKEN_UNAVAILABLE');
    wallet.close();

    // A closed campaign, a worker that does not answer, a configuration the caps refuse.
    const closedFetch = (async () => new Response(JSON.stringify({ error: { code: 'CAMPAIGN_CLOSED' } }), { status: 410 })) as typeof fetch;
    await refusal(createClient({ collectorUrl: 'https://collector.test', campaignId: 'levelled', dbName: freshDbName(), messages, createWorker: () => channelWorker('closed', closedFetch) }), 'CAMPAIGN_CLOSED');
    await refusal(client({ messages, handshakeTimeoutMs: 30, createWorker: () => channelWorker('silent', undefined, false) }), 'WORKER_UNAVAILABLE');
    await refusal(client({ messages, caps: { perReport: { low: 0.1 } } }), 'TIER_CAP_EXCEEDED');

    for (const text of shown) expect(text).toMatch(onlyTokens);
    // Every message was needed by some text above: the pseudo-locale reached all of them.
    expect([...seen].sort()).toEqual(Object.keys(ENGLISH).sort());
  });

  it('the main sentence has no symbol and no figure; details carry the figures, the level and why', async () => {
    const c = await client();
    await c.optIn();
    const before = await c.explain('mood');
    expect(before.text).not.toMatch(/ε|\d|=/);
    expect(before.text).toContain(ENGLISH.levelDefault({}));
    expect(before.text).toContain('you have used none of it');
    expect(before.details).toMatchObject({ level: { level: 2, defaultLevel: 2, strictestLevel: 1, reason: 'default' }, spent: 0, totalSpent: 0, totalLimit: 100 });
    expect(before.details.text).toMatch(/Privacy level: ε₁ = 2 \(the default/);
    const receipt = await c.report('mood', true);
    expect(receipt.explanation).not.toMatch(/ε|\d|=/);
    // D = 2 reports charged ε∞ = 4 (implemented thresholds round it down slightly): the first one used about half.
    expect(receipt.explanation).toContain('you have used about half of it');
    expect(receipt.details.chargedReports).toBe(2);
    expect(receipt.details.text).toMatch(/So far it has cost you ε = /);
    await c.setPrivacy('more-private');
    const chosen = await c.explain('mood');
    expect(chosen.text).toContain(ENGLISH.levelMorePrivate({}));
    expect(chosen).toMatchObject({ level: 1, details: { level: { level: 1, reason: 'more-private' } } });
    // A question without levels says nothing about levels.
    const fever = await c.explain('fever');
    expect(fever.details.level).toBeUndefined();
    expect(fever.text).not.toContain('privacy level');
    expect(fever.text).toContain(ENGLISH.lossAdds({}));
    // Only a two-level question says that its change pattern is outside the lifetime limit.
    expect(fever.text).not.toContain(ENGLISH.changesPerReport({}));
    expect(chosen.text).toContain(ENGLISH.changesPerReport({}));
    c.close();

    const capped = await client({ caps: { perReport: { moderate: 1 } } });
    await capped.optIn();
    const stepped = await capped.report('mood', false);
    expect(stepped.explanation).toContain(ENGLISH.levelSteppedDown({}));
    expect(stepped).toMatchObject({ level: 1, details: { level: { level: 1, reason: 'stepped-down' } } });
    capped.close();
  });

  it('missing keys, and a message that throws or returns no string, fall back to English; a bad messages object is refused', async () => {
    const c = await client({
      messages: {
        scrambled: () => 'Ihre Antwort wird auf diesem Gerät verschlüsselt.',
        total: () => {
          throw new Error('translation bug');
        },
        levelDefault: (() => 42) as never,
      },
    });
    await c.optIn();
    const receipt = await c.report('mood', true);
    expect(receipt.explanation.startsWith('Ihre Antwort wird auf diesem Gerät verschlüsselt. ')).toBe(true);
    expect(receipt.explanation).toContain(ENGLISH.levelDefault({}));
    expect(receipt.explanation).toContain(ENGLISH.total({ used: receipt.details.totalSpent / 100 }));
    const error = await c.report('mood', true).catch((e: unknown) => e);
    expect((error as PatientFacingError).patientMessage).toBe(ENGLISH.errorAlreadyReported({ code: 'ALREADY_REPORTED' }));
    expect((error as PatientFacingError).message).toMatch(/question mood was already answered today/);
    c.close();
    for (const messages of [{ scrambeld: () => 'typo' }, { scrambled: 'not a function' }, 'nope']) {
      const refused = await client({ messages: messages as never }).catch((e: unknown) => e);
      expect(isPrivacyError(refused, 'PARAMETER_INVALID')).toBe(true);
    }
  });

  it('gives the same words whatever the answers were (value-oblivious, issue 13 §2)', async () => {
    const run = async (given: Array<[string, unknown]>, seed: string) => {
      const c = await client({ seed });
      await c.optIn();
      const out: string[] = [];
      for (const [q, a] of given) {
        const { reportId: _id, ...receipt } = await c.report(q, a);
        out.push(JSON.stringify(receipt));
      }
      for (const [q] of given) out.push(JSON.stringify(await c.explain(q)));
      c.close();
      return out;
    };
    const a = await run(answers, 'patient a');
    const b = await run(otherAnswers, 'patient b');
    expect(a).toEqual(b);
  });
});
