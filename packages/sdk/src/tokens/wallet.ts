/**
 * The device's Privacy Pass wallet (issue 17 §1; docs/privacy-model.md, "Anonymous tokens"). It
 * runs on the app's side of the SDK — the main thread or the app's own worker, never the SDK's
 * randomizing worker, which the Privacy Pass client (≈ 31 kB gzip) would push past its size budget.
 *
 * - Keys come from ONE place: the collector's GET /v1/token-keys, the list the collector verifies
 *   with, parsed by core's `validateTokenKeyList` (one key per (campaign, question, period); a
 *   list with two is refused whole). Nothing else — no key from the app, the issuer or a token
 *   response — is ever blinded against (key consistency, RFC 9576 §6.2).
 * - `start(campaignId)` (the SDK's client calls it once the patient has consented) makes the wallet
 *   refill BY ITSELF when it runs low — checked at start after a random delay and then hourly, never
 *   because of a report (auto-refill.ts says why: fetch early, spend later).
 * - `refill(campaignId)` asks, ahead of time and in bulk, for a token for EVERY question of the
 *   campaign and every period the list has a key for — answered or not, so the issuer learns
 *   nothing from which ones a patient asks for — through the app's `tokenProvider` (the app's own
 *   authenticated session with its portal, which calls the issuer for the logged-in account).
 * - Tokens are kept in IndexedDB (database `pp-tokens`) until spent; a spent token's bytes are
 *   deleted when the report it went with is queued, and its context is remembered as spent (so it
 *   is not asked for again: the SDK's ledger knows as much) until its key leaves the list, is
 *   replaced or expires;
 *   the SDK's optOut() deletes the whole database (`erase`).
 * - Blinding draws its randomness from WebCrypto (privacypass-ts / blindrsa-ts).
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
// Deep imports (the package has no `exports` map): the publicly verifiable client and the challenge
// only, not the VOPRF and batched-token code the package root also pulls in.
import * as publicVerif from '@cloudflare/privacypass-ts/lib/src/pub_verif_token.js';
import { TokenChallenge } from '@cloudflare/privacypass-ts/lib/src/auth_scheme/private_token.js';
import { base64UrlDecode, base64UrlEncode, cryptoRandomSource, PrivacyError, tokenChallengeBytes, tokenKeyBytes, tokenPeriodStart, validateTokenKeyList, type RandomSource, type TokenIssuerBinding, type TokenKey, type TokenKeyList } from '@practical-privacy/core';
import { AUTO_REFILL_DEFAULTS, isLow, type AutoRefillOptions } from './auto-refill.ts';

export type { AutoRefillOptions } from './auto-refill.ts';

/** What the wallet sends through the app's session: one blinded TokenRequest per key. */
export interface TokenRequestItem {
  keyId: string;
  /** RFC 9578 TokenRequest, base64url without padding. */
  request: string;
}

/** The issuer's answer per request, as the reference issuer's POST /v1/token-requests gives it. */
export type TokenResponseItem = { keyId: string; response: string } | { keyId: string; error: { code: string; message?: string } };

/** The app's call to its own backend (authenticated as the patient), which forwards to the issuer. */
export type TokenProvider = (requests: TokenRequestItem[]) => Promise<TokenResponseItem[]>;

export interface TokenWalletOptions {
  collectorUrl: string;
  tokenProvider: TokenProvider;
  /** The campaign's `tokens` binding (issuer and origin names), as in the campaign document. */
  binding: TokenIssuerBinding;
  fetch?: typeof fetch;
  dbName?: string;
  now?: () => Date;
  /** Most requests per tokenProvider call (default 100). */
  chunkSize?: number;
  /** Refill by itself when low, once started (default on with AUTO_REFILL_DEFAULTS); `false`: only `refill()` fetches. */
  autoRefill?: false | AutoRefillOptions;
  /** Randomness for the automatic check's start delay (default: crypto.getRandomValues). */
  random?: RandomSource;
}

export interface HeldToken {
  /** `${campaignId}\0${questionId}\0${periodStart}` */
  context: string;
  keyId: string;
  token: string;
  expires: string;
  /** The token went with a queued report (its bytes are gone); kept so the context is not asked for again. */
  spent?: true;
}

interface WalletSchema extends DBSchema {
  tokens: { key: string; value: HeldToken };
}

export interface RefillResult {
  /** Tokens obtained by this call. */
  obtained: number;
  /** Contexts the wallet already held a token for, or had spent one for (not asked for again). */
  held: number;
  /** Requests the issuer refused, by code (e.g. ALLOWANCE_EXCEEDED after a reinstall). */
  refused: Record<string, number>;
}

const contextOf = (campaignId: string, questionId: string, periodStart: string) => `${campaignId}\u0000${questionId}\u0000${periodStart}`;

export interface TokenWallet {
  /** The key list as last fetched from the collector (validated). */
  keys(): Promise<TokenKeyList>;
  /** Fetches, now, a token for every question and listed period not yet held or spent. Public: apps may refill at login. */
  refill(campaignId: string): Promise<RefillResult>;
  /** Starts the automatic refill for the campaign (idempotent; a no-op with `autoRefill: false`). */
  start(campaignId: string): void;
  /** Stops it (close() and erase() stop every campaign's). */
  stop(campaignId: string): void;
  /** Whether the wallet is low for the campaign now (what the automatic check asks; reads the key list). */
  low(campaignId: string): Promise<boolean>;
  /** The held token for the question's period holding `day`, if any (not removed: see spent). */
  take(campaignId: string, questionId: string, day: string): Promise<HeldToken | undefined>;
  spent(token: { token: string; context?: string }): Promise<void>;
  /** Unspent tokens held now (tests and diagnostics). */
  held(): Promise<HeldToken[]>;
  /** Deletes the wallet's database (the SDK's optOut calls it). */
  erase(): Promise<void>;
  close(): void;
}

export function createTokenWallet(options: TokenWalletOptions): TokenWallet {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? (() => new Date());
  const chunkSize = options.chunkSize ?? 100;
  const auto = options.autoRefill === false ? undefined : { ...AUTO_REFILL_DEFAULTS, ...options.autoRefill };
  const random = options.random ?? cryptoRandomSource();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  // Contexts the issuer refused in this session: the automatic check does not count them as missing.
  const refusedContexts = new Set<string>();
  // One refill at a time: two at once would blind two requests per context, and the second is refused.
  let refilling: Promise<unknown> = Promise.resolve();
  // The automatic check in flight: erase() waits for it, so it cannot re-create the deleted database.
  let checking: Promise<unknown> = Promise.resolve();
  let db: Promise<IDBPDatabase<WalletSchema>> | undefined;
  let list: TokenKeyList | undefined;
  const open = () =>
    (db ??= openDB<WalletSchema>(options.dbName ?? 'pp-tokens', 1, {
      upgrade: (d) => void d.createObjectStore('tokens', { keyPath: 'context' }),
      // An opt-out in another tab deletes this database: close, so the deletion is not blocked (reopened on next use).
      blocking: () => {
        void db?.then((d) => d.close());
        db = undefined;
      },
    }));

  async function fetchKeys(): Promise<TokenKeyList> {
    const response = await fetchImpl(`${options.collectorUrl.replace(/\/+$/, '')}/v1/token-keys`, { credentials: 'omit' });
    if (!response.ok) throw new PrivacyError('TOKEN_UNAVAILABLE', 'runtime', `token keys: the collector answered HTTP ${response.status}`);
    const fetched = validateTokenKeyList(await response.json());
    if (fetched.issuer !== options.binding.issuer) throw new PrivacyError('KEY_LIST_INVALID', 'input', `token keys: the list is for issuer ${fetched.issuer}, the campaign names ${options.binding.issuer}`, { path: 'issuer' });
    list = fetched;
    // Held tokens whose key is gone or replaced would be refused: drop them.
    const byId = new Map(fetched.keys.map((k) => [k.keyId, k]));
    const store = (await open()).transaction('tokens', 'readwrite').store;
    for (const held of await store.getAll()) if (!byId.has(held.keyId) || Date.parse(held.expires) <= now().getTime()) await store.delete(held.context);
    return fetched;
  }

  async function refillNow(campaignId: string): Promise<RefillResult> {
    const keys = (await fetchKeys()).keys.filter((k) => k.campaignId === campaignId && Date.parse(k.issueUntil) > now().getTime());
    const database = await open();
    const heldContexts = new Set((await database.getAll('tokens')).map((t) => t.context));
    const wanted = keys.filter((k) => !heldContexts.has(contextOf(k.campaignId, k.questionId, k.periodStart)));
    const result: RefillResult = { obtained: 0, held: keys.length - wanted.length, refused: {} };
    for (let at = 0; at < wanted.length; at += chunkSize) {
      const chunk = wanted.slice(at, at + chunkSize);
      const blinded = await Promise.all(chunk.map((key) => blind(key, options.binding)));
      const responses = await options.tokenProvider(blinded.map((b) => ({ keyId: b.key.keyId, request: b.request })));
      if (!Array.isArray(responses) || responses.length !== chunk.length) throw new PrivacyError('TOKEN_UNAVAILABLE', 'runtime', `tokenProvider: must answer one result per request (${chunk.length}), in order`);
      const tokens: HeldToken[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const answer = responses[i]!;
        const { key, finalize } = blinded[i]!;
        if (answer.keyId !== key.keyId || !('response' in answer) || typeof answer.response !== 'string') {
          const code = 'error' in answer && typeof answer.error?.code === 'string' ? answer.error.code : 'RESPONSE_INVALID';
          result.refused[code] = (result.refused[code] ?? 0) + 1;
          refusedContexts.add(contextOf(key.campaignId, key.questionId, key.periodStart));
          continue;
        }
        try {
          tokens.push({ context: contextOf(key.campaignId, key.questionId, key.periodStart), keyId: key.keyId, token: await finalize(answer.response), expires: key.expires });
        } catch {
          // A response that does not finalize (a wrong or hostile signature) is not a token: privacypass-ts verifies it.
          result.refused.RESPONSE_INVALID = (result.refused.RESPONSE_INVALID ?? 0) + 1;
          refusedContexts.add(contextOf(key.campaignId, key.questionId, key.periodStart));
        }
      }
      const tx = database.transaction('tokens', 'readwrite');
      await Promise.all([...tokens.map((t) => tx.store.put(t)), tx.done]);
      result.obtained += tokens.length;
    }
    return result;
  }

  const wallet: TokenWallet = {
    async keys() {
      return list ?? fetchKeys();
    },

    refill(campaignId) {
      const run = refilling.then(() => refillNow(campaignId));
      refilling = run.catch(() => undefined);
      return run;
    },

    start(campaignId) {
      if (auto === undefined || timers.has(campaignId)) return;
      const draw = new Uint8Array(4);
      random.fill(draw);
      const delay = Math.floor((new DataView(draw.buffer).getUint32(0) / 2 ** 32) * (auto.maxDelayMs + 1));
      const check = () => {
        timers.set(campaignId, setTimeout(check, auto.checkEveryMs));
        checking = wallet
          .low(campaignId)
          .then((low) => (low && timers.has(campaignId) ? wallet.refill(campaignId) : undefined))
          .catch((error: unknown) => auto.onError?.(error));
      };
      timers.set(campaignId, setTimeout(check, delay));
    },

    stop(campaignId) {
      clearTimeout(timers.get(campaignId));
      timers.delete(campaignId);
    },

    async low(campaignId) {
      const fetched = await fetchKeys();
      const covered = new Set((await (await open()).getAll('tokens')).map((t) => t.context));
      return isLow(fetched.keys, campaignId, (key) => { const c = contextOf(key.campaignId, key.questionId, key.periodStart); return covered.has(c) || refusedContexts.has(c); }, now().getTime(), auto?.lowPeriods ?? AUTO_REFILL_DEFAULTS.lowPeriods);
    },

    async take(campaignId, questionId, day) {
      const database = await open();
      for (const period of ['day', 'week'] as const) {
        const held = await database.get('tokens', contextOf(campaignId, questionId, tokenPeriodStart(day, period)));
        if (held !== undefined && held.spent !== true && Date.parse(held.expires) > now().getTime()) return held;
      }
      return undefined;
    },

    async spent(token) {
      const database = await open();
      const tx = database.transaction('tokens', 'readwrite');
      // The bytes go; the context stays marked spent until its key leaves the list (fetchKeys).
      for (const held of await tx.store.getAll()) if (held.spent !== true && held.token === token.token) await tx.store.put({ context: held.context, keyId: held.keyId, token: '', expires: held.expires, spent: true });
      await tx.done;
    },

    async held() {
      return (await open()).getAll('tokens').then((all) => all.filter((t) => t.spent !== true));
    },

    async erase() {
      // Opted out: nothing is fetched for this patient any more.
      for (const campaignId of [...timers.keys()]) wallet.stop(campaignId);
      await checking;
      await refilling;
      const open = db;
      db = undefined;
      (await open)?.close();
      await deleteDB(options.dbName ?? 'pp-tokens');
    },

    close() {
      for (const campaignId of [...timers.keys()]) wallet.stop(campaignId);
      void db?.then((d) => d.close());
      db = undefined;
    },
  };
  return wallet;
}

/** Blinds one token request against a listed key for the key's own context. */
async function blind(key: TokenKey, binding: TokenIssuerBinding) {
  const challenge = TokenChallenge.deserialize(tokenChallengeBytes(binding, { campaignId: key.campaignId, questionId: key.questionId, periodStart: key.periodStart }));
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const request = await client.createTokenRequest(challenge, tokenKeyBytes(key));
  return {
    key,
    request: base64UrlEncode(request.serialize()),
    finalize: async (response: string) => base64UrlEncode((await client.finalize(publicVerif.TokenResponse.deserialize(base64UrlDecode(response, 256)))).serialize()),
  };
}
