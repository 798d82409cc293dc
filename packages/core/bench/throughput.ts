/**
 * Core throughput (issue #6, item 2): randomize reports/s per mechanism, and aggregate + estimate
 * reports/s. Targets (20× and 100× what the Python reference library pure-LDP reaches here):
 *  - OUE aggregation, k = 64, one process: ≥ 20,000,000 reports/s;
 *  - OLH aggregate + estimate, k = 1024: ≥ 100,000 reports/s.
 * Each figure is the median of several timed repetitions after a warm-up.
 */
import * as core from '../src/index.ts';
import { BitCounter } from '../src/fast/bit-counter.ts';
import { atLeast, isQuick, median, printFigures, writeStep, type Figure } from './results.ts';

// The production source (crypto.getRandomValues through the buffered sampler): what devices run.
const rng = new core.RandomSampler(core.cryptoRandomSource());
const repetitions = isQuick ? 3 : 7;
const figures: Figure[] = [];

function time(run: () => void): number {
  run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples) / 1000;
}

interface Case {
  label: string;
  mechanism: core.Mechanism<unknown, unknown, unknown>;
  input: (i: number) => unknown;
}

function frequencyCase(label: string, name: string, k: number, epsilon: number): Case | undefined {
  const ctor = (core as unknown as Record<string, new (o: object) => core.Mechanism<unknown, unknown, unknown>>)[name];
  if (!ctor) return undefined;
  return { label, mechanism: new ctor({ k, epsilon }), input: (i) => i % k };
}

const cases = [
  frequencyCase('binary-rr', 'BinaryRandomizedResponse', 2, 1),
  frequencyCase('grr k=16 ε=2', 'GeneralizedRandomizedResponse', 16, 2),
  frequencyCase('sue k=64 ε=2', 'SymmetricUnaryEncoding', 64, 2),
  frequencyCase('oue k=64 ε=2', 'OptimizedUnaryEncoding', 64, 2),
  frequencyCase('olh k=1024 ε=2', 'OptimizedLocalHashing', 1024, 2),
  frequencyCase('hadamard k=1024 ε=2', 'HadamardResponse', 1024, 2),
].filter((c): c is Case => c !== undefined);

const randomizeCount = isQuick ? 50_000 : 500_000;
for (const c of cases) {
  const seconds = time(() => {
    for (let i = 0; i < randomizeCount; i++) c.mechanism.randomize(c.input(i), rng);
  });
  figures.push({ name: `randomize ${c.label}`, value: Math.round(randomizeCount / seconds), unit: 'reports/s' });
}

// Aggregate + estimate through the generic path (addToSums per report, then estimate).
const aggregateCount = isQuick ? 50_000 : 300_000;
for (const c of cases) {
  const reports = Array.from({ length: aggregateCount }, (_, i) => c.mechanism.randomize(c.input(i), rng));
  const seconds = time(() => {
    const sums = new Float64Array(c.mechanism.sumsLength);
    for (const report of reports) c.mechanism.addToSums(report, sums);
    c.mechanism.estimate(sums);
  });
  const rate = Math.round(aggregateCount / seconds);
  const isOlhTarget = c.label.startsWith('olh k=1024');
  figures.push({ name: `aggregate + estimate ${c.label}`, value: rate, unit: 'reports/s', ...(isOlhTarget ? atLeast(rate, 100_000) : {}) });
}

// OUE aggregation, k = 64, on packed reports with the bit-sliced counter.
const oue = cases.find((c) => c.label.startsWith('oue'));
if (oue) {
  const k = 64;
  const words = Math.ceil(k / 32);
  const n = isQuick ? 200_000 : 2_000_000;
  const packed = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    const bytes = packBits(oue.mechanism.randomize(i % k, rng), k);
    packed.set(new Uint32Array(bytes.buffer, bytes.byteOffset, words), i * words);
  }
  const seconds = time(() => {
    const counter = new BitCounter(k);
    counter.addPacked(packed, n);
    counter.counts();
  });
  const rate = Math.round(n / seconds);
  figures.push({ name: 'OUE aggregation k=64 (packed reports, bit-sliced counters)', value: rate, unit: 'reports/s', ...atLeast(rate, 20_000_000) });
}

/** A unary report as packed little-endian bytes, padded to whole 32-bit words. */
function packBits(report: unknown, k: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(k / 32) * 4);
  if (report instanceof Uint8Array && report.length === k) {
    for (let j = 0; j < k; j++) if (report[j]) out[j >> 3]! |= 1 << (j & 7);
  } else if (report instanceof Uint8Array) {
    out.set(report.subarray(0, Math.min(report.length, out.length)));
  } else {
    throw new Error('unexpected unary report shape');
  }
  return out;
}

printFigures(figures);
console.log(`wrote ${writeStep('throughput', figures, { notes: [`Randomize over ${randomizeCount.toLocaleString('en-US')} reports, aggregate over ${aggregateCount.toLocaleString('en-US')}; median of ${repetitions} repetitions after a warm-up, production random source (crypto.getRandomValues).`] })}`);
