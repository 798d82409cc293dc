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

  it('a campaign that forbids the step-down (levelPolicy.stepDown: false): a default above the per-report cap is refused at init, as without levels', async () => {
    const strictCampaign: CampaignInput = { ...campaign, questions: [{ ...campaign.questions[0]!, levelPolicy: { stepDown: false } } as CampaignInput['questions'][number], campaign.questions[1]!] };
    const refused = await start({ campaign: strictCampaign, caps: { perReport: { moderate: 1 } }, trustServerTiers: true });
    expect(refused.init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED' } });
    // Within the cap it reports at its default, and the patient may still choose more privacy.
    const { api, init, net } = await start({ campaign: strictCampaign, caps: { perReport: { moderate: 2 } }, trustServerTiers: true });
    expect(init.ok).toBe(true);
    await api.optIn();
    expect(await api.report('mood', false)).toMatchObject({ ok: true, value: { level: 2 } });
    expect(await api.setPrivacy('more-private')).toMatchObject({ ok: true });
    expect(await api.report('fever', false)).toMatchObject({ ok: true });
    // Sent in outbox order (by report id): sorted here.
    expect((await sentLevels(api, net)).sort()).toEqual([
      ['fever', undefined],
      ['mood', 2],
    ]);
    api.close();
  });
});

describe('levels assigned at random (levelPolicy.assignment: random)', () => {
  const randomCampaign: CampaignInput = { ...campaign, questions: [{ ...campaign.questions[0]!, levelPolicy: { assignment: 'random', weights: [2, 1, 1] } } as CampaignInput['questions'][number], campaign.questions[1]!] };

  /** One device reporting `answer` to mood on each of `days` days, from a random source seeded by `seed`. */
  async function reportDaily(seed: string, answer: boolean, days: number) {
    let day = new Date('2026-01-01T10:00:00Z');
    const net = recordingFetch();
    const api = createWorkerApi({ fetch: net.fetch, random: seededRandomSource(seed), now: () => day });
    await api.init({ collectorUrl: 'https://collector.test', campaign: randomCampaign, dbName: freshDbName(), flushIntervalMs: 60_000 });
    await api.optIn();
    const levels: unknown[] = [];
    for (let i = 0; i < days; i++) {
      const receipt = await api.report('mood', answer);
      if (!receipt.ok) throw new Error(receipt.error.message);
      levels.push(receipt.value.level);
      day = new Date(day.getTime() + 86_400_000);
    }
    const sent = (await sentLevels(api, net)).map((x) => (x as unknown[])[1]);
    api.close();
    return { levels, sent };
  }

  it('draws each report\'s level with the campaign\'s weights from the worker\'s random source, whatever the answer', async () => {
    const yes = await reportDaily('random levels', true, 120);
    // The level travels with the report.
    expect(yes.sent).toEqual(yes.levels);
    const count = (level: number) => yes.levels.filter((l) => l === level).length;
    // Weights 2:1:1 over 120 reports: Binomial(120, ½) and Binomial(120, ¼), each within ±4.5 sd.
    expect(Math.abs(count(2) - 60)).toBeLessThan(25);
    expect(Math.abs(count(1) - 30)).toBeLessThan(22);
    expect(Math.abs(count(0.5) - 30)).toBeLessThan(22);
    // Independent of the answer: the same random source answering the opposite draws the same levels.
    const no = await reportDaily('random levels', false, 120);
    expect(no.levels).toEqual(yes.levels);
  });

  it('a patient who chose more privacy is refused for that question (LEVEL_ASSIGNED), with nothing charged or queued; other questions are unaffected', async () => {
    const { api, net } = await start({ campaign: randomCampaign });
    await api.optIn();
    expect(await api.setPrivacy('more-private', 'mood')).toMatchObject({ ok: false, error: { code: 'LEVEL_ASSIGNED', path: 'questionId' } });
    // That refusal stored nothing: the next report draws a level as usual.
    expect(await api.report('mood', true)).toMatchObject({ ok: true });
    api.close();

    const other = await start({ campaign: randomCampaign });
    await other.api.optIn();
    expect(await other.api.setPrivacy('more-private')).toMatchObject({ ok: true });
    const before = await other.api.budget();
    expect(await other.api.report('mood', true)).toMatchObject({ ok: false, error: { code: 'LEVEL_ASSIGNED' } });
    expect(await other.api.budget()).toEqual(before);
    expect(await other.api.report('fever', true)).toMatchObject({ ok: true });
    expect(await sentLevels(other.api, other.net)).toEqual([['fever', undefined]]);
    // Undoing the choice lets mood be reported (at a drawn level) the same day.
    await other.api.setPrivacy('default');
    expect(await other.api.report('mood', true)).toMatchObject({ ok: true });
    other.api.close();
    void net;
  });
});
