import 'fake-indexeddb/auto';
import { seededRandomSource, type CampaignInput } from '@practical-privacy/core';
import { createWorkerApi, type WorkerConfig } from '../src/worker/api.ts';
import { openSdkDatabase, STORE_NAMES } from '../src/store/db.ts';

/** Answers distinctive enough to search for in every store and request body. */
export const RAW = { string: 'migraine-with-aura-zq7', categorical: 'nausea-cat-x9' };

export const campaign: CampaignInput = {
  id: 'symptoms',
  version: 1,
  title: 'Daily symptoms',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    {
      id: 'symptom',
      prompt: 'Main symptom',
      type: 'categorical',
      tier: 'moderate',
      epsilon: 1,
      domain: { categories: [{ code: 'headache', label: 'Headache' }, { code: RAW.categorical, label: 'Nausea' }, { code: 'fatigue', label: 'Fatigue' }, { code: 'none', label: 'None' }] },
    },
    {
      id: 'meds',
      prompt: 'Medications',
      type: 'multiselect',
      tier: 'low',
      epsilon: 2,
      domain: { items: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }, { code: 'c', label: 'C' }], maxItems: 2 },
    },
    { id: 'pain', prompt: 'Pain 0–10', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
    {
      id: 'diagnosis',
      prompt: 'Diagnosis in your words',
      type: 'string',
      // RAPPOR is charged its ε∞ per report (4·ln 3 ≈ 4.39 here): above the moderate tier's ε∞ cap of 4.
      tier: 'low',
      epsilon: 1.1,
      domain: { candidates: ['migraine', 'flu'], rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } },
    },
    { id: 'sleep', prompt: 'Slept well this week?', type: 'boolean', tier: 'low', epsilon: 0.5, period: 'week' },
  ],
};

export interface Recorded {
  url: string;
  body: string;
  contentType: string | null;
}

/** A fetch that records every request and answers from a script (default 202). */
export function recordingFetch(script: Array<number | 'offline' | { status: number; headers?: Record<string, string> }> = []) {
  const requests: Recorded[] = [];
  const seen = new Set<string>();
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const step = script.shift() ?? 202;
    const body = typeof init?.body === 'string' ? init.body : '';
    requests.push({ url: String(input), body, contentType: new Headers(init?.headers).get('content-type') });
    if (step === 'offline') throw new TypeError('Failed to fetch');
    const { status, headers } = typeof step === 'number' ? { status: step, headers: {} } : step;
    if (status === 202) {
      const ids = (JSON.parse(body) as { reports: Array<{ id: string }> }).reports.map((r) => r.id);
      const fresh = ids.filter((id) => !seen.has(id));
      fresh.forEach((id) => seen.add(id));
      return new Response(JSON.stringify({ accepted: fresh.length, duplicates: ids.length - fresh.length }), { status });
    }
    return new Response('{"error":"x"}', { status, headers });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests, accepted: seen };
}

let counter = 0;
export function freshDbName(): string {
  return `pp-test-${process.pid}-${++counter}`;
}

/** The tests' clock: Monday 2026-11-23, 10:00 UTC unless a test moves it. */
export const MONDAY = '2026-11-23T10:00:00Z';

export async function setup(overrides: Partial<WorkerConfig> = {}, fetchScript?: Parameters<typeof recordingFetch>[0], now: () => Date = () => new Date(MONDAY)) {
  const net = recordingFetch(fetchScript);
  const events: unknown[] = [];
  const api = createWorkerApi({ fetch: net.fetch, random: seededRandomSource('sdk-test'), now });
  const config: WorkerConfig = { collectorUrl: 'https://collector.test', campaign, dbName: freshDbName(), flushIntervalMs: 60_000, baseBackoffMs: 5, maxBackoffMs: 20, ...overrides };
  const init = await api.init(config, (e) => events.push(e));
  return { api, config, net, events, init };
}

/** The names of the databases that exist now for `dbName` (the SDK's and its refusal record), sorted. */
export async function databaseNames(dbName: string): Promise<string[]> {
  return (await indexedDB.databases())
    .map((d) => d.name!)
    .filter((name) => name === dbName || name.startsWith(`${dbName}/`))
    .sort();
}

/** Every value in every store, serialized (CryptoKeys show as {}: their bytes are not readable). */
export async function dumpStores(dbName: string): Promise<string> {
  const db = await openSdkDatabase(dbName);
  const parts: string[] = [];
  for (const name of STORE_NAMES) {
    parts.push(JSON.stringify(await db.getAll(name)), JSON.stringify(await db.getAllKeys(name)));
  }
  db.close();
  return parts.join('\n');
}
