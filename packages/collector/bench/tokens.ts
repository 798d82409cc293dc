/**
 * The token workload of the collector bench (issue 16, "once tokens land, also with token
 * verification"): the benchmark campaign with `tokens` (Privacy Pass, issue 17), one issuer key per
 * (question, today) context — keys name contexts — and a pool of valid tokens minted before the
 * timed part.
 *
 * Minting: a type-0x0002 token is token_type ‖ nonce ‖ challenge_digest ‖ token_key_id ‖
 * authenticator, where the authenticator is an RSASSA-PSS (SHA-384, 48-byte salt) signature of the
 * first four fields under the issuer key (RFC 9578 §6). Blind issuance (RFC 9474) ends in exactly
 * such a signature after the device unblinds it; the collector cannot tell how it was made, so the
 * bench signs the token input directly with Node's OpenSSL (≈ 0.4 ms a token here) instead of going
 * through blind → BlindSign → finalize (privacypass-ts's client blinding alone is ≈ 25 ms a token),
 * none of which is the collector's cost. Every token carries a fresh CSPRNG nonce and the SHA-256
 * of the collector's own TokenChallenge for its context (core's tokenChallengeDigest), so each is
 * accepted once and then spent. The bench checks a sample with the collector's own checkToken
 * before the timed run (a token it refuses fails the step).
 */
import { constants, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { tokenChallengeDigest, TOKEN_TYPE_BLIND_RSA, type TokenIssuerBinding, type TokenKeyList } from '@practical-privacy/core';
import { generateSigningKey } from '@practical-privacy/token-issuer';
import { CAMPAIGN, CAMPAIGN_VERSION, type ReportMaker } from './workload.ts';

export const TOKEN_CAMPAIGN_ID = 'bench-tokens';
const TOKEN_BINDING: TokenIssuerBinding = { issuer: 'issuer.bench.example', origin: 'collector.bench.example' };
/** The benchmark campaign (same questions, all daily) requiring a token on every report. */
export const TOKEN_CAMPAIGN = { ...CAMPAIGN, id: TOKEN_CAMPAIGN_ID, title: 'Benchmark symptom check with tokens', tokens: TOKEN_BINDING };

function addDaysIso(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString();
}

interface QuestionKey {
  keyId: Buffer;
  privateKey: KeyObject;
  challengeDigest: Uint8Array;
}

/** One issuer key per question for `day` (the only day the token bodies use), and the published list naming them. */
export async function tokenKeys(day: string): Promise<{ list: TokenKeyList; keys: Map<string, QuestionKey> }> {
  const keys = new Map<string, QuestionKey>();
  const listed: TokenKeyList['keys'] = [];
  for (const question of TOKEN_CAMPAIGN.questions) {
    const key = await generateSigningKey();
    const context = { campaignId: TOKEN_CAMPAIGN_ID, questionId: question.id, periodStart: day };
    keys.set(question.id, {
      keyId: Buffer.from(key.keyId, 'hex'),
      privateKey: createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' }),
      challengeDigest: tokenChallengeDigest(TOKEN_BINDING, context),
    });
    listed.push({ keyId: key.keyId, ...context, issueUntil: addDaysIso(day, 1), expires: addDaysIso(day, 31), publicKey: Buffer.from(key.publicKey).toString('base64url') });
  }
  return { list: { issuer: TOKEN_BINDING.issuer, tokenType: TOKEN_TYPE_BLIND_RSA, keys: listed }, keys };
}

/** A valid token (base64url, 472 characters) for `key`'s context, with a fresh nonce. */
function mintToken(key: QuestionKey): string {
  const input = Buffer.alloc(2 + 32 + 32 + 32);
  input.writeUInt16BE(TOKEN_TYPE_BLIND_RSA, 0);
  randomBytes(32).copy(input, 2);
  input.set(key.challengeDigest, 34);
  key.keyId.copy(input, 66);
  const authenticator = sign('sha384', input, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
  return Buffer.concat([input, authenticator]).toString('base64url');
}

/**
 * Batch bodies for the token campaign: like workload.ts's BodyFactory (a pool of randomized reports,
 * all of `day`, with fresh CSPRNG ids on every call), each report carrying the next unused token of
 * its question. Tokens are minted up front (`mint`); `remaining()` tells the load run how many
 * reports it can still send; running out throws (the bench sizes its run so that it does not).
 */
export class TokenBodyFactory {
  private readonly pool: Array<{ questionId: string; tail: string }>;
  private readonly tokens = new Map<string, string[]>();
  private readonly prefix = `{"campaignId":"${TOKEN_CAMPAIGN_ID}","campaignVersion":${CAMPAIGN_VERSION},"protocol":2,"reports":[`;

  constructor(
    private readonly maker: ReportMaker,
    poolSize: number,
  ) {
    this.pool = maker.reports(poolSize).map(({ id: _id, ...rest }) => ({ questionId: rest.questionId, tail: JSON.stringify(rest).slice(1, -1) }));
  }

  /** Mints `perQuestion` tokens for each question; returns the CPU milliseconds spent. */
  mint(keys: Map<string, QuestionKey>, perQuestion: number): number {
    const started = process.cpuUsage();
    for (const [questionId, key] of keys) {
      const list = this.tokens.get(questionId) ?? [];
      for (let i = 0; i < perQuestion; i++) list.push(mintToken(key));
      this.tokens.set(questionId, list);
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  }

  /** Reports that can still be sent: the bodies pick questions at random, so the scarcest question bounds it (with a margin). */
  remaining(): number {
    const least = Math.min(...[...this.tokens.values()].map((list) => list.length));
    return Math.floor(least * this.tokens.size * 0.8);
  }

  /** Takes `count` unused tokens of `questionId` out of the pool (for the in-process verification timing). */
  take(questionId: string, count: number): string[] {
    const list = this.tokens.get(questionId)!;
    if (list.length < count) throw new Error(`token pool: ${count} tokens of ${questionId} asked, ${list.length} left`);
    return list.splice(list.length - count, count);
  }

  body(count: number): string {
    const hex = Buffer.from(this.maker.rng.bytesInto(new Uint8Array(16 * count))).toString('hex');
    let out = this.prefix;
    for (let i = 0; i < count; i++) {
      const { questionId, tail } = this.pool[this.maker.rng.uniformInt(this.pool.length)]!;
      const token = this.tokens.get(questionId)!.pop();
      if (token === undefined) throw new Error(`token pool exhausted for ${questionId}: the run was sized for fewer reports`);
      out += `${i === 0 ? '' : ','}{"id":"${hex.slice(32 * i, 32 * i + 32)}",${tail},"ext":{"token":"${token}"}}`;
    }
    return `${out}]}`;
  }
}
