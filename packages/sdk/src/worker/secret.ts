/**
 * The device secret: a NON-EXTRACTABLE WebCrypto HMAC-SHA256 key, created on opt-in and kept in
 * IndexedDB (CryptoKey objects are structured-cloneable; a clone stays non-extractable).
 *
 * What non-extractable does, and what it does not:
 * - Script cannot read the key's bytes: `exportKey` refuses, and no other API hands them out.
 * - Script in the app's origin CAN use the key. It can open the SDK's database (same origin), load
 *   the CryptoKey and call `crypto.subtle.sign` with it, or drive the SDK's worker; so it can
 *   compute every HMAC the SDK computes with the key. Against code in the origin the key protects
 *   nothing: what protects the answers from it is only that nothing stored is a function of them.
 * - The bytes are not kept off the disk: to use the key after a restart the browser stores the key
 *   material (Blink writes it into the serialized IndexedDB value), readable to whoever can read the
 *   browser profile's files, and not necessarily wiped from them when the database is deleted
 *   (README, "Security model").
 *
 * Opt-out deletes the database and the stored key with it (store/connection.ts); opting in again
 * creates a new key. The worker loads the key from IndexedDB for each report and keeps no copy; a
 * CryptoKey that other code of the origin loaded stays usable in that context until released.
 */
import { PrivacyError } from '@practical-privacy/core';
import type { SdkDatabase } from '../store/db.ts';

/**
 * The stored secret, or a new one. `whileConsented`: the new key is stored only if consent is still
 * given, read in the same transaction as the write (an opt-out in another tab may have erased the
 * secret after this tab checked consent; CONSENT_REQUIRED then, and nothing is left behind).
 */
export async function loadOrCreateSecret(db: SdkDatabase, whileConsented = false): Promise<CryptoKey> {
  const existing = await db.get('meta', 'secret');
  if (existing !== undefined) return checked(existing);
  const key = await subtle().generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  // No await other than the store's own requests below, so the transaction stays active.
  const tx = db.transaction('meta', 'readwrite');
  const [consent, raced] = await Promise.all([tx.store.get('consent'), tx.store.get('secret')]);
  if (whileConsented && consent !== true) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new PrivacyError('CONSENT_REQUIRED', 'runtime', 'the patient has opted out: nothing is computed, stored or sent');
  }
  // Another tab may have created one meanwhile: keep that one.
  if (raced !== undefined) return checked(raced);
  await Promise.all([tx.store.put(key, 'secret'), tx.done]);
  return key;
}

function checked(existing: unknown): CryptoKey {
  if (!(existing instanceof CryptoKey) || existing.extractable || existing.algorithm.name !== 'HMAC') {
    throw new PrivacyError('STORAGE_UNAVAILABLE', 'runtime', 'the stored device secret is not a non-extractable HMAC key');
  }
  return existing;
}

export async function hmac(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign('HMAC', key, data as Uint8Array<ArrayBuffer>));
}

export function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (s === undefined) throw new PrivacyError('RANDOMNESS_UNAVAILABLE', 'runtime', 'WebCrypto (crypto.subtle) is not available: a secure context (https) is required');
  return s;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Length-prefixed UTF-8 fields, so ("a", "bc") and ("ab", "c") never collide. */
export function framed(fields: string[]): Uint8Array<ArrayBuffer> {
  const parts = fields.map((f) => new TextEncoder().encode(f));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}
