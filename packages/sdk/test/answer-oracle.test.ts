/**
 * The adversary of docs/privacy-model.md's "answer oracle": code running in the app's origin after
 * the reports were delivered. It cannot read the device key's bytes (non-extractable) but can USE
 * the key. It enumerates every possible answer of every question, recomputes everything the SDK
 * can derive with the key — v1 memo keys HMAC(key, 'memo/v1' ‖ campaign ‖ question ‖ answer), and
 * for two-level questions the device constant, each answer's slot and its permanent response
 * (worker/levels.ts) — and looks for each derived value in every stored byte.
 *
 * "No better than chance" is then checked the strong way: two patients whose answers differ leave
 * storage that is identical but for the random key and RAPPOR cohort — the same ledger rows, with
 * the same figures, the same meta keys — so nothing stored can tell their answers apart.
 *
 * On v1 (memo store) the memo-key attack recovered every memoized answer (issue 13: 116 HMAC calls
 * for a check-in); this file was `it.fails` then, and is a plain `it` since the memo is gone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCampaignRandomizers, isTwoLevel, stringIndex, validateCampaign, type AnyTwoLevelRandomizer, type CampaignInput, type Question } from '@practical-privacy/core';
import { campaign as oneLevelCampaign, setup } from './fixtures.ts';
import { openSdkDatabase, STORE_NAMES } from '../src/store/db.ts';
import { parseAnswer } from '../src/worker/answers.ts';
import { deviceConstant, permanentOf } from '../src/worker/levels.ts';
import { framed, hmac, toHex } from '../src/worker/secret.ts';

const demo = JSON.parse(readFileSync(new URL('../../demo-app/campaign/daily-checkin.json', import.meta.url), 'utf8')) as CampaignInput;

/** Every answer a question can take (numeric: the integers of its range; strings: the candidates and one other). */
function everyAnswer(q: Question): unknown[] {
  switch (q.type) {
    case 'boolean':
      return [true, false];
    case 'categorical':
      return q.domain.categories.map((c) => c.code);
    case 'numeric':
      return Array.from({ length: q.domain.high - q.domain.low + 1 }, (_, i) => q.domain.low + i);
    case 'multiselect': {
      const codes = q.domain.items.map((i) => i.code);
      const subsets: string[][] = [[]];
      for (const code of codes) for (const s of [...subsets]) if (s.length < q.domain.maxItems) subsets.push([...s, code]);
      return subsets;
    }
    case 'string':
      return [...q.domain.candidates, 'not-a-candidate'];
  }
}

interface Storage {
  key: CryptoKey;
  /** Every stored value and key but the secret, serialized. */
  bytes: string;
  ledger: unknown[];
  metaKeys: string[];
  memoKeys: Set<string>;
}

async function readStorage(dbName: string): Promise<Storage> {
  const db = await openSdkDatabase(dbName);
  const key = (await db.get('meta', 'secret')) as CryptoKey;
  const parts: string[] = [];
  for (const name of STORE_NAMES) parts.push(JSON.stringify(await db.getAll(name)), JSON.stringify(await db.getAllKeys(name)));
  const ledger = (await db.getAll('ledger')).map(({ key: k, spent, reports }) => ({ k, spent, reports }));
  const metaKeys = (await db.getAllKeys('meta')).map(String).sort();
  // A v1 database (or a regression) would have a memo store: read it if it exists.
  const memoKeys = new Set<string>();
  if ((db.objectStoreNames as DOMStringList).contains('memo')) {
    for (const k of await (db as unknown as { getAllKeys(store: string): Promise<IDBValidKey[]> }).getAllKeys('memo')) memoKeys.add(String(k));
  }
  db.close();
  return { key, bytes: parts.join('\n'), ledger, metaKeys, memoKeys };
}

/** What the attacker learns: per question, the answers consistent with storage (empty = nothing). */
async function attack(campaignInput: CampaignInput, storage: Storage): Promise<Map<string, unknown[]>> {
  const campaign = validateCampaign(campaignInput);
  const randomizers = createCampaignRandomizers(campaign);
  const found = new Map<string, unknown[]>();
  for (const q of campaign.questions) {
    const m = randomizers.get(q.id)!;
    const ref = { campaignId: campaign.id, questionId: q.id };
    const device = isTwoLevel(m) ? await deviceConstant(m, storage.key, ref) : undefined;
    const hits: unknown[] = [];
    for (const answer of everyAnswer(q)) {
      const canonical = parseAnswer(q, answer).canonical;
      const derived: string[] = [toHex(await hmac(storage.key, framed(['memo/v1', campaign.id, q.id, canonical])))];
      if (isTwoLevel(m) && q.type !== 'multiselect') {
        const input = q.type === 'string' ? stringIndex(q, answer as string) : parseAnswer(q, answer).input;
        const slot = (m as AnyTwoLevelRandomizer).slotOf(input, device, undefined as never);
        derived.push(JSON.stringify(await permanentOf(m as AnyTwoLevelRandomizer, storage.key, ref, slot)));
      }
      if (derived.some((x) => storage.memoKeys.has(x) || (x.length >= 16 && storage.bytes.includes(x)))) hits.push(answer);
    }
    if (hits.length > 0) found.set(q.id, hits);
  }
  return found;
}

const CAMPAIGNS: Array<[string, CampaignInput, Array<Record<string, unknown>>]> = [
  [
    'one-level questions (fixture)',
    oneLevelCampaign,
    [
      { fever: true, symptom: 'headache', meds: ['a'], pain: 7, sleep: false },
      { fever: false, symptom: 'fatigue', meds: ['b', 'c'], pain: 2, sleep: true },
    ],
  ],
  [
    'two-level questions (demo check-in)',
    demo,
    [
      { symptoms: ['25064002'], pain: 7, 'low-mood': true, medication: 'ibuprofen' },
      { symptoms: ['84229001', '49727002'], pain: 1, 'low-mood': false, medication: 'something else' },
    ],
  ],
];

describe('no answer oracle on the device (code in the origin that can use the key)', () => {
  it.each(CAMPAIGNS)('%s: recovers no answer of two patients whose answers differ, once their reports are delivered', async (_name, campaignInput, patients) => {
    const storages: Storage[] = [];
    for (const answers of patients) {
      const { api, config, net } = await setup({ campaign: campaignInput }); // the collector acknowledges every batch
      await api.optIn();
      for (const [q, a] of Object.entries(answers)) expect((await api.report(q, a)).ok).toBe(true);
      expect(await api.flush()).toMatchObject({ ok: true });
      expect(net.requests.length).toBeGreaterThan(0);
      const storage = await readStorage(config.dbName!);
      expect([...(await attack(campaignInput, storage)).keys()]).toEqual([]);
      storages.push(storage);
      api.close();
    }
    // Identical storage but for the random key: the same ledger rows and figures, the same meta keys.
    expect(storages[0]!.ledger).toEqual(storages[1]!.ledger);
    expect(storages[0]!.metaKeys).toEqual(storages[1]!.metaKeys);
  });
});
