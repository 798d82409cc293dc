/**
 * One issuer key: an RSA-2048 RSASSA-PSS (SHA-384, 48-byte salt) key pair for blind RSA, RFC 9578
 * token type 0x0002 (RFC 9474's RSABSSA-SHA384-PSS-Randomized variant is what privacypass-ts calls
 * BlindRSAMode.PSS; the salt is drawn by the client when it finalizes).
 *
 * Signing does not go through blindrsa-ts: its BlindSign computes m^d mod n with sjcl big numbers
 * (no CRT), ≈ 250 ms of CPU per token here. RSASP1 is the raw RSA private-key operation, which
 * Node's OpenSSL does natively with CRT and base blinding (`privateDecrypt` without padding). The
 * steps are RFC 9474 §4.3 BlindSign, including its check that the signature verifies (a fault in
 * the private operation would otherwise leak the key). The test suite checks the result against
 * privacypass-ts's own issuer byte for byte, and the bench compares the two.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { publicVerif } from '@cloudflare/privacypass-ts';
import { toHex } from '@practical-privacy/core';
import { createHash } from 'node:crypto';

const { Issuer, BlindRSAMode, getPublicKeyBytes } = publicVerif;

/** RSA-2048: the modulus length token type 0x0002 fixes (RFC 9578 §8.2.1). */
export const MODULUS_BYTES = 256;

export class BlindSignError extends Error {
  constructor(
    readonly code: 'TOKEN_REQUEST_INVALID' | 'SIGNING_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'BlindSignError';
  }
}

export interface SigningKey {
  /** SHA-256 of `publicKey` (RFC 9578 §6.5), lowercase hex. */
  keyId: string;
  /** The public key as RFC 9578 §6.5 SPKI (RSASSA-PSS OID) — what clients blind against. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** PKCS #8 DER of the private key (what a key store persists). */
  privateKeyPkcs8: Uint8Array<ArrayBuffer>;
}

/** A fresh key pair from WebCrypto (the platform CSPRNG). */
export async function generateSigningKey(): Promise<SigningKey> {
  const pair = await Issuer.generateKey(BlindRSAMode.PSS, { modulusLength: MODULUS_BYTES * 8, publicExponent: Uint8Array.of(1, 0, 1) });
  const publicKey = new Uint8Array(await getPublicKeyBytes(pair.publicKey));
  const privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { keyId: toHex(createHash('sha256').update(publicKey).digest()), publicKey, privateKeyPkcs8 };
}

/** RFC 9474 §4.3 BlindSign with a native RSASP1. */
export class BlindSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly modulus: bigint;

  constructor(key: Pick<SigningKey, 'privateKeyPkcs8'>) {
    this.privateKey = createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
    const jwk = this.publicKey.export({ format: 'jwk' });
    this.modulus = BigInt(`0x${Buffer.from(jwk.n!, 'base64url').toString('hex')}`);
    if (this.privateKey.asymmetricKeyDetails?.modulusLength !== MODULUS_BYTES * 8) throw new RangeError('signing key: must be RSA-2048');
  }

  /** blind_sig = RSASP1(sk, blinded_msg), refusing m ≥ n and checking RSAVP1(pk, s) = m. */
  /** Throws TOKEN_REQUEST_INVALID unless `blindedMessage` is a representative RSASP1 accepts (cheap: no private-key operation). */
  check(blindedMessage: Uint8Array): void {
    if (blindedMessage.length !== MODULUS_BYTES) throw new BlindSignError('TOKEN_REQUEST_INVALID', `blinded message must be ${MODULUS_BYTES} bytes`);
    // RFC 8017 §5.2.1 RSASP1 step 1: "message representative out of range".
    if (BigInt(`0x${Buffer.from(blindedMessage).toString('hex')}`) >= this.modulus) throw new BlindSignError('TOKEN_REQUEST_INVALID', 'blinded message is not below the modulus');
  }

  sign(blindedMessage: Uint8Array): Uint8Array {
    this.check(blindedMessage);
    const signature = privateDecrypt({ key: this.privateKey, padding: constants.RSA_NO_PADDING }, blindedMessage);
    const check = publicEncrypt({ key: this.publicKey, padding: constants.RSA_NO_PADDING }, signature);
    if (!check.equals(blindedMessage)) throw new BlindSignError('SIGNING_FAILED', 'signing failure (RFC 9474 §4.3 step 4)');
    return new Uint8Array(signature);
  }
}
