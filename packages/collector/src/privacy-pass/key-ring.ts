/**
 * The token keys this collector verifies against: ONE published key list (the issuer's, validated
 * by core's `validateTokenKeyList`: a key id is SHA-256 of its key, one key per context). The same
 * list is served at GET /v1/token-keys, and it is the only place the SDK takes keys from, so a key
 * a device blinds against is a key every other device sees too (key consistency, RFC 9576 §6.2).
 *
 * Given inline (PP_TOKEN_KEYS, fixed for the process) or loaded from a file (PP_TOKEN_KEYS_FILE: the
 * issuer's GET /v1/token-keys answer, synced by the
 * operator) and re-read when the file changes, checked at most every `refreshMs`. A bad new file
 * keeps the old list (and is reported through `lastError`), so a half-written sync cannot switch
 * verification off.
 */
import type { webcrypto } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { TOKEN_TYPES, util } from '@cloudflare/privacypass-ts';
import { tokenKeyBytes, validateTokenKeyList, type TokenKey, type TokenKeyList } from '@practical-privacy/core';

export interface RingKey {
  key: TokenKey;
  /** Imported on first use. */
  cryptoKey: Promise<webcrypto.CryptoKey> | undefined;
}

export class TokenKeyRing {
  private keys = new Map<string, RingKey>();
  private list: TokenKeyList | undefined;
  private checkedAt = -Infinity;
  private mtimeMs = -1;
  lastError: string | undefined;

  private constructor(
    private readonly file: string | undefined,
    private readonly refreshMs: number,
    private readonly clock: () => number,
  ) {}

  /** A ring with no keys: every token is refused TOKEN_KEY_UNKNOWN. */
  static empty(): TokenKeyRing {
    return new TokenKeyRing(undefined, Infinity, Date.now);
  }

  /** A fixed list (tests, embedding). Throws PrivacyError KEY_LIST_INVALID. */
  static of(list: unknown): TokenKeyRing {
    const ring = new TokenKeyRing(undefined, Infinity, Date.now);
    ring.install(validateTokenKeyList(list));
    return ring;
  }

  /** The list in `file`, re-read when it changes. The first read must succeed (a startup error names the file). */
  static fromFile(file: string, refreshMs = 30_000, clock: () => number = Date.now): TokenKeyRing {
    const ring = new TokenKeyRing(file, refreshMs, clock);
    ring.refresh(true);
    return ring;
  }

  /** The published list, or undefined when no list is configured. */
  current(): TokenKeyList | undefined {
    this.refresh(false);
    return this.list;
  }

  get(keyId: string): RingKey | undefined {
    this.refresh(false);
    return this.keys.get(keyId);
  }

  /** The key as a WebCrypto verification key (RFC 9578's RSASSA-PSS SPKI converted to the rsaEncryption form WebCrypto imports). */
  cryptoKey(entry: RingKey): Promise<webcrypto.CryptoKey> {
    entry.cryptoKey ??= crypto.subtle.importKey('spki', new Uint8Array(util.convertRSASSAPSSToEnc(tokenKeyBytes(entry.key))), TOKEN_TYPES.BLIND_RSA.rsaParams, false, ['verify']);
    return entry.cryptoKey;
  }

  private install(list: TokenKeyList): void {
    const previous = this.keys;
    this.keys = new Map(list.keys.map((key) => [key.keyId, previous.get(key.keyId)?.key.publicKey === key.publicKey ? previous.get(key.keyId)! : { key, cryptoKey: undefined }]));
    this.list = list;
  }

  private refresh(initial: boolean): void {
    if (this.file === undefined) return;
    const now = this.clock();
    if (!initial && now - this.checkedAt < this.refreshMs) return;
    this.checkedAt = now;
    try {
      const mtimeMs = statSync(this.file).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.install(validateTokenKeyList(JSON.parse(readFileSync(this.file, 'utf8'))));
      this.mtimeMs = mtimeMs;
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `PP_TOKEN_KEYS_FILE ${this.file}: ${(error as Error).message}`;
      if (initial) throw new Error(this.lastError, { cause: error });
    }
  }
}
