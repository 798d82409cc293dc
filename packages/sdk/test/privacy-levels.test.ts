/**
 * Privacy levels on the device (issue 14 §2): a question whose campaign lists levels is reported
 * at the highest level within the app's per-report cap (budget-aware: a default above the cap is
 * stepped down instead of refused), or at its strictest level once the patient chooses "more
 * private" (stored on the device, per question or for all). The level travels in ext.level; the
 * permanent response and the charge do not depend on it.
 */
import 'fake-indexeddb/auto';
import { createQuestionRandomizer, validateCampaign, type CampaignInput } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../src/worker/api.ts';
import { freshDbName, recordingFetch } from './fixtures.ts';
import { seededRandomSource } from '@practical-privacy/core';

const campaign: CampaignInput = {
  id: 'levels',
  version: 1,
  title: 'Levels',
  questions: [
    { id: 'mood', prompt: 'Low mood today?', type: 'boolean', tier: 'moderate', epsilon: 2, epsilonPermanent: 4, levels: [2, 1, 0.5] },
    { id: 'fever', prompt: 'Fever?', type: 'boolean', tier: 'moderate', epsilon: 1, epsilonPermanent: 2 },
  ],
};

async function start(config: Record<string, unknown> = {}, dbName = freshDbName(), day = '2026-11-23') {
  const net = recordingFetch();
  const api = createWorkerApi({ fetch: net.fetch, random: seededRandomSource(`levels ${dbName} ${day}`), now: () => new Date(`${day}T10:00:00Z`) });
  const init = await api.init({ collectorUrl: 'https://collector.test', campaign, dbName, flushIntervalMs: 60_000, ...config });
  return { api, init, net, dbName };
}

async function sentLevels(api: Awaited<ReturnType<typeof start>>['api'], net: ReturnType<typeof recordingFetch>): Promise<unknown[]> {
  await api.flush();
  return net.requests.flatMap((r) => (JSON.parse(r.body) as { reports: { questionId: string; ext?: { level?: number } }[] }).reports.map((x) => [x.questionId, x.ext?.level]));
}

describe('privacy levels in the SDK', () => {
  it('reports at the default level, and at the strictest once the patient chooses more privacy (kept across a restart)', async () => {
    const first = await start();
    expect(first.init.ok).toBe(true);
    await first.api.optIn();
    const receipt = await first.api.report('mood', true);
    expect(receipt).toMatchObject({ ok: true, value: { level: 2 } });
    expect(await sentLevels(first.api, first.net)).toEqual([['mood', 2]]);
    expect(await first.api.setPrivacy('more-private')).toMatchObject({ ok: true });
    first.api.close();

    // The next day, a new worker on the same device: the choice holds.
    const second = await start({}, first.dbName, '2026-11-24');
    const later = await second.api.report('mood', true);
    expect(later).toMatchObject({ ok: true, value: { level: 0.5 } });
    await second.api.report('fever', true);
    expect((await sentLevels(second.api, second.net)).sort()).toEqual([
      ['fever', undefined],
      ['mood', 0.5],
    ]);
    // Changing level creates no new permanent response and no new charge: the same ε∞ charge rule as the first report.
    if (!receipt.ok || !later.ok) throw new Error('unreachable');
    expect(later.value.epsilonSpent).toBe(receipt.value.epsilonSpent);
    await second.api.setPrivacy('default', 'mood');
    second.api.close();
  });

  it('budget-aware: with a per-report cap below the default level, reports at the highest level that fits instead of refusing', async () => {
    const { api, init, net } = await start({ caps: { perReport: { moderate: 1 } }, trustServerTiers: true });
    expect(init.ok).toBe(true);
    await api.optIn();
    expect(await api.report('mood', false)).toMatchObject({ ok: true, value: { level: 1 } });
    expect(await sentLevels(api, net)).toEqual([['mood', 1]]);
    api.close();
    // Without levels the same cap refuses the question, as before.
    const plain = await start({ caps: { perReport: { moderate: 0.4 } } });
    expect(plain.init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED' } });
  });

  it('refuses an unknown choice or question, and changes nothing', async () => {
    const { api } = await start();
    await api.optIn();
    expect(await api.setPrivacy('max' as never)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', path: 'choice' } });
    expect(await api.setPrivacy('more-private', 'nope')).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', path: 'questionId' } });
    expect(await api.report('mood', true)).toMatchObject({ ok: true, value: { level: 2 } });
    api.close();
  });

  it('every level shares the permanent level, so the device derives one permanent response whatever the level', () => {
    const q = validateCampaign(campaign).questions[0]!;
    const keys = [2, 1, 0.5].map((level) => (createQuestionRandomizer(q, { level }) as unknown as { parameterKey: string }).parameterKey);
    expect(new Set(keys).size).toBe(1);
  });
});
