/**
 * The adversary of docs/privacy-model.md's "answer oracle" gap: code running in the app's origin
 * after the reports were delivered. It cannot read the device key's bytes (non-extractable) but can
 * USE the key: it enumerates every possible answer of every question, recomputes what the SDK
 * derives with the key (memo keys), and compares with every stored byte.
 *
 * Known gap (issue #13 §3): today the memo is keyed by HMAC(key, campaign ‖ question ‖ answer), so
 * this attacker recovers every memoized answer. The test is `it.fails`: it states the property the
 * SDK must have (nothing better than chance), fails on today's code — which is what `it.fails`
 * expects — and turns red the day the gap closes, so it must then become a plain `it`. If the
 * attack itself broke (recovered nothing on today's code), `it.fails` would turn red too.
 */
import { describe, expect, it } from 'vitest';
import { validateCampaign, type Question } from '@practical-privacy/core';
import { campaign, setup } from './fixtures.ts';
import { openSdkDatabase } from '../src/store/db.ts';
import { parseAnswer } from '../src/worker/answers.ts';
import { framed, hmac, toHex } from '../src/worker/secret.ts';

const questions = validateCampaign(campaign).questions;

/** Every answer a question can take (numeric: the integers of its range; strings are RAPPOR, not memoized). */
function everyAnswer(q: Question): unknown[] {
  switch (q.type) {
    case 'boolean': return [true, false];
    case 'categorical': return q.domain.categories.map((c) => c.code);
    case 'numeric': return Array.from({ length: q.domain.high - q.domain.low + 1 }, (_, i) => q.domain.low + i);
    case 'multiselect': {
      const codes = q.domain.items.map((i) => i.code);
      const subsets: string[][] = [[]];
      for (const code of codes) for (const s of [...subsets]) if (s.length < q.domain.maxItems) subsets.push([...s, code]);
      return subsets;
    }
    default: return [];
  }
}

/** What the attacker in the origin learns: for each question, the answers consistent with storage. */
async function attack(dbName: string): Promise<Map<string, unknown[]>> {
  const db = await openSdkDatabase(dbName);
  const key = (await db.get('meta', 'secret')) as CryptoKey;
  const memoKeys = new Set((await db.getAllKeys('memo')).map(String));
  db.close();
  const found = new Map<string, unknown[]>();
  for (const q of questions) {
    const hits: unknown[] = [];
    for (const answer of everyAnswer(q)) {
      const canonical = parseAnswer(q, answer).canonical;
      if (memoKeys.has(toHex(await hmac(key, framed(['memo/v1', campaign.id, q.id, canonical]))))) hits.push(answer);
    }
    if (hits.length > 0) found.set(q.id, hits);
  }
  return found;
}

const patients: Array<Array<[string, unknown]>> = [
  [['fever', true], ['symptom', 'headache'], ['meds', ['a']], ['pain', 7], ['sleep', false]],
  [['fever', false], ['symptom', 'fatigue'], ['meds', ['b', 'c']], ['pain', 2], ['sleep', true]],
];

describe('no answer oracle on the device (code in the origin that can use the key)', () => {
  it.fails('recovers no answer of two patients whose answers differ, once their reports are delivered', async () => {
    for (const answers of patients) {
      const { api, config, net } = await setup(); // the collector acknowledges every batch
      await api.optIn();
      for (const [q, a] of answers) expect((await api.report(q, a)).ok).toBe(true);
      expect(await api.flush()).toMatchObject({ ok: true });
      expect(net.requests.length).toBeGreaterThan(0);
      const recovered = await attack(config.dbName!);
      // Better than chance would be any question narrowed below its whole answer space.
      expect([...recovered.keys()]).toEqual([]);
    }
  });
});
