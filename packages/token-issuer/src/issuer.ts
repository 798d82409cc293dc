/**
 * The issuer (RFC 9576 §3: the party that knows who may report, here the patient portal). It holds
 * one blind-RSA key per (campaign, question, period window) — docs/privacy-model.md, "The
 * allowance" — publishes the public halves in one key list, and signs at most `tokensPerKey`
 * token requests per (account, key). It never sees what it signs: the request is a blinded
 * message, so nothing it stores links an account to the report a token later travels with.
 *
 * The portal authenticates the patient; this class trusts the account id it is given (the service
 * in app.ts checks the portal's secret first).
 */
import { createHash } from 'node:crypto';
import { publicVerif, TOKEN_TYPES } from '@cloudflare/privacypass-ts';
import {
  addDays,
  base64UrlDecode,
  base64UrlEncode,
  isoWeekStart,
  TOKEN_TYPE_BLIND_RSA,
  utcDay,
  validateCampaign,
  validateTokenKeyList,
  type TokenContext,
  type TokenKeyList,
} from '@practical-privacy/core';
import { BlindSigner, BlindSignError, generateSigningKey, type SigningKey } from './signing-key.ts';
import type { IssuerStore, StoredKey } from './store.ts';

const { TokenRequest, TokenResponse } = publicVerif;

/** A serialized TokenRequest for type 0x0002: token_type(2) truncated_token_key_id(1) blinded_msg(256) (RFC 9578 §6.1). */
export const TOKEN_REQUEST_BYTES = 259;
const DAY_MS = 86_400_000;

export type IssueErrorCode = 'KEY_UNKNOWN' | 'KEY_NOT_ISSUABLE' | 'TOKEN_REQUEST_INVALID' | 'ALLOWANCE_EXCEEDED';

export interface IssueRequest {
  /** The key the request was blinded against (from the key list). */
  keyId: string;
  /** The serialized TokenRequest, base64url without padding. */
  request: string;
}

export type IssueResult = { keyId: string; response: string } | { keyId: string; error: { code: IssueErrorCode; message: string } };

export class IssuerInputError extends Error {
  constructor(
    readonly code: 'ACCOUNT_INVALID' | 'REQUESTS_INVALID' | 'CAMPAIGN_INVALID',
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'IssuerInputError';
  }
}

export interface TokenIssuerOptions {
  /** The issuer's name: the `tokens.issuer` of the campaigns it serves, and the key list's `issuer`. */
  name: string;
  store: IssuerStore;
  /** Campaign documents (validated by core); each must name this issuer in `tokens.issuer`. */
  campaigns: readonly unknown[];
  /** Keys exist for every period window that starts within this many days from today (default 14): devices fetch ahead. */
  aheadDays?: number;
  /** A key stays in the published list this many days after its period ends (default 31: the collector's default 30-day report window plus its grace). */
  retainDays?: number;
  /** Tokens one account may get under one key (default 1: one report per question per period). */
  tokensPerKey?: number;
  /** Most requests in one `issue` call (default 1,000). */
  maxRequestsPerCall?: number;
  now?: () => Date;
  /** Key generation (tests inject a pool of pre-made keys; default: a fresh WebCrypto RSA-2048 key). */
  generateKey?: () => Promise<SigningKey>;
}

interface QuestionPeriod {
  campaignId: string;
  questionId: string;
  period: 'day' | 'week';
}

interface Prepared {
  keyId: string;
  signer: BlindSigner;
  blinded: Uint8Array;
  /** SHA-256 of the serialized request: a byte-identical retry is recognized by it. */
  digest: string;
}

export const ACCOUNT_ID_PATTERN = /^[\x21-\x7e]{1,256}$/;

export class TokenIssuer {
  readonly name: string;
  private readonly store: IssuerStore;
  private readonly questions: QuestionPeriod[];
  private readonly aheadDays: number;
  private readonly retainDays: number;
  private readonly tokensPerKey: number;
  private readonly maxRequestsPerCall: number;
  private readonly now: () => Date;
  private readonly generateKey: () => Promise<SigningKey>;
  private readonly signers = new Map<string, BlindSigner>();
  private keys = new Map<string, StoredKey>();
  private rotating: Promise<{ added: number; dropped: number }> | undefined;

  constructor(options: TokenIssuerOptions) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$/.test(options.name)) throw new RangeError('name: must be a host name (the campaigns\' tokens.issuer)');
    this.name = options.name;
    this.store = options.store;
    this.aheadDays = positiveInt(options.aheadDays ?? 14, 'aheadDays', 0);
    this.retainDays = positiveInt(options.retainDays ?? 31, 'retainDays', 0);
    this.tokensPerKey = positiveInt(options.tokensPerKey ?? 1, 'tokensPerKey', 1);
    this.maxRequestsPerCall = positiveInt(options.maxRequestsPerCall ?? 1_000, 'maxRequestsPerCall', 1);
    this.now = options.now ?? (() => new Date());
    this.generateKey = options.generateKey ?? generateSigningKey;
    this.questions = options.campaigns.flatMap((document, i) => {
      let campaign;
      try {
        campaign = validateCampaign(document);
      } catch (error) {
        throw new IssuerInputError('CAMPAIGN_INVALID', `campaigns.${i}: ${(error as Error).message}`, `campaigns.${i}`);
      }
      if (campaign.tokens?.issuer !== this.name) throw new IssuerInputError('CAMPAIGN_INVALID', `campaigns.${i}: tokens.issuer must be ${this.name}`, `campaigns.${i}.tokens.issuer`);
      return campaign.questions.map((q) => ({ campaignId: campaign.id, questionId: q.id, period: q.period }));
    });
  }

  /**
   * Makes sure every served question has a key for each period window from today's through
   * `aheadDays` ahead, and drops keys past `expires`. Idempotent; run it at start and then at
   * least daily (the service runs it hourly). Concurrent calls share one run.
   */
  rotate(): Promise<{ added: number; dropped: number }> {
    this.rotating ??= this.rotateNow().finally(() => (this.rotating = undefined));
    return this.rotating;
  }

  private async rotateNow(): Promise<{ added: number; dropped: number }> {
    const now = this.now();
    const dropped = await this.store.dropExpired(now.toISOString());
    await this.load();
    let added = 0;
    for (const q of this.questions) {
      for (const periodStart of this.windows(q.period, now)) {
        const context = { campaignId: q.campaignId, questionId: q.questionId, periodStart };
        if (this.keyFor(context) !== undefined) continue;
        const end = Date.parse(`${addDays(periodStart, q.period === 'week' ? 7 : 1)}T00:00:00Z`);
        const key: StoredKey = { ...(await this.generateKey()), context, issueUntil: new Date(end).toISOString(), expires: new Date(end + this.retainDays * DAY_MS).toISOString() };
        const kept = await this.store.addKey(key);
        if (kept.keyId === key.keyId) added++;
      }
    }
    await this.load();
    return { added, dropped };
  }

  /** Emergency rotation: a new key for `context` replaces the old one (whose unspent tokens stop verifying once verifiers reload the list). */
  async replaceKey(context: TokenContext): Promise<string> {
    const old = this.keyFor(context);
    if (old === undefined) throw new RangeError(`no key for ${context.campaignId}/${context.questionId}/${context.periodStart}`);
    const key: StoredKey = { ...(await this.generateKey()), context, issueUntil: old.issueUntil, expires: old.expires };
    await this.store.replaceKey(key);
    await this.load();
    return key.keyId;
  }

  /** The published key list (validated with core's parser, so what we publish is what verifiers accept). */
  async keyList(): Promise<TokenKeyList> {
    if (this.keys.size === 0) await this.load();
    const now = this.now().getTime();
    const keys = [...this.keys.values()]
      .filter((k) => Date.parse(k.expires) > now)
      .sort((a, b) => (a.context.campaignId + a.context.questionId + a.context.periodStart < b.context.campaignId + b.context.questionId + b.context.periodStart ? -1 : 1))
      .map((k) => ({ keyId: k.keyId, ...k.context, issueUntil: k.issueUntil, expires: k.expires, publicKey: base64UrlEncode(k.publicKey) }));
    return validateTokenKeyList({ issuer: this.name, tokenType: TOKEN_TYPE_BLIND_RSA, keys });
  }

  /**
   * Signs the account's token requests, each under the key it names, within the allowance. One
   * answer per request, in order: a refused request does not stop the others.
   */
  async issue(accountId: string, requests: readonly IssueRequest[]): Promise<IssueResult[]> {
    if (typeof accountId !== 'string' || !ACCOUNT_ID_PATTERN.test(accountId)) throw new IssuerInputError('ACCOUNT_INVALID', 'account: must be 1–256 printable ASCII characters', 'account');
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > this.maxRequestsPerCall) {
      throw new IssuerInputError('REQUESTS_INVALID', `requests: must be an array of 1–${this.maxRequestsPerCall} requests`, 'requests');
    }
    if (this.keys.size === 0) await this.load();
    // Every request is checked first (bad input never uses the allowance), then the call's claims are
    // one store transaction (one commit per call, not per token), then the granted ones are signed.
    const prepared = requests.map((item, i) => this.prepare(item, i));
    const claims = prepared.filter((p): p is Prepared => !('error' in p));
    const outcomes = claims.length === 0 ? [] : await this.store.claimMany(accountId, claims.map((c) => ({ keyId: c.keyId, requestDigest: c.digest })), this.tokensPerKey, this.now().toISOString());
    const outcomeOf = new Map(claims.map((c, i) => [c, outcomes[i]!]));
    return prepared.map((p): IssueResult => {
      if ('error' in p) return p;
      // A byte-identical retry ('repeat') gets the same signature again: RSASP1 is deterministic, so a
      // lost response is not a lost allowance, and the retry reveals nothing new.
      if (outcomeOf.get(p) === 'exceeded') {
        return { keyId: p.keyId, error: { code: 'ALLOWANCE_EXCEEDED', message: `this account already has ${this.tokensPerKey === 1 ? 'its token' : `its ${this.tokensPerKey} tokens`} for this question and period` } };
      }
      return { keyId: p.keyId, response: base64UrlEncode(new TokenResponse(p.signer.sign(p.blinded)).serialize()) };
    });
  }

  /** Checks one request without the allowance: a refusal, or what claiming and signing it needs. */
  private prepare(item: unknown, i: number): Prepared | (IssueResult & { error: unknown }) {
    const raw = item as Partial<IssueRequest> | null;
    const keyId = typeof raw?.keyId === 'string' && /^[0-9a-f]{64}$/.test(raw.keyId) ? raw.keyId : undefined;
    if (keyId === undefined || typeof raw?.request !== 'string' || Object.keys(raw).length !== 2) {
      throw new IssuerInputError('REQUESTS_INVALID', `requests.${i}: must be {keyId: 64 hex digits, request: base64url}`, `requests.${i}`);
    }
    const refuse = (code: IssueErrorCode, message: string) => ({ keyId, error: { code, message } });
    const key = this.keys.get(keyId);
    if (key === undefined) return refuse('KEY_UNKNOWN', 'no such key in the published list (fetch the list again)');
    if (this.now().getTime() >= Date.parse(key.issueUntil)) return refuse('KEY_NOT_ISSUABLE', `the key's period ended at ${key.issueUntil}`);
    let blinded: Uint8Array;
    let bytes: Uint8Array;
    try {
      if (raw.request.length !== Math.ceil((TOKEN_REQUEST_BYTES * 8) / 6)) throw new Error('length');
      bytes = base64UrlDecode(raw.request, TOKEN_REQUEST_BYTES);
      const request = TokenRequest.deserialize(TOKEN_TYPES.BLIND_RSA, bytes);
      if (request.tokenType !== TOKEN_TYPE_BLIND_RSA) throw new Error('type');
      // RFC 9578 §6.2: truncated_token_key_id is the last byte of the key id.
      if (request.truncatedTokenKeyId !== Number.parseInt(keyId.slice(62), 16)) return refuse('TOKEN_REQUEST_INVALID', 'truncated_token_key_id does not match the key');
      blinded = request.blindedMsg;
    } catch {
      return refuse('TOKEN_REQUEST_INVALID', `request: must be a type-0x0002 TokenRequest, ${TOKEN_REQUEST_BYTES} bytes in base64url`);
    }
    const signer = this.signerFor(key);
    try {
      signer.check(blinded);
    } catch (error) {
      if (error instanceof BlindSignError) return refuse('TOKEN_REQUEST_INVALID', error.message);
      throw error;
    }
    return { keyId, signer, blinded, digest: createHash('sha256').update(bytes).digest('hex') };
  }

  private keyFor(context: TokenContext): StoredKey | undefined {
    for (const key of this.keys.values()) {
      if (key.context.campaignId === context.campaignId && key.context.questionId === context.questionId && key.context.periodStart === context.periodStart) return key;
    }
    return undefined;
  }

  private signerFor(key: StoredKey): BlindSigner {
    let signer = this.signers.get(key.keyId);
    if (signer === undefined) this.signers.set(key.keyId, (signer = new BlindSigner(key)));
    return signer;
  }

  private async load(): Promise<void> {
    const keys = await this.store.listKeys();
    this.keys = new Map(keys.map((k) => [k.keyId, k]));
    for (const id of this.signers.keys()) if (!this.keys.has(id)) this.signers.delete(id);
  }

  private windows(period: 'day' | 'week', now: Date): string[] {
    const today = utcDay(now);
    const last = addDays(today, this.aheadDays);
    const out: string[] = [];
    for (let start = period === 'week' ? isoWeekStart(today) : today; start <= last; start = addDays(start, period === 'week' ? 7 : 1)) out.push(start);
    return out;
  }
}

function positiveInt(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name}: must be an integer ≥ ${min}`);
  return value;
}
