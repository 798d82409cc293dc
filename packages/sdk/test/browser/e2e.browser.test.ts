/** End to end in Chromium: campaign fetched from the real collector, reports ingested exactly once. */
import { describe, expect, inject, it } from 'vitest';
import { createClient, type TransportEvent } from '../../src/index.ts';
import { RAW } from './campaign.ts';

describe('SDK → real collector', () => {
  it('fetches the published campaign and delivers every report, acknowledged as accepted (none duplicate)', async () => {
    const collectorUrl = inject('realCollectorUrl');
    const events: TransportEvent[] = [];
    const client = await createClient({ collectorUrl, campaignId: 'sdk-e2e', dbName: `pp-e2e-${Date.now()}`, flushIntervalMs: 600_000, onEvent: (e) => events.push(e) });
    await client.optIn();
    const answers = [['fever', true], ['symptom', RAW.categorical], ['pain', 6], ['diagnosis', RAW.string]] as const;
    for (const [q, a] of answers) await client.report(q, a);
    expect(await client.flush()).toMatchObject({ sent: answers.length, dropped: 0 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sent', accepted: answers.length, duplicates: 0 }));
    client.close();
  });
});
