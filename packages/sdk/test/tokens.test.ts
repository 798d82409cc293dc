/**
 * Issue 17 §1 on the device: the token wallet (fake-indexeddb, the reference issuer behind a fake
 * portal) and the worker's use of its tokens. The Privacy Pass client runs here, outside the
 * worker (`pnpm size` keeps it out of the worker bundle).
 */
import { base64UrlDecode, bytesEqual, tokenChallengeDigest, tokenFields, toHex, type TokenKeyList } from '@practical-privacy/core';
import { generateSigningKey, MemoryIssuerStore, TokenIssuer, type SigningKey } from '@practical-privacy/token-issuer';
import { describe, expect, it } from 'vitest';
import { createTokenWallet, type TokenProvider } from '../src/tokens.ts';
import { freshDbName, MONDAY, setup } from './fixtures.ts';

const binding = { issuer: 'portal.example', origin: 'collector.test' };
const tokenCampaign = {
  id: 'checkin',
  version: 1,
  title: 'Check-in',
  tokens: binding,
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    { id: 'cough', prompt: 'Cough today?', type: 'boolean', tier: 'low', epsilon: 1 },
    { id: 'sleep', prompt: 'Slept well this week?', type: 'boolean', tier: 'low', epsilon: 0.5, period: 'week' },
  ],
};

const pool: SigningKey[] = [];
async function makeIssuer() {
  let next = 0;
  const issuer = new TokenIssuer({
    name: binding.issuer,
    store: new MemoryIssuerStore(),
    campaigns: [tokenCampaign],
    aheadDays: 2,
    now: () => new Date(MONDAY),
    generateKey: async () => {
      if (next === pool.length) pool.push(await generateSigningKey());
      return pool[next++]!;
    },
  });
  await issuer.rotate();
  return issuer;
}

/** The collector's GET /v1/token-keys, serving `list()`. */
function keyServer(list: () => Promise<unknown>) {
  const urls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    urls.push(String(input));
    return new Response(JSON.stringify(await list()), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, urls };
}

/** The app's session: its backend forwards to the issuer for the logged-in patient. */
function portal(issuer: TokenIssuer, account: string): { provider: TokenProvider; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    provider: async (requests) => {
      calls.push(requests.map((r) => r.keyId));
      return issuer.issue(account, requests);
    },
  };
}

// RSA-2048 key generation (the issuer's, ≈ 0.2 s a key) makes the first test slow; keys are pooled after it.
describe('token wallet', { timeout: 60_000 }, () => {
  it('fetches a token for every question and every listed period in bulk, from the collector\'s key list only, and keeps them in IndexedDB', async () => {
    const issuer = await makeIssuer();
    const list = await issuer.keyList();
    const keys = keyServer(async () => list);
    const { provider, calls } = portal(issuer, 'patient-1');
    const dbName = freshDbName();
    const wallet = createTokenWallet({ collectorUrl: 'https://collector.test/', tokenProvider: provider, binding, fetch: keys.fetch, dbName, now: () => new Date(MONDAY) });
    const result = await wallet.refill('checkin');
    // fever and cough: Mon, Tue, Wed; sleep: this week → 7 keys, all asked for in one call.
    expect(result).toEqual({ obtained: 7, held: 0, refused: {} });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sort()).toEqual(list.keys.map((k) => k.keyId).sort());
    expect(keys.urls).toEqual(['https://collector.test/v1/token-keys']);
    // A second refill asks for nothing; a new wallet on the same database sees the tokens.
    expect(await wallet.refill('checkin')).toEqual({ obtained: 0, held: 7, refused: {} });
    wallet.close();
    const again = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: provider, binding, fetch: keys.fetch, dbName, now: () => new Date(MONDAY) });
    const held = await again.take('checkin', 'sleep', '2026-11-25');
    expect(held).toBeDefined();
    // The token is made for the collector's challenge of its context and signed under the listed key.
    const fields = tokenFields(base64UrlDecode(held!.token, 354));
    expect(bytesEqual(fields.challengeDigest, tokenChallengeDigest(binding, { campaignId: 'checkin', questionId: 'sleep', periodStart: '2026-11-23' }))).toBe(true);
    expect(toHex(fields.tokenKeyId)).toBe(list.keys.find((k) => k.questionId === 'sleep')!.keyId);
    await again.spent(held!);
    expect(await again.take('checkin', 'sleep', '2026-11-25')).toBeUndefined();
    expect(await again.held()).toHaveLength(6);
    await again.erase();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(dbName);
    again.close();
  });

  it('refuses a key list with two keys for one context (a partitioning issuer), and stores nothing', async () => {
    const issuer = await makeIssuer();
    const list = await issuer.keyList();
    const other = await makeIssuer(); // same pool order: use a later key for the duplicate
    await other.replaceKey({ campaignId: 'checkin', questionId: 'fever', periodStart: '2026-11-23' });
    const extra = (await other.keyList()).keys.find((k) => k.questionId === 'fever' && k.periodStart === '2026-11-23')!;
    const partitioned: TokenKeyList = { ...list, keys: [...list.keys, extra] };
    const { provider, calls } = portal(issuer, 'patient-1');
    const wallet = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: provider, binding, fetch: keyServer(async () => partitioned).fetch, dbName: freshDbName(), now: () => new Date(MONDAY) });
    await expect(wallet.refill('checkin')).rejects.toMatchObject({ code: 'KEY_LIST_INVALID' });
    expect(calls).toHaveLength(0);
    expect(await wallet.held()).toHaveLength(0);
    wallet.close();
  });

  it('counts the issuer\'s refusals (allowance used on another device) and drops held tokens whose key was rotated out', async () => {
    const issuer = await makeIssuer();
    let list = await issuer.keyList();
    const keys = keyServer(async () => list);
    const first = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: portal(issuer, 'patient-1').provider, binding, fetch: keys.fetch, dbName: freshDbName(), now: () => new Date(MONDAY) });
    expect((await first.refill('checkin')).obtained).toBe(7);
    // The same account on a second device: the allowance is used.
    const second = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: portal(issuer, 'patient-1').provider, binding, fetch: keys.fetch, dbName: freshDbName(), now: () => new Date(MONDAY) });
    expect(await second.refill('checkin')).toEqual({ obtained: 0, held: 0, refused: { ALLOWANCE_EXCEEDED: 7 } });
    await issuer.replaceKey({ campaignId: 'checkin', questionId: 'cough', periodStart: '2026-11-23' });
    list = await issuer.keyList();
    expect(await first.refill('checkin')).toEqual({ obtained: 1, held: 6, refused: {} });
    expect((await first.take('checkin', 'cough', '2026-11-23'))!.keyId).toBe(list.keys.find((k) => k.questionId === 'cough' && k.periodStart === '2026-11-23')!.keyId);
    first.close();
    second.close();
  });

  it('a response that does not finalize is not stored', async () => {
    const issuer = await makeIssuer();
    const list = await issuer.keyList();
    const hostile: TokenProvider = async (requests) => requests.map((r) => ({ keyId: r.keyId, response: 'A'.repeat(342) }));
    const wallet = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: hostile, binding, fetch: keyServer(async () => list).fetch, dbName: freshDbName(), now: () => new Date(MONDAY) });
    expect(await wallet.refill('checkin')).toEqual({ obtained: 0, held: 0, refused: { RESPONSE_INVALID: 7 } });
    wallet.close();
  });
});

describe('the worker and tokens', { timeout: 60_000 }, () => {
  it('a campaign with tokens: no token → TOKEN_UNAVAILABLE with nothing charged or queued; with one → the outbox report carries it in ext.token', async () => {
    const issuer = await makeIssuer();
    const list = await issuer.keyList();
    const wallet = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: portal(issuer, 'patient-1').provider, binding, fetch: keyServer(async () => list).fetch, dbName: freshDbName(), now: () => new Date(MONDAY) });
    await wallet.refill('checkin');
    const { api } = await setup({ campaign: tokenCampaign });
    await api.optIn();
    expect(await api.report('fever', true)).toMatchObject({ ok: false, error: { code: 'TOKEN_UNAVAILABLE' } });
    expect(await api.report('fever', true, 'not-a-token')).toMatchObject({ ok: false, error: { code: 'TOKEN_UNAVAILABLE' } });
    const budget = await api.budget();
    expect(budget).toMatchObject({ ok: true, value: { lines: [] } });
    const held = (await wallet.take('checkin', 'fever', '2026-11-23'))!;
    expect(await api.report('fever', true, held.token)).toMatchObject({ ok: true });
    const pending = await api.pendingBodies();
    if (!pending.ok) throw new Error('no bodies');
    const body = JSON.parse(pending.value.bodies[0]!) as { protocol: number; reports: Array<{ ext?: { token?: string } }> };
    expect(body.protocol).toBe(2);
    expect(body.reports[0]!.ext).toEqual({ token: held.token });
    wallet.close();
  });

  it('a campaign without tokens sends no ext, whatever token it is handed', async () => {
    const { api } = await setup();
    await api.optIn();
    expect(await api.report('fever', true, 'A'.repeat(472))).toMatchObject({ ok: true });
    const pending = await api.pendingBodies();
    if (!pending.ok) throw new Error('no bodies');
    expect(JSON.parse(pending.value.bodies[0]!).reports[0].ext).toBeUndefined();
  });
});

describe('transport and per-report answers', () => {
  it('a batch answered per report: refusals are reported in the sent event and leave the outbox (a retry would be refused again)', async () => {
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { seededRandomSource } = await import('@practical-privacy/core');
    const bodies: string[] = [];
    const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(String(init?.body));
      const [first, second] = (JSON.parse(String(init?.body)) as { reports: Array<{ id: string }> }).reports;
      return new Response(JSON.stringify({ accepted: 1, duplicates: 0, refused: 1, reports: [{ id: first!.id, status: 'accepted' }, { id: second!.id, status: 'refused', code: 'TOKEN_SPENT', message: 'spent' }] }), { status: 202 });
    }) as typeof globalThis.fetch;
    const events: Array<Record<string, unknown>> = [];
    const api = createWorkerApi({ fetch, random: seededRandomSource('tokens'), now: () => new Date(MONDAY) });
    await api.init({ collectorUrl: 'https://collector.test', campaign: tokenCampaign, dbName: freshDbName(), flushIntervalMs: 60_000 }, (e) => events.push(e as Record<string, unknown>));
    await api.optIn();
    const token = `AAI${'A'.repeat(469)}`;
    const a = await api.report('fever', true, token);
    const b = await api.report('cough', true, token);
    if (!a.ok || !b.ok) throw new Error('not queued');
    expect(await api.flush()).toMatchObject({ ok: true, value: { sent: 2, pending: 0 } });
    const refusedId = (JSON.parse(bodies[0]!) as { reports: Array<{ id: string }> }).reports[1]!.id;
    expect(events.find((e) => e.type === 'sent')).toEqual({ type: 'sent', reports: 2, accepted: 1, duplicates: 0, refused: 1, refusals: [{ id: refusedId, code: 'TOKEN_SPENT' }] });
    expect(await api.flush()).toMatchObject({ ok: true, value: { sent: 0, pending: 0 } });
    expect(bodies).toHaveLength(1);
  });
});

describe('facade and token source', () => {
  it('report() takes the token for the question from the app\'s wallet, and marks it spent only once the report is queued', async () => {
    const { expose } = await import('comlink');
    const { createClient } = await import('../src/client.ts');
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { seededRandomSource } = await import('@practical-privacy/core');
    const worker = () => {
      const { port1, port2 } = new MessageChannel();
      expose(createWorkerApi({ fetch: (async () => new Response('{}', { status: 202 })) as typeof fetch, random: seededRandomSource('facade-tokens'), now: () => new Date(MONDAY) }), port1 as unknown as Worker);
      return Object.assign(port2, { terminate: () => port2.close() }) as unknown as Worker;
    };
    const token = `AAI${'A'.repeat(469)}`;
    const taken: string[] = [];
    const spent: string[] = [];
    const tokens = {
      take: async (campaignId: string, questionId: string) => {
        taken.push(`${campaignId}/${questionId}`);
        return questionId === 'fever' ? { token } : undefined;
      },
      spent: async (t: { token: string }) => void spent.push(t.token),
      erase: async () => void (erased += 1),
    };
    let erased = 0;
    const client = await createClient({ collectorUrl: 'https://collector.test', campaign: tokenCampaign, dbName: freshDbName(), flushIntervalMs: 60_000, createWorker: worker, tokens });
    await client.optIn();
    await client.report('fever', true);
    await expect(client.report('cough', true)).rejects.toMatchObject({ code: 'TOKEN_UNAVAILABLE' });
    // A refused report (already reported this period) keeps its token.
    await expect(client.report('fever', false)).rejects.toMatchObject({ code: 'ALREADY_REPORTED' });
    // The second fever report is refused ALREADY_REPORTED before the wallet is asked for a token.
    expect(taken).toEqual(['checkin/fever', 'checkin/cough']);
    expect(spent).toEqual([token]);
    await client.optOut();
    expect(erased).toBe(1);
    client.close();
  });

  it('a report made across 00:00 UTC carries the token of the day the worker dates it (not the day the page read)', async () => {
    const { expose } = await import('comlink');
    const { vi } = await import('vitest');
    const { createClient } = await import('../src/client.ts');
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { seededRandomSource } = await import('@practical-privacy/core');
    const bodies: string[] = [];
    // The worker's clock is 00:00:00.100 on Tuesday; the page's clock is still 23:59:59.900 on Monday.
    const worker = () => {
      const { port1, port2 } = new MessageChannel();
      const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
        bodies.push(String(init?.body));
        return new Response('{}', { status: 202 });
      }) as typeof globalThis.fetch;
      expose(createWorkerApi({ fetch, random: seededRandomSource('midnight'), now: () => new Date('2026-11-24T00:00:00.100Z') }), port1 as unknown as Worker);
      return Object.assign(port2, { terminate: () => port2.close() }) as unknown as Worker;
    };
    const tokenOf = (day: string) => `AAI${(day === '2026-11-24' ? 'B' : 'M').repeat(469)}`;
    const asked: string[] = [];
    const tokens = {
      take: async (_campaignId: string, _questionId: string, day: string) => {
        asked.push(day);
        return { token: tokenOf(day) };
      },
      spent: async () => undefined,
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T23:59:59.900Z'));
    try {
      const client = await createClient({ collectorUrl: 'https://collector.test', campaign: tokenCampaign, dbName: freshDbName(), flushIntervalMs: 60_000, createWorker: worker, tokens });
      await client.optIn();
      await client.report('fever', true);
      await client.flush();
      client.close();
    } finally {
      vi.useRealTimers();
    }
    expect(asked).toEqual(['2026-11-24']);
    const report = (JSON.parse(bodies[0]!) as { reports: Array<{ day: string; ext: { token: string } }> }).reports[0]!;
    expect(report.day).toBe('2026-11-24');
    expect(report.ext.token).toBe(tokenOf('2026-11-24'));
  });
});

describe('order of refusals', () => {
  it('a second report of the period without a token is ALREADY_REPORTED, not TOKEN_UNAVAILABLE (the period\'s token went with the first)', async () => {
    const { api } = await setup({ campaign: tokenCampaign });
    await api.optIn();
    expect(await api.report('fever', true, `AAI${'A'.repeat(469)}`)).toMatchObject({ ok: true });
    expect(await api.report('fever', false)).toMatchObject({ ok: false, error: { code: 'ALREADY_REPORTED' } });
    // A question never reported and no token: still TOKEN_UNAVAILABLE, with nothing charged for it.
    expect(await api.report('cough', false)).toMatchObject({ ok: false, error: { code: 'TOKEN_UNAVAILABLE' } });
  });
});

// Conditions, not durations: generous, because RSA blinding is slow on a loaded machine.
const WAIT = { timeout: 30_000, interval: 20 };

describe('automatic refill (fetch early, spend later)', { timeout: 120_000 }, () => {
  it('once started, refills by itself when low, ahead and in bulk; spent and held contexts count as covered; a new period ahead makes it low again', async () => {
    const { vi } = await import('vitest');
    let clock = new Date(MONDAY);
    let next = 0;
    const issuer = new TokenIssuer({ name: binding.issuer, store: new MemoryIssuerStore(), campaigns: [tokenCampaign], aheadDays: 2, now: () => clock, generateKey: async () => { if (next === pool.length) pool.push(await generateSigningKey()); return pool[next++]!; } });
    await issuer.rotate();
    const keys = keyServer(() => issuer.keyList());
    const { provider, calls } = portal(issuer, 'patient-auto');
    const wallet = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: provider, binding, fetch: keys.fetch, dbName: freshDbName(), now: () => clock, autoRefill: { maxDelayMs: 0, checkEveryMs: 10 } });
    expect(await wallet.low('checkin')).toBe(true);
    expect(calls).toHaveLength(0); // low() only reads the key list
    wallet.start('checkin');
    await vi.waitFor(() => expect(calls).toHaveLength(1), WAIT);
    await vi.waitFor(async () => expect(await wallet.held()).toHaveLength(7), WAIT);
    expect(await wallet.low('checkin')).toBe(false);
    // Spending today's token does not make the wallet low, and no refill asks for the spent context again.
    const today = (await wallet.take('checkin', 'fever', '2026-11-23'))!;
    await wallet.spent(today);
    expect(await wallet.take('checkin', 'fever', '2026-11-23')).toBeUndefined();
    const fetchedBefore = keys.urls.length;
    await vi.waitFor(() => expect(keys.urls.length).toBeGreaterThan(fetchedBefore + 3), WAIT);
    expect(calls).toHaveLength(1);
    expect(await wallet.refill('checkin')).toEqual({ obtained: 0, held: 7, refused: {} });
    // Tuesday: the issuer lists Thursday's keys; the wallet lacks them, is low, and fetches only those.
    clock = new Date('2026-11-24T10:00:00Z');
    await issuer.rotate();
    await vi.waitFor(() => expect(calls).toHaveLength(2), WAIT);
    expect(calls[1]!.sort()).toEqual((await issuer.keyList()).keys.filter((k) => k.periodStart === '2026-11-26').map((k) => k.keyId).sort());
    await vi.waitFor(async () => expect(await wallet.low('checkin')).toBe(false), WAIT);
    // Opt-out (erase) stops it: no key list is fetched afterwards.
    await wallet.erase();
    const fetchedAtErase = keys.urls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(keys.urls.length).toBe(fetchedAtErase);
    wallet.close();
  });

  it('contexts the issuer refused (allowance used on another device) do not keep it low, and a failing provider is reported to onError', async () => {
    const { vi } = await import('vitest');
    const issuer = await makeIssuer();
    const list = await issuer.keyList();
    await createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: portal(issuer, 'patient-2').provider, binding, fetch: keyServer(async () => list).fetch, dbName: freshDbName(), now: () => new Date(MONDAY), autoRefill: false }).refill('checkin');
    const second = portal(issuer, 'patient-2');
    const other = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: second.provider, binding, fetch: keyServer(async () => list).fetch, dbName: freshDbName(), now: () => new Date(MONDAY), autoRefill: { maxDelayMs: 0, checkEveryMs: 10 } });
    other.start('checkin');
    await vi.waitFor(() => expect(second.calls).toHaveLength(1), WAIT);
    expect(await other.low('checkin')).toBe(false);
    other.close();

    const errors: unknown[] = [];
    const failing = createTokenWallet({ collectorUrl: 'https://collector.test', tokenProvider: async () => { throw new Error('logged out'); }, binding, fetch: keyServer(async () => list).fetch, dbName: freshDbName(), now: () => new Date(MONDAY), autoRefill: { maxDelayMs: 0, checkEveryMs: 10, onError: (e) => errors.push(e) } });
    failing.start('checkin');
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), WAIT); // reported, and tried again at the next check
    expect(String(errors[0])).toContain('logged out');
    failing.close();
  });

  it('the client starts the wallet only for a consenting patient, and stops it on close', async () => {
    const { expose } = await import('comlink');
    const { createClient } = await import('../src/client.ts');
    const { createWorkerApi } = await import('../src/worker/api.ts');
    const { seededRandomSource } = await import('@practical-privacy/core');
    const dbName = freshDbName();
    const worker = () => {
      const { port1, port2 } = new MessageChannel();
      expose(createWorkerApi({ fetch: (async () => new Response('{}', { status: 202 })) as typeof fetch, random: seededRandomSource('auto-start'), now: () => new Date(MONDAY) }), port1 as unknown as Worker);
      return Object.assign(port2, { terminate: () => port2.close() }) as unknown as Worker;
    };
    const log: string[] = [];
    const tokens = { take: async () => undefined, spent: async () => undefined, erase: async () => void log.push('erase'), start: (c: string) => void log.push(`start ${c}`), stop: (c: string) => void log.push(`stop ${c}`) };
    const client = await createClient({ collectorUrl: 'https://collector.test', campaign: tokenCampaign, dbName, flushIntervalMs: 60_000, createWorker: worker, tokens });
    expect(log).toEqual([]); // no consent yet: nothing fetched for this patient
    await client.optIn();
    expect(log).toEqual(['start checkin']);
    client.close();
    expect(log).toEqual(['start checkin', 'stop checkin']);
    // A later start of the app, already consented: started at once.
    const again = await createClient({ collectorUrl: 'https://collector.test', campaign: tokenCampaign, dbName, flushIntervalMs: 60_000, createWorker: worker, tokens });
    expect(log.at(-1)).toBe('start checkin');
    await again.optOut();
    expect(log.at(-1)).toBe('erase');
    again.close();
  });
});
