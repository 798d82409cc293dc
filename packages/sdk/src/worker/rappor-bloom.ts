/**
 * RAPPOR's Bloom filter in the worker, byte for byte core's rappor-bloom.ts `bloomBits`:
 * - google-py: MD5 (noble's, core's `googlePyBloomIndices`; WebCrypto has no MD5);
 * - hardened-v1: the same SHA-256 messages (core's `hardenedBloomMessages`) hashed with WebCrypto's
 *   `crypto.subtle.digest`, so the worker bundles no SHA-256 of its own (a test checks equality
 *   with core's synchronous version).
 */
import { bitsAt, googlePyBloomIndices, hardenedBloomIndices, hardenedBloomMessages, type RapporRandomizer } from '@practical-privacy/core';
import { subtle } from './secret.ts';

export async function bloomFilter(rappor: RapporRandomizer, value: string, cohort: number): Promise<Uint8Array> {
  const { encoding } = rappor;
  if (encoding.mode === 'google-py') return bitsAt(encoding.k, googlePyBloomIndices(encoding, value, cohort));
  const messages = hardenedBloomMessages(encoding, value, cohort);
  const digests = await Promise.all(messages.map(async (message) => new Uint8Array(await subtle().digest('SHA-256', message as Uint8Array<ArrayBuffer>))));
  return bitsAt(encoding.k, hardenedBloomIndices(encoding, digests));
}
