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
import { describe, expect, it } from 'vitest';
import type { CampaignInput } from '@practical-privacy/core';
import demoCampaign from '../../demo-app/campaign/daily-checkin.json' with { type: 'json' };
import { campaign as oneLevelCampaign, setup } from './fixtures.ts';
import { attack, readStorage, type Storage } from './oracle-attack.ts';

const demo = demoCampaign as CampaignInput;

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
