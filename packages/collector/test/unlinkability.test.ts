/**
 * Issue 17 §1, unlinkability: an adversary holding BOTH sides' records — the issuer's (account, key
 * id, time, and even the blinded request and blind signature of every issuance) and the collector's
 * (every ingest request as it arrived: its tokens, their key ids, the arrival time; and the stored
 * reports and spends) — tries to tell which account each report's token went to, by key id, time
 * window and per-period counts. With 24 patients who fetch their tokens early (at login, as the
 * SDK's wallet does) and report later, it must do no better than chance: 1/24 per token.
 *
 * Two controls show the test can fail: a device that spends each token right after fetching it is
 * linked by time, and a non-blind token (the issuer signs the nonce it sees) is linked by bytes.
 * The anonymity set of a token is the set of accounts issued a token under its key: here 24.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { base64UrlDecode, RandomSampler, seededRandomSource, tokenFields, toHex, type TokenKey } from '@practical-privacy/core';
import type { IssueRequest, IssueResult, TokenIssuer } from '@practical-privacy/token-issuer';
import type { CollectorApp } from '../src/app.ts';
import { TokenKeyRing } from '../src/privacy-pass/key-ring.ts';
import { makeApp, publish, reportId } from './helpers.ts';
import { keyFor, makeIssuer, mintToken, settableClock, tokenCampaign } from './token-helpers.ts';

const DAY = '2026-03-11';
const PATIENTS = 24;
const QUESTIONS = ['fever', 'cough'] as const;
const at = (minutes: number) => new Date(Date.parse(`${DAY}T00:00:00Z`) + minutes * 60_000).toISOString();

const apps: CollectorApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

interface IssuerRecord {
  account: string;
  keyId: string;
  at: number;
  /** What the issuer saw and answered: the blinded message and the blind signature. */
  seen: Uint8Array[];
}
interface CollectorRecord {
  keyId: string;
  at: number;
  token: Uint8Array;
  /** Ground truth, kept out of the adversary's hands. */
  account: string;
}

/** Records the issuer's view of every issuance (a wrapper: what a curious issuer could log). */
function recordIssuer(issuer: TokenIssuer, clock: () => Date, log: IssuerRecord[]): TokenIssuer {
  const issue = issuer.issue.bind(issuer);
  issuer.issue = async (account: string, requests: readonly IssueRequest[]): Promise<IssueResult[]> => {
    const results = await issue(account, requests);
    results.forEach((r, i) => {
      if ('response' in r) log.push({ account, keyId: r.keyId, at: clock().getTime(), seen: [base64UrlDecode(requests[i]!.request, 259), base64UrlDecode(r.response, 256)] });
    });
    return results;
  };
  return issuer;
}

/**
 * The adversary: for each token the collector received, the candidate accounts are those the
 * issuer served under its key id; it picks by the bytes if any issuer record shares them, else by
 * time (the account served last before the token arrived; the rule that wins when devices spend at
 * once). Per-period counts are equal by construction (one token per account per key), so they narrow nothing.
 */
function link(issuerLog: IssuerRecord[], received: CollectorRecord[]): Map<CollectorRecord, string> {
  const guesses = new Map<CollectorRecord, string>();
  const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack).includes(Buffer.from(needle));
  for (const spend of received) {
    const fields = tokenFields(spend.token);
    const candidates = issuerLog.filter((r) => r.keyId === spend.keyId);
    const byBytes = candidates.find((r) => r.seen.some((bytes) => contains(bytes, fields.nonce) || contains(bytes, fields.authenticator) || contains(spend.token, bytes.subarray(3, 35))));
    if (byBytes !== undefined) {
      guesses.set(spend, byBytes.account);
      continue;
    }
    const before = candidates.filter((r) => r.at <= spend.at).sort((a, b) => b.at - a.at);
    guesses.set(spend, (before[0] ?? candidates[0])!.account);
  }
  return guesses;
}

async function simulate(schedule: (patient: number, rng: RandomSampler) => { fetchAt: number; reportAt: number }) {
  const time = settableClock(`${DAY}T00:00:00Z`);
  const issuerLog: IssuerRecord[] = [];
  const issuer = recordIssuer(await makeIssuer(time.now, [tokenCampaign('checkin')], { aheadDays: 0 }), time.now, issuerLog);
  const list = await issuer.keyList();
  const app = await makeApp({}, { now: time.now, tokenKeys: TokenKeyRing.of(list) });
  apps.push(app);
  expect(await publish(app, tokenCampaign('checkin'))).toBe(201);
  const rng = new RandomSampler(seededRandomSource('unlinkability'));
  const plans = Array.from({ length: PATIENTS }, (_, p) => ({ account: `patient-${p}`, ...schedule(p, rng) }));
  // Fetches in time order: each device gets one token per question (the wallet asks for all).
  const wallets = new Map<string, Map<string, string>>();
  for (const plan of [...plans].sort((a, b) => a.fetchAt - b.fetchAt)) {
    time.set(at(plan.fetchAt));
    const held = new Map<string, string>();
    for (const q of QUESTIONS) held.set(q, await mintToken(issuer, plan.account, keyFor(list, 'checkin', q, DAY)));
    wallets.set(plan.account, held);
  }
  // Reports in time order; the collector's view of each arriving token is recorded.
  const received: CollectorRecord[] = [];
  for (const plan of [...plans].sort((a, b) => a.reportAt - b.reportAt)) {
    time.set(at(plan.reportAt));
    const reports = QUESTIONS.map((q) => ({ id: reportId(), questionId: q, day: DAY, payload: rng.uniformInt(2), ext: { token: wallets.get(plan.account)!.get(q)! } }));
    const res = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ protocol: 2, campaignId: 'checkin', campaignVersion: 1, reports }) });
    expect(res.json().accepted).toBe(QUESTIONS.length);
    for (const r of reports) {
      const token = base64UrlDecode(r.ext.token, 354);
      received.push({ keyId: toHex(tokenFields(token).tokenKeyId), at: time.now().getTime(), token, account: plan.account });
    }
  }
  const guesses = link(issuerLog, received);
  const correct = received.filter((r) => guesses.get(r) === r.account).length;
  return { correct, total: received.length, issuerLog, app, list };
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
function binomialTail(n: number, p: number, k: number): number {
  let tail = 0;
  let term = (1 - p) ** n;
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return tail;
}

describe('unlinkability of issuance and spending (24 patients, 2 questions)', { timeout: 120_000 }, () => {
  it('fetch at login, report later: joining by key id, time window and per-period counts does no better than chance', async () => {
    // Logins spread over the morning; reports over the afternoon and evening, in an order independent of the logins.
    const { correct, total, issuerLog, app, list } = await simulate((_p, rng) => ({ fetchAt: 6 * 60 + rng.uniformInt(4 * 60), reportAt: 12 * 60 + rng.uniformInt(10 * 60) }));
    expect(total).toBe(PATIENTS * QUESTIONS.length);
    // The anonymity set of every token: all 24 accounts were served under its key, once each (equal per-period counts).
    for (const key of (list.keys as TokenKey[]).filter((k) => (QUESTIONS as readonly string[]).includes(k.questionId))) expect(issuerLog.filter((r) => r.keyId === key.keyId).map((r) => r.account).sort()).toHaveLength(PATIENTS);
    // Chance is 1/24 per token (2 of 48 expected). Refuse anything a chance guesser reaches with probability < 0.001.
    let bound = 0;
    while (binomialTail(total, 1 / PATIENTS, bound) >= 0.001) bound++;
    expect(bound).toBe(8);
    expect(correct).toBeLessThan(bound);
    // And the collector's own tables hold nothing to join on: the spend rows are nonces and period ends.
    expect(await app.collector.repository.countTokenSpends()).toBe(total);
  });

  it('control: a device that spends each token right after fetching it is linked by time', async () => {
    const { correct, total } = await simulate((p) => ({ fetchAt: 6 * 60 + p * 20, reportAt: 6 * 60 + p * 20 + 1 }));
    expect(correct / total).toBeGreaterThanOrEqual(0.9);
  });

  it('control: a non-blind token (the issuer sees what it signs) is linked by its bytes', () => {
    // What the adversary's byte join does when the issuer's record holds the token's nonce.
    const nonce = createHash('sha256').update('n').digest();
    const token = new Uint8Array(354);
    token.set([0, 2], 0);
    token.set(nonce, 2);
    const records: IssuerRecord[] = Array.from({ length: PATIENTS }, (_, p) => ({ account: `patient-${p}`, keyId: 'k', at: p, seen: [p === 17 ? Uint8Array.from([0, 2, 0, ...nonce]) : Uint8Array.from([0, 2, 0, ...createHash('sha256').update(`other ${p}`).digest()])] }));
    const spend: CollectorRecord = { keyId: 'k', at: 10_000, token, account: 'patient-17' };
    expect(link(records, [spend]).get(spend)).toBe('patient-17');
  });
});
