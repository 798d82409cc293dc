/**
 * Permanent responses survive republishing (issue 13 §4), and a server cannot buy fresh ones for
 * free. The adversary is a collector that republishes its campaign:
 *  - a new version that keeps the question's mechanism, parameters, prompt and options (a new
 *    campaign title and minimum batch):
 *    the same permanent key, hence the same permanent responses, and the ledger goes on counting —
 *    after D reports nothing more is charged;
 *  - options reordered or relabelled, or a new prompt (same parameterKey, but the slots now mean
 *    other answers), or ε∞ changed: a new key —
 *    new permanent responses and a new charge of ε∞ on each of the next D reports, never a reset.
 */
import { describe, expect, it } from 'vitest';
import { createCampaignRandomizers, validateCampaign, type AnyTwoLevelRandomizer, type CampaignInput } from '@practical-privacy/core';
import { openSdkDatabase } from '../src/store/db.ts';
import { permanentKeyOf } from '../src/worker/campaign.ts';
import { permanentOf } from '../src/worker/levels.ts';
import { createWorkerApi } from '../src/worker/api.ts';
import { freshDbName, recordingFetch } from './fixtures.ts';

const categories = [
  { code: 'none', label: 'None' },
  { code: 'mild', label: 'Mild' },
  { code: 'bad', label: 'Bad' },
];
const version = (v: number, change: { title?: string; minBatch?: number; prompt?: string; categories?: typeof categories; epsilonPermanent?: number } = {}): CampaignInput => ({
  id: 'checkin',
  version: v,
  title: change.title ?? 'Check-in',
  questions: [
    {
      id: 'pain',
      type: 'categorical',
      prompt: change.prompt ?? 'Pain?',
      tier: 'moderate',
      epsilon: 1,
      epsilonPermanent: change.epsilonPermanent ?? 2,
      mechanism: 'l-grr',
      minBatch: change.minBatch ?? 20,
      domain: { categories: change.categories ?? categories },
    },
  ],
});
const SAME = { title: 'Daily check-in', minBatch: 50 }; // campaign text and release settings only

async function keyOf(campaign: CampaignInput): Promise<string> {
  const c = validateCampaign(campaign);
  return permanentKeyOf(c.questions[0]!, createCampaignRandomizers(c).get('pain') as AnyTwoLevelRandomizer);
}

describe('republishing', () => {
  it('keeps permanent responses and the count across versions; a relabel or a new ε∞ is a new charge', async () => {
    const dbName = freshDbName();
    const net = recordingFetch();
    let day = 0;
    const now = () => new Date(Date.parse('2027-01-04T09:00:00Z') + day * 86_400_000);
    const charges: number[] = [];
    const run = async (campaign: CampaignInput, days: number) => {
      const api = createWorkerApi({ fetch: net.fetch, now });
      const init = await api.init({ collectorUrl: 'https://c.test', campaign, dbName, flushIntervalMs: 60_000 });
      if (!init.ok) throw new Error(init.error.message);
      await api.optIn();
      for (let i = 0; i < days; i++, day++) {
        const r = await api.report('pain', 'mild');
        if (!r.ok) throw new Error(r.error.message);
        charges.push(r.value.epsilonSpent);
      }
      api.close();
    };
    const m = createCampaignRandomizers(validateCampaign(version(1))).get('pain') as AnyTwoLevelRandomizer;
    const e = m.permanentEpsilon;

    await run(version(1), 2); // D = 3: two of three charged
    await run(version(2, SAME), 3); // same key: one more charge, then none
    expect(charges).toEqual([e, e, e, 0, 0]);
    expect(await keyOf(version(2, SAME))).toBe(await keyOf(version(1)));
    // What the patient is shown is part of the key: a swapped label or a new prompt is a new one.
    const swapped = [categories[0]!, { ...categories[1]!, label: 'Bad' }, { ...categories[2]!, label: 'Mild' }];
    expect(await keyOf(version(2, { categories: swapped }))).not.toBe(await keyOf(version(1)));
    expect(await keyOf(version(2, { prompt: 'Pain-free today?' }))).not.toBe(await keyOf(version(1)));

    await run(version(3, { categories: [categories[1]!, categories[0]!, categories[2]!] }), 4); // relabelled: a new key
    expect(charges.slice(5)).toEqual([e, e, e, 0]);
    await run(version(4, { epsilonPermanent: 1.9 }), 1); // new ε∞: a new key
    expect(charges[9]).toBeGreaterThan(0);

    // The permanent responses are the same for the same key and different for a relabelled one.
    const db = await openSdkDatabase(dbName);
    const secret = (await db.get('meta', 'secret')) as CryptoKey;
    db.close();
    const ref = async (c: CampaignInput) => ({ campaignId: 'checkin', questionId: 'pain', permanentKey: await keyOf(c) });
    const draw = async (c: CampaignInput) => Promise.all([0, 1, 2].map(async (slot) => permanentOf(m, secret, await ref(c), slot)));
    expect(await draw(version(2, SAME))).toEqual(await draw(version(1)));
    expect(await keyOf(version(3, { categories: [categories[1]!, categories[0]!, categories[2]!] }))).not.toBe(await keyOf(version(1)));
  });
});
