/**
 * RAPPOR's permanent randomized response computed with the non-extractable WebCrypto key.
 *
 * Core's `Rappor.permanentResponse(bloom, secretBytes)` needs the secret's bytes; the SDK's secret
 * has none to give. So the SDK asks core for the HMAC inputs (`prrMessages`: the one definition of
 * their byte layout, google-py's and hardened-v1's), signs them with `crypto.subtle.sign('HMAC')`,
 * and hands the digests back to core (`prrMasksFromDigests`, `permanentBitsFromMasks`):
 * PRR_i = fMask_i ? uniform_i : Bloom_i (Erlingsson et al. 2014, §3 step 2). A test checks equality
 * with core's own PRR from an extractable copy of a key.
 */
import { permanentBitsFromMasks, prrMasksFromDigests, prrMessages, type RapporRandomizer } from '@practical-privacy/core';
import { hmac } from './secret.ts';

export async function permanentResponse(rappor: RapporRandomizer, bloom: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const digests = await Promise.all(prrMessages(rappor.encoding, bloom).map((message) => hmac(key, message)));
  return permanentBitsFromMasks(bloom, prrMasksFromDigests(rappor.encoding, digests));
}
