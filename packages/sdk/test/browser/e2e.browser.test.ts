/** End to end in Chromium: campaign fetched from the real collector, reports ingested exactly once. */
import { describe, expect, inject, it } from 'vitest';
import { createClient, isPrivacyError, type TransportEvent } from '../../src/index.ts';
import { e2eCampaign, RAW } from './campaign.ts';

/** The app ships its own copy of the campaign and pins each question's tier from it. */
const tiers = Object.fromEntries(e2eCampaign.questions.map((q) => [q.id, q.tier]));

describe('SDK → real collector', () => {
  it('fetches the published campaign and delivers every report, acknowledged as accepted (none duplicate)', async () => {
    const collectorUrl = inject('realCollectorUrl');
    const events: TransportEvent[] = [];
    const client = await createClient({ collectorUrl, campaignId: 'sdk-e2e', tiers, dbName: `pp-e2e-${Date.now()}`, flushIntervalMs: 600_000, onEvent: (e) => events.push(e) });
    await client.optIn();
    const answers = [['fever', true], ['symptom', RAW.categorical], ['pain', 6], ['diagnosis', RAW.string]] as const;
    for (const [q, a] of answers) await client.report(q, a);
    expect(await client.flush()).toMatchObject({ sent: answers.length, dropped: 0 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sent', accepted: answers.length, duplicates: 0 }));
    client.close();
  });

  it('refuses the published campaign when it declares a laxer tier than the app pinned (nothing sent)', async () => {
    const collectorUrl = inject('realCollectorUrl');
    // The app holds the diagnosis question to `high` (cap 1); the collector serves it as `low` with ε 1.1 (RAPPOR is charged its ε∞ ≈ 4.39 per report, which only `low` allows).
    const error = await createClient({ collectorUrl, campaignId: 'sdk-e2e', tiers: { ...tiers, diagnosis: 'high' }, dbName: `pp-e2e-pin-${Date.now()}` }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'TIER_CAP_EXCEEDED')).toBe(true);
    expect((error as Error).message).toMatch(/diagnosis is declared low, laxer than the tier high/);
  });
});
