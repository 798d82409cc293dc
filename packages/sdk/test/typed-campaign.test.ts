/**
 * Typed campaigns and ready-before-use (issue 15 §5).
 *
 * The type half is checked by `tsc --noEmit -p .` (this package's typecheck, which includes test/):
 * every `@ts-expect-error` line below must be an error, or tsc fails with "Unused '@ts-expect-error'
 * directive" — so a client that accepted a wrong question id or answer type fails the typecheck.
 * `expectTypeOf` pins the inferred types themselves.
 */
import 'fake-indexeddb/auto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { expose } from 'comlink';
import { isPrivacyError, seededRandomSource } from '@practical-privacy/core';
import { createClient, defineCampaign, type AnswersOf, type Client } from '../src/index.ts';
import { createWorkerApi } from '../src/worker/api.ts';
import { freshDbName, MONDAY, recordingFetch } from './fixtures.ts';

const checkin = defineCampaign({
  id: 'typed-checkin',
  version: 1,
  title: 'Check-in',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    { id: 'symptom', prompt: 'Main symptom', type: 'categorical', tier: 'moderate', epsilon: 1, domain: { categories: [{ code: 'headache', label: 'Headache' }, { code: 'nausea', label: 'Nausea' }] } },
    { id: 'meds', prompt: 'Medications', type: 'multiselect', tier: 'low', epsilon: 2, domain: { items: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }], maxItems: 2 } },
    { id: 'pain', prompt: 'Pain 0–10', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
    { id: 'diagnosis', prompt: 'In your words', type: 'string', tier: 'low', epsilon: 1.1, domain: { candidates: ['migraine', 'flu'], rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } } },
  ],
});

/** The same campaign written `as const` instead of through defineCampaign. */
const asConst = {
  id: 'typed-const',
  version: 1,
  title: 'Const',
  questions: [{ id: 'mood', prompt: 'Low mood?', type: 'categorical', tier: 'high', epsilon: 1, domain: { categories: [{ code: 'yes', label: 'Yes' }, { code: 'no', label: 'No' }] } }],
} as const;

/** The worker API over an in-process MessageChannel; `gate` holds its start-up (the worker is not up until it resolves). */
function channelWorker(gate: Promise<void> = Promise.resolve()): Worker & { crash(): void } {
  const { port1, port2 } = new MessageChannel();
  void gate.then(() => expose(createWorkerApi({ fetch: recordingFetch().fetch, random: seededRandomSource('typed'), now: () => new Date(MONDAY) }), port1 as unknown as Worker));
  const onError: Array<(e: unknown) => void> = [];
  const add = port2.addEventListener.bind(port2);
  return Object.assign(port2, {
    addEventListener: (type: string, listener: (e: unknown) => void) => (type === 'error' ? onError.push(listener) : add(type as 'message', listener as never)),
    terminate: () => {
      port1.close();
      port2.close();
    },
    crash: () => onError.forEach((l) => l({ message: 'crashed', preventDefault() {} })),
  }) as unknown as Worker & { crash(): void };
}

const base = { collectorUrl: 'https://collector.test', flushIntervalMs: 600_000, createWorker: () => channelWorker() };

/** Compile-time only (never called): what the typed client accepts and refuses. */
function compileOnly(typed: Client<AnswersOf<typeof checkin>>, fetched: Client) {
  void typed.report('fever', true);
  void typed.report('symptom', 'nausea');
  void typed.report('meds', ['a', 'b']);
  void typed.report('pain', 3);
  void typed.report('diagnosis', 'flu');
  void typed.explain('pain');
  // @ts-expect-error — no such question
  void typed.report('fevr', true);
  // @ts-expect-error — a boolean question takes a boolean
  void typed.report('fever', 'yes');
  // @ts-expect-error — not one of the question's option codes
  void typed.report('symptom', 'fatigue');
  // @ts-expect-error — a multiselect answer is an array of its item codes
  void typed.report('meds', ['c']);
  // @ts-expect-error — a multiselect answer is an array, not one code
  void typed.report('meds', 'a');
  // @ts-expect-error — numeric takes a number
  void typed.report('pain', '3');
  // @ts-expect-error — no such question to explain
  void typed.explain('mood');
  // A fetched campaign: any id, any answer at compile time (checked by the worker at run time).
  void fetched.report('anything', { at: 'all' });
}
void compileOnly;
void asConst;

describe('typed campaigns', () => {
  it('infers question ids and answer types from the campaign literal (defineCampaign or as const); a fetched campaign stays unknown', () => {
    expectTypeOf<AnswersOf<typeof checkin>>().toEqualTypeOf<{ fever: boolean; symptom: 'headache' | 'nausea'; meds: ReadonlyArray<'a' | 'b'>; pain: number; diagnosis: string }>();
    expectTypeOf<AnswersOf<typeof asConst>>().toEqualTypeOf<{ mood: 'yes' | 'no' }>();
    // createClient's overloads, checked without starting a client.
    const overloads = () => {
      expectTypeOf(createClient({ ...base, campaign: checkin })).resolves.toEqualTypeOf<Client<AnswersOf<typeof checkin>>>();
      // Inline literal: the const type parameter of createClient keeps it typed too.
      expectTypeOf(createClient({ ...base, campaign: { id: 'x', version: 1, title: 'X', questions: [{ id: 'q', prompt: 'Q?', type: 'boolean', tier: 'low', epsilon: 1 }] } })).resolves.toEqualTypeOf<Client<{ q: boolean }>>();
      expectTypeOf(createClient({ ...base, campaignId: 'daily' })).resolves.toEqualTypeOf<Client>();
      expectTypeOf<Client['report']>().parameters.toEqualTypeOf<[string, unknown]>();
      // A campaign whose type is not a literal (JSON, CampaignInput): untyped, like a fetched one.
      expectTypeOf(createClient({ ...base, campaign: JSON.parse('{}') as unknown })).resolves.toEqualTypeOf<Client>();
    };
    void overloads;
  });

  it('a typed client reports every answer type; the worker still checks answers at run time', async () => {
    const client = await createClient({ ...base, campaign: checkin, dbName: freshDbName() });
    await client.optIn();
    for (const [q, a] of [['fever', true], ['symptom', 'nausea'], ['meds', ['a']], ['pain', 3], ['diagnosis', 'flu']] as const) {
      expect((await client.report(q, a)).epsilonSpent).toBeGreaterThan(0);
    }
    // What the types cannot see: the numeric range.
    expect(isPrivacyError(await client.report('pain', 11).catch((e: unknown) => e), 'INPUT_INVALID')).toBe(true);
    client.close();
  });
});

describe('ready before use', () => {
  it('queues calls made while the worker is (re)starting and answers them once it is up, starting one worker', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const workers: Array<Worker & { crash(): void }> = [];
    const client = await createClient({
      ...base,
      campaign: checkin,
      dbName: freshDbName(),
      createWorker: () => {
        const w = channelWorker(workers.length === 0 ? Promise.resolve() : gate);
        workers.push(w);
        return w;
      },
    });
    await client.optIn();
    workers[0]!.crash();
    // The new worker is not up: calls made now are queued, not rejected.
    const settled: string[] = [];
    const track = <T>(name: string, p: Promise<T>) => p.then((v) => (settled.push(name), v), (e: unknown) => (settled.push(`${name} rejected`), Promise.reject(e)));
    const calls = [track('report', client.report('fever', true)), track('budget', client.budget()), track('explain', client.explain('pain')), track('consented', client.consented())] as const;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    open();
    const [receipt, budget, explanation, consented] = await Promise.all(calls);
    expect(receipt.epsilonSpent).toBeGreaterThan(0);
    expect(budget.caps.perDay).toBe(12);
    expect(explanation.questionId).toBe('pain');
    expect(consented).toBe(true);
    expect(settled.sort()).toEqual(['budget', 'consented', 'explain', 'report']);
    expect(workers).toHaveLength(2);
    client.close();
  });
});
