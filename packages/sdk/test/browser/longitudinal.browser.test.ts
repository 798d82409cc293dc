/**
 * Longitudinal privacy in Debian's Chromium, with the real module worker and IndexedDB:
 *  - the answer-oracle attacker (test/oracle-attack.ts) runs IN THE PAGE — code in the app's origin —
 *    after two patients' check-ins were delivered: it opens the SDK's database, takes the
 *    non-extractable key, enumerates every answer of every question, recomputes the v1 memo keys and
 *    the two-level permanent responses, and must find nothing; the two patients' ledgers are equal;
 *  - the relabel-to-`low` attack (issue 13 §5): a server that serves the app's pinned `high` PHQ-2
 *    question as `low` with ε = 4 is refused with TIER_CAP_EXCEEDED and nothing is sent.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { isPrivacyError, type CampaignInput } from '@practical-privacy/core';
import demoCampaign from '../../../demo-app/campaign/daily-checkin.json' with { type: 'json' };
import { createClient, type ClientOptions } from '../../src/index.ts';
import { attack, readStorage } from '../oracle-attack.ts';

const collectorUrl = inject('collectorUrl');
const demo = demoCampaign as CampaignInput;
let counter = 0;
const options = (extra: Partial<ClientOptions> = {}): ClientOptions => ({ collectorUrl, campaign: demo, dbName: `pp-longitudinal-${Date.now()}-${++counter}`, flushIntervalMs: 60_000, ...extra });
const recorded = async () => (await (await fetch(`${collectorUrl}/recorded`)).json()) as { bodies: Array<{ body: string }>; accepted: string[] };

beforeEach(async () => {
  await fetch(`${collectorUrl}/reset`, { method: 'POST' });
});

describe('longitudinal privacy in Chromium', () => {
  it('an attacker in the origin that can use the key recovers no answer of two patients whose answers differ', async () => {
    const patients = [
      { symptoms: ['25064002'], pain: 7, 'low-mood': true, medication: 'ibuprofen' },
      { symptoms: ['84229001', '49727002'], pain: 1, 'low-mood': false, medication: 'something else' },
    ];
    const ledgers: unknown[] = [];
    for (const answers of patients) {
      const opts = options();
      const client = await createClient(opts);
      await client.optIn();
      for (const [q, a] of Object.entries(answers)) await client.report(q, a);
      await client.flush();
      client.close();
      const storage = await readStorage(opts.dbName!);
      expect(storage.key.extractable).toBe(false);
      expect([...(await attack(demo, storage)).keys()]).toEqual([]);
      ledgers.push(storage.ledger);
    }
    expect((await recorded()).accepted).toHaveLength(8);
    expect(ledgers[0]).toEqual(ledgers[1]);
  });

  it('refuses the relabel-to-low attack on a pinned high question, sending nothing', async () => {
    const served: CampaignInput = {
      id: 'checkin',
      version: 2,
      title: 'Check-in',
      questions: [{ id: 'low-mood', prompt: 'Little interest or pleasure in doing things?', type: 'boolean', tier: 'low', epsilon: 4 }],
    };
    const { campaign: _none, ...rest } = options();
    const refused = await createClient({ ...rest, campaignId: 'checkin', campaignUrl: `data:application/json,${encodeURIComponent(JSON.stringify(served))}`, tiers: { 'low-mood': 'high' } }).catch((e: unknown) => e);
    expect(isPrivacyError(refused, 'TIER_CAP_EXCEEDED')).toBe(true);
    expect((await recorded()).bodies).toHaveLength(0);
  });
});
