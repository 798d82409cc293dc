/**
 * Helpers for the benchmark steps that simulate respondents (quality.ts, rappor-decode.ts).
 *
 * Reproducible randomness at native speed. core's `seededRandomSource(seed)` is the ChaCha20
 * keystream (RFC 8439, zero nonce, counter from 0) under the key BLAKE3(seed, context "practical-
 * privacy seeded random source v1"); its pure-JS ChaCha20 manages ~20 M words/s here, too slow for
 * the ~10^10 draws of a full run. {@link seededSampler} produces the very same byte stream with
 * Node's OpenSSL ChaCha20 (`createCipheriv('chacha20', key, counter ‖ nonce)` encrypting zeros ==
 * the keystream), ~20× faster, and checks on first use that its first 64 KiB equal core's — so a
 * run is reproducible from the seed strings it prints, and the mechanisms under test are the real
 * ones, fed through the real RandomSampler.
 */
import { createCipheriv } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import * as core from '../src/index.ts';

const SEED_CONTEXT = 'practical-privacy seeded random source v1';
const CHUNK_BYTES = 1 << 16;

/** The stream of core.seededRandomSource(seed), computed by OpenSSL's ChaCha20. */
export function nativeSeededSource(seed: string): core.RandomSource {
  const key = blake3(utf8ToBytes(seed), { context: utf8ToBytes(SEED_CONTEXT), dkLen: 32 });
  // OpenSSL's 16-byte ChaCha20 IV is the 32-bit little-endian block counter then the 96-bit nonce:
  // all zero, as ChaCha20Stream's defaults.
  const cipher = createCipheriv('chacha20', key, new Uint8Array(16));
  const zeros = new Uint8Array(CHUNK_BYTES);
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return {
    fill(bytes: Uint8Array): void {
      let offset = 0;
      while (offset < bytes.length) {
        if (used === block.length) {
          block = cipher.update(zeros);
          used = 0;
        }
        const take = Math.min(block.length - used, bytes.length - offset);
        bytes.set(block.subarray(used, used + take), offset);
        used += take;
        offset += take;
      }
    },
  };
}

let checked = false;

/** Throws if the native stream ever stops matching core's seeded source (key derivation or cipher). */
function checkAgainstCore(): void {
  if (checked) return;
  const seed = 'bench/simulate self-check';
  const native = new Uint8Array(CHUNK_BYTES);
  const reference = new Uint8Array(CHUNK_BYTES);
  // Irregular pieces exercise the buffering on both sides.
  const nativeSource = nativeSeededSource(seed);
  const referenceSource = core.seededRandomSource(seed);
  for (let offset = 0, piece = 1; offset < CHUNK_BYTES; offset += piece, piece = (piece * 7 + 13) % 5000) {
    const end = Math.min(CHUNK_BYTES, offset + piece);
    nativeSource.fill(native.subarray(offset, end));
    referenceSource.fill(reference.subarray(offset, end));
  }
  if (!native.every((b, i) => b === reference[i])) throw new Error('nativeSeededSource does not reproduce core.seededRandomSource');
  checked = true;
}

/** A RandomSampler over the seeded stream (identical to `new RandomSampler(seededRandomSource(seed))`). */
export function seededSampler(seed: string): core.RandomSampler {
  checkAgainstCore();
  return new core.RandomSampler(nativeSeededSource(seed));
}

/**
 * Exact counts summing to n, proportional to (v + 1)^(−s) over the first `support` values of [0, k)
 * (the rest get 0), by largest remainder: a fixed population, so the only randomness is the
 * mechanism's — the setting of every variance formula in core.
 */
export function zipfCounts(k: number, n: number, s: number, support = k): number[] {
  const weights = Array.from({ length: k }, (_, v) => (v < support ? (v + 1) ** -s : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (w / total) * n);
  const counts = raw.map(Math.floor);
  const order = raw.map((x, v) => [x - Math.floor(x), v] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) counts[order[i]![1]]! += 1;
  return counts;
}

/** One answer per respondent, value v repeated counts[v] times. */
export function answersFromCounts(counts: readonly number[]): Int32Array {
  const answers = new Int32Array(counts.reduce((a, b) => a + b, 0));
  let i = 0;
  counts.forEach((c, v) => answers.fill(v, i, (i += c)));
  return answers;
}

export type OracleName = core.FrequencyMechanismName;

/** The frequency oracle `name` over k values at ε, or undefined where it does not exist (binary RR needs k = 2). */
export function frequencyOracle(name: OracleName, k: number, epsilon: number): core.FrequencyOracle<unknown> | undefined {
  switch (name) {
    case 'binary-rr':
      return k === 2 ? (new core.BinaryRandomizedResponse({ epsilon }) as core.FrequencyOracle<unknown>) : undefined;
    case 'grr':
      return new core.GeneralizedRandomizedResponse({ k, epsilon }) as core.FrequencyOracle<unknown>;
    case 'sue':
      return new core.SymmetricUnaryEncoding({ k, epsilon }) as core.FrequencyOracle<unknown>;
    case 'oue':
      return new core.OptimizedUnaryEncoding({ k, epsilon }) as core.FrequencyOracle<unknown>;
    case 'olh':
      return new core.OptimizedLocalHashing({ k, epsilon }) as core.FrequencyOracle<unknown>;
    case 'hadamard':
      return new core.HadamardResponse({ k, epsilon }) as core.FrequencyOracle<unknown>;
  }
}

export const ORACLE_NAMES: readonly OracleName[] = ['binary-rr', 'grr', 'sue', 'oue', 'olh', 'hadamard'];

/** Debiased estimate of one simulated collection: every answer randomized and summed through the production path. */
export function collect(oracle: core.FrequencyOracle<unknown>, answers: Int32Array, rng: core.RandomSampler, sums = new Float64Array(oracle.sumsLength)): core.FrequencyEstimate {
  sums.fill(0);
  for (let r = 0; r < answers.length; r++) core.addToSums(oracle, oracle.randomize(answers[r]!, rng), sums);
  return oracle.estimate(sums);
}

/** Sample quantile (linear interpolation between order statistics, Hyndman–Fan type 7). */
export function quantile(sorted: Float64Array | number[], p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** Mean and standard error of the mean. */
export function meanAndSe(values: ArrayLike<number>): { mean: number; se: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { mean, se: Math.sqrt(squares / (values.length - 1) / values.length) };
}

/** Progress line on stderr (stdout keeps the results table). */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
