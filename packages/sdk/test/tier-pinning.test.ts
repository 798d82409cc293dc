/**
 * The app, not the server, decides which tier (and so which cap) a question is held to. The
 * adversary here is a collector that changes its campaign: it relabels a question to a laxer tier,
 * or raises ε, or adds a question the app has never heard of. Each must be refused before anything
 * is stored or sent.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createCampaignRandomizers, validateCampaign, type CampaignInput } from '@practical-privacy/core';
import { createWorkerApi } from '../src/worker/api.ts';
import { openSdkDatabase } from '../src/store/db.ts';

/** The PHQ-2 mood question as the app ships it: tier high, ε 1. */
const phq2 = { id: 'low-mood', prompt: 'Little interest or pleasure in doing things?', type: 'boolean', tier: 'high', epsilon: 1 } as const;
const served = (questions: CampaignInput['questions']): CampaignInput => ({ id: 'checkin', version: 2, title: 'Check-in', questions });
let counter = 0;

/** A worker whose collector serves `campaign`; counts every request the worker makes after init. */
async function fetched(campaign: CampaignInput, config: { tiers?: Record<string, string>; trustServerTiers?: boolean } = {}) {
  const requests: string[] = [];
  const api = createWorkerApi({
    fetch: (async (input: RequestInfo | URL) => {
      requests.push(String(input));
      return new Response(JSON.stringify(campaign), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch,
  });
  const dbName = `tier-pinning-${++counter}`;
  const init = await api.init({ collectorUrl: 'https://collector.test', campaignId: campaign.id, dbName, ...(config as object) });
  return { api, init, requests, dbName };
}

describe('tiers the app pins', () => {
  it('refuses the relabel-to-low attack: a pinned high question served as low with ε = 4', async () => {
    const { api, init, requests, dbName } = await fetched(served([{ ...phq2, tier: 'low', epsilon: 4 }]), { tiers: { 'low-mood': 'high' } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.tier' } });
    // Nothing was set up: no report can be made and nothing beyond the campaign fetch was requested.
    expect(await api.report('low-mood', true)).toMatchObject({ ok: false });
    expect(requests).toHaveLength(1);
    const db = await openSdkDatabase(dbName);
    expect(await db.count('outbox')).toBe(0);
    expect(await db.count('ledger')).toBe(0);
    db.close();
  });

  it('refuses a server that relabels a pinned question to a laxer tier even when ε stays within the pinned cap', async () => {
    const { init } = await fetched(served([{ ...phq2, tier: 'moderate', epsilon: 1 }]), { tiers: { 'low-mood': 'high' } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.tier' } });
  });

  it('refuses a pinned question whose ε exceeds the pinned tier cap', async () => {
    const { init } = await fetched(served([{ ...phq2, epsilon: 1.5 }]), { tiers: { 'low-mood': 'high' } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilon' } });
  });

  it('holds a question the app has not pinned to restricted (cap 0.5) unless the app trusts server tiers', async () => {
    const campaign = served([{ ...phq2, tier: 'low', epsilon: 1 }]);
    const strict = await fetched(campaign);
    expect(strict.init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilon' } });
    if (strict.init.ok) throw new Error('unreachable');
    expect(strict.init.error.message).toMatch(/held to tier restricted by this app, declared low/);
    expect((await fetched(campaign, { trustServerTiers: true })).init).toMatchObject({ ok: true });
    // Within restricted's cap an unpinned question is accepted.
    expect((await fetched(served([{ ...phq2, tier: 'low', epsilon: 0.5 }]))).init).toMatchObject({ ok: true });
  });

  it('accepts a server that declares a stricter tier than pinned, and the caps still apply', async () => {
    const { api, init } = await fetched(served([{ ...phq2, tier: 'restricted', epsilon: 1 }]), { tiers: { 'low-mood': 'high' } });
    expect(init).toMatchObject({ ok: true });
    await api.optIn();
    expect(await api.report('low-mood', true)).toMatchObject({ ok: true });
  });

  it('counts the tiers of a campaign defined in code as the app’s own', async () => {
    const api = createWorkerApi({ fetch: (async () => new Response('{}', { status: 500 })) as typeof fetch });
    const init = await api.init({ collectorUrl: 'https://collector.test', campaign: served([phq2]), dbName: `tier-pinning-${++counter}` });
    expect(init).toMatchObject({ ok: true });
  });

  it('refuses malformed pins with PARAMETER_INVALID', async () => {
    expect((await fetched(served([phq2]), { tiers: { 'low-mood': 'lax' } })).init).toMatchObject({ ok: false, error: { code: 'PARAMETER_INVALID', path: 'tiers.low-mood' } });
    expect((await fetched(served([phq2]), { tiers: ['high'] as unknown as Record<string, string> })).init).toMatchObject({ ok: false, error: { code: 'PARAMETER_INVALID', path: 'tiers' } });
  });

  it('caps both levels: a pinned high question served with ε∞ above its cap (2) is refused, nothing sent', async () => {
    const longitudinal = { ...phq2, epsilon: 1, epsilonPermanent: 2.5, mechanism: 'l-grr' } as const;
    const { init, requests } = await fetched(served([longitudinal]), { tiers: { 'low-mood': 'high' } });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilonPermanent' } });
    expect(requests).toHaveLength(1);
    expect((await fetched(served([{ ...longitudinal, epsilonPermanent: 2 }]), { tiers: { 'low-mood': 'high' } })).init).toMatchObject({ ok: true });
    // RAPPOR's ε∞ is capped the same way (4·ln 3 ≈ 4.39 > moderate's 4).
    const rappor = {
      id: 'drug',
      prompt: 'Medication?',
      type: 'string' as const,
      tier: 'moderate' as const,
      epsilon: 1.1,
      domain: { candidates: ['a'], rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } },
    } satisfies CampaignInput['questions'][number];
    expect((await fetched(served([rappor]), { tiers: { drug: 'moderate' } })).init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.domain' } });
  });
});

describe('lifetime bound', () => {
  it('refuses up front a two-level question whose D·ε∞ alone passes the lifetime cap, saying what fits', async () => {
    const categories = Array.from({ length: 40 }, (_, i) => ({ code: `c${i}`, label: `C${i}` }));
    const question = { id: 'site', prompt: 'Where?', type: 'categorical', tier: 'moderate', epsilon: 1, epsilonPermanent: 3, mechanism: 'l-grr', domain: { categories } } as const;
    const api = createWorkerApi({});
    const init = await api.init({ collectorUrl: 'https://collector.test', campaign: served([question]), dbName: `tier-pinning-${++counter}` });
    expect(init).toMatchObject({ ok: false, error: { code: 'TIER_CAP_EXCEEDED', path: 'questions.0.epsilonPermanent' } });
    if (!init.ok) expect(init.error.message).toMatch(/40 × 3\.000 = 120\.000.*lifetime cap of 100.*loloha/);
    // LOLOHA over the same 40 options has at most 31 permanent responses and fits.
    const bounded = await createWorkerApi({}).init({ collectorUrl: 'https://collector.test', campaign: served([{ ...question, mechanism: 'loloha' }]), dbName: `tier-pinning-${++counter}` });
    expect(bounded).toMatchObject({ ok: true });
  });
});

describe('campaign id', () => {
  it('refuses a fetched campaign served under another id than the app asked for (a fresh ledger would follow)', async () => {
    const renamed: CampaignInput = { ...served([phq2]), id: 'checkin-day-2' };
    const api = createWorkerApi({ fetch: (async () => new Response(JSON.stringify(renamed), { status: 200 })) as typeof fetch });
    const init = await api.init({ collectorUrl: 'https://collector.test', campaignId: 'checkin', tiers: { 'low-mood': 'high' }, dbName: `tier-pinning-${++counter}` });
    expect(init).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_INVALID', path: 'id' } });
    const noId = await createWorkerApi({ fetch: (async () => new Response(JSON.stringify(renamed), { status: 200 })) as typeof fetch }).init({ collectorUrl: 'https://collector.test', campaignUrl: 'https://collector.test/c.json', dbName: `tier-pinning-${++counter}` });
    expect(noId).toMatchObject({ ok: false, error: { code: 'PARAMETER_INVALID', path: 'campaignId' } });
  });

  it('caps every campaign on the device together (deviceLifetime, default 200): renaming cannot reset it', async () => {
    const dbName = `tier-pinning-${++counter}`;
    let day = 0;
    const now = () => new Date(Date.parse('2027-01-04T09:00:00Z') + day * 86_400_000);
    const question = { ...phq2, tier: 'low', epsilon: 4 } as const;
    let accepted = 0;
    for (; day < 80; day++) {
      const api = createWorkerApi({ now });
      const init = await api.init({ collectorUrl: 'https://collector.test', campaign: { ...served([question]), id: `renamed-${day}` }, dbName, flushIntervalMs: 600_000 });
      if (!init.ok) throw new Error(init.error.message);
      await api.optIn();
      const r = await api.report('low-mood', true);
      if (r.ok) accepted++;
      else expect(r.error).toMatchObject({ code: 'BUDGET_EXCEEDED', path: 'deviceLifetime' });
      api.close();
    }
    // ε ≈ 4 per report (one-level): 49 reports fit under 200, never more.
    expect(accepted).toBe(Math.floor(200 / createCampaignRandomizers(validateCampaign(served([question]))).get('low-mood')!.implementedEpsilon));
  });
});
