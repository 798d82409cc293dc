/**
 * The answer-oracle attacker of docs/privacy-model.md, shared by the Node test (answer-oracle.test.ts)
 * and the real-browser one (browser/longitudinal.browser.test.ts): code in the app's origin that can
 * USE the non-extractable device key. See answer-oracle.test.ts for what it does and why.
 */
import { createCampaignRandomizers, isTwoLevel, stringIndex, validateCampaign, type AnyTwoLevelRandomizer, type CampaignInput, type Question } from '@practical-privacy/core';
import { openDB } from 'idb';
import { parseAnswer } from '../src/worker/answers.ts';
import { permanentKeyOf } from '../src/worker/campaign.ts';
import { deviceConstant, permanentOf } from '../src/worker/levels.ts';
import { framed, hmac, toHex } from '../src/worker/secret.ts';

/** Every answer a question can take (numeric: the integers of its range; strings: the candidates and one other). */
export function everyAnswer(q: Question): unknown[] {
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

export interface Storage {
  key: CryptoKey;
  /** Every stored value and key but the secret, serialized. */
  bytes: string;
  ledger: unknown[];
  metaKeys: string[];
  memoKeys: Set<string>;
}

export async function readStorage(dbName: string): Promise<Storage> {
  // Opened without a version, as foreign code in the origin would (no upgrade, every store as it is).
  const db = await openDB(dbName);
  const key = (await db.get('meta', 'secret')) as CryptoKey;
  const parts: string[] = [];
  for (const name of Array.from(db.objectStoreNames)) parts.push(JSON.stringify(await db.getAll(name)), JSON.stringify(await db.getAllKeys(name)));
  const ledger = ((await db.getAll('ledger')) as Array<{ key: string; spent: number; reports?: number }>).map(({ key: k, spent, reports }) => ({ k, spent, reports }));
  const metaKeys = (await db.getAllKeys('meta')).map(String).sort();
  // A v1 database (or a regression) would have a memo store: read it if it exists.
  const memoKeys = new Set<string>();
  if (db.objectStoreNames.contains('memo')) for (const k of await db.getAllKeys('memo')) memoKeys.add(String(k));
  db.close();
  return { key, bytes: parts.join('\n'), ledger, metaKeys, memoKeys };
}

/** What the attacker learns: per question, the answers consistent with storage (empty = nothing). */
export async function attack(campaignInput: CampaignInput, storage: Storage): Promise<Map<string, unknown[]>> {
  const campaign = validateCampaign(campaignInput);
  const randomizers = createCampaignRandomizers(campaign);
  const found = new Map<string, unknown[]>();
  for (const q of campaign.questions) {
    const m = randomizers.get(q.id)!;
    const ref = { campaignId: campaign.id, questionId: q.id, ...(isTwoLevel(m) ? { permanentKey: await permanentKeyOf(q, m) } : {}) };
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

