/**
 * Issue 17 end to end in Chromium: the wallet blinds and finalizes in the page (privacypass-ts over
 * WebCrypto, outside the SDK's worker), gets its tokens from the reference issuer service through
 * the app's backend, keeps them in IndexedDB; the SDK attaches them; the real collector verifies
 * and spends them, and refuses a replay.
 */
import { commands } from 'vitest/browser';
import { describe, expect, inject, it } from 'vitest';
import { createClient, type TransportEvent } from '../../src/index.ts';
import { createTokenWallet, type TokenResponseItem } from '../../src/tokens.ts';

const binding = { issuer: 'portal.test', origin: 'collector.test' };
const issueTokens = (commands as unknown as { issueTokens(issuerUrl: string, account: string, requests: unknown[]): Promise<TokenResponseItem[]> }).issueTokens;

describe('Privacy Pass: wallet → issuer → SDK → collector', () => {
  it('refills, reports with tokens (accepted), and a replayed token is refused per report', async () => {
    const collectorUrl = inject('tokenCollectorUrl');
    const issuerUrl = inject('tokenIssuerUrl');
    const account = `browser-patient-${Date.now()}`;
    const wallet = createTokenWallet({ collectorUrl, binding, dbName: `pp-tokens-${Date.now()}`, tokenProvider: (requests) => issueTokens(issuerUrl, account, requests) });
    expect(await wallet.refill('sdk-tokens')).toEqual({ obtained: 2, held: 0, refused: {} });
    // A second device of the same account gets nothing more: the allowance is per account.
    const other = createTokenWallet({ collectorUrl, binding, dbName: `pp-tokens-other-${Date.now()}`, tokenProvider: (requests) => issueTokens(issuerUrl, account, requests) });
    expect(await other.refill('sdk-tokens')).toEqual({ obtained: 0, held: 0, refused: { ALLOWANCE_EXCEEDED: 2 } });
    other.close();

    const events: TransportEvent[] = [];
    const tiers = { fever: 'low', cough: 'low' } as const;
    const client = await createClient({ collectorUrl, campaignId: 'sdk-tokens', tiers, tokens: wallet, dbName: `pp-tokens-client-${Date.now()}`, flushIntervalMs: 600_000, onEvent: (e) => events.push(e) });
    await client.optIn();
    const day = new Date().toISOString().slice(0, 10);
    const feverToken = (await wallet.take('sdk-tokens', 'fever', day))!.token;
    await client.report('fever', true);
    await client.report('cough', false);
    expect(await wallet.held()).toHaveLength(0);
    expect(await client.flush()).toMatchObject({ sent: 2, dropped: 0 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sent', accepted: 2, duplicates: 0, refused: 0, refusals: [] }));
    client.close();

    // A replay of the fever token under a new report id: 202 with the refusal for that report.
    const replay = await fetch(`${collectorUrl}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ protocol: 2, campaignId: 'sdk-tokens', campaignVersion: 1, reports: [{ id: crypto.getRandomValues(new Uint8Array(16)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''), questionId: 'fever', day, payload: 1, ext: { token: feverToken } }] }),
    });
    expect(replay.status).toBe(202);
    expect((await replay.json()).reports[0]).toMatchObject({ status: 'refused', code: 'TOKEN_SPENT' });
    wallet.close();
  });
});
