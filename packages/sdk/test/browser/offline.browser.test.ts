/**
 * Offline-first in Chromium (issue 15 §3): the real module worker, IndexedDB and fetch. The app
 * opened once online (campaign fetched, patient opted in) opens again with the collector
 * unreachable — the stub destroys the connection, which the worker's fetch sees as a network error,
 * as offline or a CORS refusal looks — reports, and the report is delivered exactly once when the
 * collector is back, by the retry schedule alone.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { CampaignInput } from '@practical-privacy/core';
import { createClient, isPrivacyError, type ClientOptions } from '../../src/index.ts';

const collectorUrl = inject('collectorUrl');
const campaign: CampaignInput = {
  id: 'offline-symptoms',
  version: 1,
  title: 'Daily symptoms',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    { id: 'pain', prompt: 'Pain', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
  ],
};
const tiers = { fever: 'low', pain: 'low' } as const;
const control = (path: string, body?: string) => fetch(`${collectorUrl}${path}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
const recorded = async () => (await (await fetch(`${collectorUrl}/recorded`)).json()) as { bodies: Array<{ body: string }>; accepted: string[] };

beforeEach(async () => {
  await control('/reset');
  await control('/campaign', JSON.stringify(campaign));
});

describe('offline start in Chromium', () => {
  it('opens offline from the cached campaign, reports, and delivers the report once when the collector is back', async () => {
    const options: ClientOptions = { collectorUrl, campaignId: campaign.id, tiers, dbName: `pp-offline-${Date.now()}`, flushIntervalMs: 600_000, baseBackoffMs: 50, maxBackoffMs: 200 };
    const online = await createClient(options);
    await online.optIn();
    online.close();

    await control('/offline');
    // A device that never cached the campaign cannot start: the typed, retryable error.
    const never = await createClient({ ...options, dbName: `pp-offline-never-${Date.now()}` }).catch((e: unknown) => e);
    expect(isPrivacyError(never, 'CAMPAIGN_UNAVAILABLE')).toBe(true);
    expect((never as Error).message).toContain('PP_ALLOWED_ORIGINS');

    const offline = await createClient(options);
    const { reportId } = await offline.report('fever', true);
    expect(await offline.flush()).toMatchObject({ sent: 0, pending: 1 });

    await control('/online');
    // Nothing more is asked of the client: the backoff timer delivers it.
    for (let i = 0; !(await recorded()).accepted.includes(reportId); i++) {
      if (i > 600) throw new Error('the queued report was not delivered after the collector came back');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The upload that delivered it may still be removing the row: a flush joins it, the next one finds nothing to send.
    await offline.flush();
    expect(await offline.flush()).toMatchObject({ sent: 0, pending: 0 });
    const seen = await recorded();
    expect(seen.accepted).toEqual([reportId]);
    expect(seen.bodies.filter((b) => b.body.includes(reportId))).toHaveLength(1);
    offline.close();
  });

  it('sends what waited offline as soon as the browser says it is back online, without waiting for the backoff timer', async () => {
    // A backoff this long would hold the report for up to an hour after the first failure.
    const options: ClientOptions = { collectorUrl, campaignId: campaign.id, tiers, dbName: `pp-online-${Date.now()}`, flushIntervalMs: 3_600_000, baseBackoffMs: 3_600_000, maxBackoffMs: 3_600_000 };
    const client = await createClient(options);
    await client.optIn();
    await control('/offline');
    const { reportId } = await client.report('pain', 2);
    expect(await client.flush()).toMatchObject({ sent: 0, pending: 1 });
    await control('/online');
    dispatchEvent(new Event('online'));
    for (let i = 0; !(await recorded()).accepted.includes(reportId); i++) {
      if (i > 600) throw new Error('the queued report was not sent on the online event');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await recorded()).bodies.filter((b) => b.body.includes(reportId))).toHaveLength(1);
    client.close();
  });

  it('a collector that does not allow the app’s origin: CAMPAIGN_UNAVAILABLE, naming PP_ALLOWED_ORIGINS (the browser hides the CORS refusal as a network error)', async () => {
    await control('/campaign?cors=0', JSON.stringify({ ...campaign, id: 'no-cors' }));
    // The same campaign is served, but without Access-Control-Allow-Origin: script cannot read it.
    expect((await fetch(`${collectorUrl}/v1/campaigns/no-cors`, { mode: 'no-cors' })).type).toBe('opaque');
    const error = await createClient({ collectorUrl, campaignId: 'no-cors', tiers, dbName: `pp-no-cors-${Date.now()}` }).catch((e: unknown) => e);
    expect(isPrivacyError(error, 'CAMPAIGN_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/campaigns\/no-cors could not be reached \(TypeError: Failed to fetch\) and no copy is cached: offline, or the collector is down or does not allow this origin \(PP_ALLOWED_ORIGINS\); retry later$/);
  });
});
