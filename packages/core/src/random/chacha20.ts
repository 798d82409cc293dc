/**
 * ChaCha20 keystream (RFC 8439 §2.3 block function, 20 rounds, 32-bit block counter). Two uses:
 * expanding a test seed into a long reproducible stream (BLAKE3's XOF in pure JS manages ~20 MB/s,
 * ChaCha20 an order of magnitude more, which keeps 10^6-sample statistical audits fast), and the
 * SDK's permanent level, keyed with an HMAC output (source.ts, derivedRandomSource).
 * Checked against the RFC 8439 §2.3.2 test vector in test/random.test.ts.
 */

const CONSTANTS = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

export class ChaCha20Stream {
  private readonly state = new Uint32Array(16);
  private readonly working = new Uint32Array(16);
  private readonly block = new Uint8Array(64);
  private readonly blockWords = new Uint32Array(this.block.buffer);
  private used = 64;

  /** key: 32 bytes; nonce: 12 bytes; counter: initial block counter. */
  constructor(key: Uint8Array, nonce: Uint8Array = new Uint8Array(12), counter = 0) {
    if (key.length !== 32) throw new RangeError(`ChaCha20 key must be 32 bytes, got ${key.length}`);
    if (nonce.length !== 12) throw new RangeError(`ChaCha20 nonce must be 12 bytes, got ${nonce.length}`);
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    const nonceView = new DataView(nonce.buffer, nonce.byteOffset, nonce.byteLength);
    this.state.set(CONSTANTS, 0);
    for (let i = 0; i < 8; i++) this.state[4 + i] = view.getUint32(i * 4, true);
    this.state[12] = counter >>> 0;
    for (let i = 0; i < 3; i++) this.state[13 + i] = nonceView.getUint32(i * 4, true);
  }

  /** Writes the next keystream bytes into `out`. */
  fill(out: Uint8Array): void {
    let offset = 0;
    while (offset < out.length) {
      if (this.used === 64) this.nextBlock();
      const take = Math.min(64 - this.used, out.length - offset);
      out.set(this.block.subarray(this.used, this.used + take), offset);
      this.used += take;
      offset += take;
    }
  }

  /** The next 64-byte block (exposed for the RFC test vector). */
  nextBlock(): Uint8Array {
    const x = this.working;
    x.set(this.state);
    for (let round = 0; round < 10; round++) {
      quarterRound(x, 0, 4, 8, 12);
      quarterRound(x, 1, 5, 9, 13);
      quarterRound(x, 2, 6, 10, 14);
      quarterRound(x, 3, 7, 11, 15);
      quarterRound(x, 0, 5, 10, 15);
      quarterRound(x, 1, 6, 11, 12);
      quarterRound(x, 2, 7, 8, 13);
      quarterRound(x, 3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) this.blockWords[i] = (x[i]! + this.state[i]!) >>> 0;
    if (!LITTLE_ENDIAN) {
      const view = new DataView(this.block.buffer);
      for (let i = 0; i < 16; i++) view.setUint32(i * 4, this.blockWords[i]!, true);
    }
    this.state[12] = (this.state[12]! + 1) >>> 0;
    if (this.state[12] === 0) this.state[13] = (this.state[13]! + 1) >>> 0; // 2^38-byte streams and beyond
    this.used = 0;
    return this.block;
  }
}

function quarterRound(x: Uint32Array, a: number, b: number, c: number, d: number): void {
  x[a] = (x[a]! + x[b]!) | 0;
  x[d] = rotl(x[d]! ^ x[a]!, 16);
  x[c] = (x[c]! + x[d]!) | 0;
  x[b] = rotl(x[b]! ^ x[c]!, 12);
  x[a] = (x[a]! + x[b]!) | 0;
  x[d] = rotl(x[d]! ^ x[a]!, 8);
  x[c] = (x[c]! + x[d]!) | 0;
  x[b] = rotl(x[b]! ^ x[c]!, 7);
}

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
