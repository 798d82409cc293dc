/**
 * Core throughput (issue #6, item 2): randomize reports/s for every mechanism, and aggregate +
 * estimate reports/s. Targets (20× and 100× what the Python reference library pure-LDP reaches here):
 *  - OUE aggregation, k = 64, one process: ≥ 20,000,000 reports/s (bit-sliced BitCounter);
 *  - OLH aggregate + estimate, k = 1024: ≥ 100,000 reports/s.
 * Each figure is the median of several timed repetitions after a warm-up, with the production
 * random source (crypto.getRandomValues through the buffered sampler): what devices run.
 *
 * Every case runs in its own process (this script with --case=<id>): in one process the timing
 * loops' call sites see every mechanism in turn, V8 stops inlining them, and the first case alone
 * gets monomorphic code (Piecewise aggregation measured 4× slower as the 9th case than alone). One process per case gives each the
 * same, fresh start.
 *
 * "Aggregate + estimate" times addToSums over already-decoded reports and one estimate(); wire
 * decoding (decodeReport) is not included. The OUE target is timed on reports packed as 32-bit
 * words (a k-bit report is what UnaryEncoding.decodeReport returns, ⌈k/8⌉ bytes), counted by
 * BitCounter, then debiased by OUE's estimate.
 *
 * Issue 13 (case oue-1024): OUE k = 1024 ε = 2 against the per-bit code it replaced, kept below as
 * the baseline (perBitUnaryRandomize, perBitAddToSums) and timed in the same process, alternating,
 * target ≥ 10× for randomize and for aggregate + estimate. Randomize is timed as `randomize` (a new
 * 128-byte report each time, as the SDK calls it) and as `randomizeInto` a reused buffer (the
 * sampling alone); allocating the report is timed on its own, since above 64 bytes a typed array
 * lives outside the JS heap and its allocation bounds what any sampler can gain. Aggregation is
 * `addAllToSums` (bulk, bit-sliced) against the old per-report addToSums, over the same reports.
 */
import { spawnSync } from 'node:child_process';
import * as core from '../src/index.ts';
// The bulk kernel behind addAllToSums (not a public API): its raw rate on already-packed words.
import { BitCounter } from '../src/fast/bit-counter.ts';
import { atLeast, isQuick, median, printFigures, writeStep, type Figure } from './results.ts';

const repetitions = isQuick ? 3 : 7;
const randomizeBase = isQuick ? 50_000 : 500_000;
const aggregateBase = isQuick ? 50_000 : 300_000;

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
  build: (rng: core.RandomSampler) => { mechanism: core.AnyMechanism; input: (i: number) => unknown; randomize?: (i: number) => unknown };
  /** What the randomize figure's time covers, when it needs saying. */
  path?: string;
  /** Fractions of the common report counts this case uses (slow paths: fewer reports); aggregate 0 = randomize only. */
  randomizeShare?: number;
  aggregateShare?: number;
}

const frequency = (label: string, make: () => core.FrequencyOracle<unknown>, shares: Partial<Case> = {}): Case => ({
  label,
  build: () => {
    const mechanism = make();
    return { mechanism, input: (i) => i % mechanism.k };
  },
  ...shares,
});
const numeric = (label: string, make: () => core.NumericMechanism): Case => ({ label, build: () => ({ mechanism: make(), input: (i) => i % 11 }) });
const multiselect = (label: string, options: core.PaddingSamplingOptions, shares: Partial<Case> = {}): Case => ({
  label,
  build: () => ({ mechanism: new core.PaddingAndSampling(options), input: (i) => [i % options.k, (i + 3) % options.k, (i + 11) % options.k].slice(0, 1 + (i % 3)) }),
  ...shares,
});

// RAPPOR as deployed for free text (the rappor-decode step's parameters). The full client path
// hashes the value (SHA-256), derives the PRR (8 HMAC-SHA256 for k = 128) and draws the IRR; the
// SDK may memoize the PRR per value, after which a report costs the IRR alone.
const rapporOptions = { k: 128, h: 2, m: 64, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1' as const, metricId: 'bench/throughput' };
const rapporValues = Array.from({ length: 100 }, (_, i) => `symptom-${i}`);

const CASES: Record<string, Case> = {
  'binary-rr': frequency('binary-rr ε=1', () => new core.BinaryRandomizedResponse({ epsilon: 1 }) as core.FrequencyOracle<unknown>),
  grr: frequency('grr k=16 ε=2', () => new core.GeneralizedRandomizedResponse({ k: 16, epsilon: 2 }) as core.FrequencyOracle<unknown>),
  sue: frequency('sue k=64 ε=2', () => new core.SymmetricUnaryEncoding({ k: 64, epsilon: 2 }) as core.FrequencyOracle<unknown>),
  oue: frequency('oue k=64 ε=2', () => new core.OptimizedUnaryEncoding({ k: 64, epsilon: 2 }) as core.FrequencyOracle<unknown>),
  olh: frequency('olh k=1024 ε=2', () => new core.OptimizedLocalHashing({ k: 1024, epsilon: 2 }) as core.FrequencyOracle<unknown>, { randomizeShare: 0.5, aggregateShare: 1 / 3 }),
  hadamard: frequency('hadamard k=1024 ε=2', () => new core.HadamardResponse({ k: 1024, epsilon: 2 }) as core.FrequencyOracle<unknown>),
  rappor: {
    label: 'rappor k=128 h=2 m=64 hardened-v1',
    path: 'Bloom + PRR + IRR',
    build: (rng) => {
      const secret = rng.bytesInto(new Uint8Array(32));
      return { mechanism: new core.Rappor(rapporOptions), input: (i) => ({ value: rapporValues[i % 100]!, cohort: i % 64, secret }) };
    },
    randomizeShare: 0.02,
    aggregateShare: 0.2,
  },
  'rappor-irr': {
    label: 'rappor k=128 h=2 m=64 hardened-v1',
    path: 'IRR only, PRR memoized',
    build: (rng) => {
      const rappor = new core.Rappor(rapporOptions);
      const secret = rng.bytesInto(new Uint8Array(32));
      const prr = rapporValues.map((value) => rappor.permanentResponse(rappor.bloom(value, 7), secret));
      return { mechanism: rappor, input: (i) => i, randomize: (i) => ({ cohort: 7, bits: rappor.instantaneousResponse(prr[i % 100]!, rng) }) };
    },
    randomizeShare: 0.2,
    aggregateShare: 0,
  },
  duchi: numeric('duchi ε=2 (0–10)', () => new core.DuchiMechanism({ epsilon: 2, low: 0, high: 10 })),
  piecewise: numeric('piecewise ε=2 (0–10)', () => new core.PiecewiseMechanism({ epsilon: 2, low: 0, high: 10 })),
  hybrid: numeric('hybrid ε=2 (0–10)', () => new core.HybridMechanism({ epsilon: 2, low: 0, high: 10 })),
  'multiselect-grr': multiselect('multiselect k=20 L=3 ε=2 (padding-sampling, GRR inside)', { k: 20, maxItems: 3, epsilon: 2 }),
  'multiselect-olh': multiselect('multiselect k=200 L=5 ε=2 (padding-sampling, OLH inside)', { k: 200, maxItems: 5, epsilon: 2, inner: 'olh' }, { randomizeShare: 0.5 }),
  // Two-level forms, beside their one-level counterparts: `randomize` draws both levels afresh (a
  // first report; on a device the permanent level is a keyed ChaCha20 draw, the SDK's bench times that).
  'l-grr': frequency('l-grr k=16 ε₁=1 ε∞=2', () => new core.LongitudinalGrr({ k: 16, epsilon: 1, epsilonPermanent: 2 }) as unknown as core.FrequencyOracle<unknown>),
  'l-oue': frequency('l-oue k=64 ε₁=1 ε∞=2', () => new core.LongitudinalUnaryEncoding('l-oue', { k: 64, epsilon: 1, epsilonPermanent: 2 }) as unknown as core.FrequencyOracle<unknown>),
  loloha: frequency('loloha k=1024 ε₁=1 ε∞=2', () => new core.Loloha({ k: 1024, epsilon: 1, epsilonPermanent: 2 }) as unknown as core.FrequencyOracle<unknown>, { aggregateShare: 1 / 3 }),
  'alpha-1bit': { label: 'alpha-1bit ε₁=1 ε∞=2 (0–10, 2 levels)', build: () => ({ mechanism: new core.AlphaOneBitMean({ epsilon: 1, epsilonPermanent: 2, low: 0, high: 10 }), input: (i) => i % 11 }) },
};

interface CaseFigures {
  randomize: Figure[];
  aggregate: Figure[];
}

function runCase(id: string): CaseFigures {
  const rng = new core.RandomSampler(core.cryptoRandomSource());
  if (id === 'oue-bitcounter') return { randomize: [], aggregate: oueBitCounter(rng) };
  if (id === 'oue-1024') return oueAgainstPerBit(rng);
  const c = CASES[id];
  if (c === undefined) throw new Error(`unknown case ${id}`);
  const { mechanism, input, randomize: custom } = c.build(rng);
  const out: CaseFigures = { randomize: [], aggregate: [] };
  const count = Math.round(randomizeBase * (c.randomizeShare ?? 1));
  const inputs = Array.from({ length: count }, (_, i) => input(i));
  const randomize = custom ?? ((i: number) => mechanism.randomize(inputs[i], rng));
  const seconds = time(() => {
    for (let i = 0; i < count; i++) randomize(i);
  });
  out.randomize.push({ name: `randomize ${c.label}${c.path ? ` (${c.path})` : ''}`, value: Math.round(count / seconds), unit: 'reports/s' });

  const aggregateCount = Math.round(aggregateBase * (c.aggregateShare ?? 1));
  if (aggregateCount > 0) {
    const reports = Array.from({ length: aggregateCount }, (_, i) => mechanism.randomize(input(i), rng));
    const aggregateSeconds = time(() => {
      const sums = new Float64Array(mechanism.sumsLength);
      for (const report of reports) core.addToSums(mechanism, report, sums);
      mechanism.estimate(sums);
    });
    const rate = Math.round(aggregateCount / aggregateSeconds);
    out.aggregate.push({ name: `aggregate + estimate ${c.label}`, value: rate, unit: 'reports/s', ...(id === 'olh' ? atLeast(rate, 100_000) : {}) });
  }
  return out;
}

/** OUE, k = 64: packed reports counted by the bit-sliced counter, then debiased; and the generic path on the same reports. */
function oueBitCounter(rng: core.RandomSampler): Figure[] {
  const k = 64;
  const oue = new core.OptimizedUnaryEncoding({ k, epsilon: 2 });
  const words = Math.ceil(k / 32);
  const n = isQuick ? 200_000 : 2_000_000;
  const packed = new Uint32Array(n * words);
  const bytes = new Uint8Array(packed.buffer);
  for (let i = 0; i < n; i++) bytes.set(oue.randomize(i % k, rng), i * words * 4);
  const sums = new Float64Array(oue.sumsLength);
  const seconds = time(() => {
    const counter = new BitCounter(k);
    counter.addPacked(packed, n);
    sums[0] = counter.count;
    sums.set(counter.counts(), 1);
    oue.estimate(sums);
  });
  const rate = Math.round(n / seconds);
  const generic = Array.from({ length: Math.min(n, aggregateBase) }, (_, i) => bytes.subarray(i * words * 4, i * words * 4 + oue.byteLength));
  const genericSeconds = time(() => {
    const s = new Float64Array(oue.sumsLength);
    for (const report of generic) core.addToSums(oue, report, s);
    oue.estimate(s);
  });
  return [
    { name: 'OUE k=64 aggregate (packed reports, bit-sliced BitCounter) + estimate', value: rate, unit: 'reports/s', ...atLeast(rate, 20_000_000) },
    { name: 'OUE k=64 aggregate (generic addToSums) + estimate, same reports', value: Math.round(generic.length / genericSeconds), unit: 'reports/s' },
  ];
}

/**
 * Issue 13: OUE k = 1024 ε = 2, against the per-bit code it replaced, timed in the same process
 * with the two alternating (baseline, current, baseline, …) so that machine noise hits both alike;
 * the ratio is the median of the per-pair ratios.
 */
function oueAgainstPerBit(rng: core.RandomSampler): CaseFigures {
  const k = 1024;
  const oue = new core.OptimizedUnaryEncoding({ k, epsilon: 2 });
  const label = 'oue k=1024 ε=2';
  const pairs = isQuick ? 3 : 9;
  const compare = (baseline: () => void, baselineCount: number, current: () => void, currentCount: number) => {
    baseline();
    current(); // warm-up
    const baseRates: number[] = [];
    const rates: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      let start = performance.now();
      baseline();
      const baseRate = baselineCount / ((performance.now() - start) / 1000);
      start = performance.now();
      current();
      const rate = currentCount / ((performance.now() - start) / 1000);
      baseRates.push(baseRate);
      rates.push(rate);
      ratios.push(rate / baseRate);
    }
    return { baseline: Math.round(median(baseRates)), current: Math.round(median(rates)), ratio: median(ratios) };
  };

  const baseCount = isQuick ? 5_000 : 30_000;
  const count = baseCount * 10;
  const randomized = compare(
    () => {
      for (let i = 0; i < baseCount; i++) perBitUnaryRandomize(oue, i % k, rng, new Uint8Array(oue.byteLength));
    },
    baseCount,
    () => {
      for (let i = 0; i < count; i++) oue.randomize(i % k, rng);
    },
    count,
  );
  // The same two samplers writing into one reused buffer: the sampling alone, without the
  // allocation of a 128-byte report (outside the JS heap), which both pay equally above.
  const out = new Uint8Array(oue.byteLength);
  const sampled = compare(
    () => {
      for (let i = 0; i < baseCount; i++) perBitUnaryRandomize(oue, i % k, rng, out.fill(0));
    },
    baseCount,
    () => {
      for (let i = 0; i < count; i++) oue.randomizeInto(i % k, rng, out);
    },
    count,
  );
  let kept: Uint8Array | undefined;
  const allocated = compare(
    () => {
      for (let i = 0; i < count; i++) kept = new Uint8Array(oue.byteLength);
    },
    count,
    () => {
      for (let i = 0; i < count; i++) kept = new Uint8Array(oue.byteLength);
    },
    count,
  );
  if (kept?.length !== oue.byteLength) throw new Error('unreachable');

  // Both count the same reports (100,000 separate 128-byte arrays: 13 MB, more than the caches).
  const reports = Array.from({ length: isQuick ? 20_000 : 100_000 }, (_, i) => oue.randomize(i % k, rng));
  const baseReports = reports;
  const aggregated = compare(
    () => {
      const sums = new Float64Array(oue.sumsLength);
      for (const report of baseReports) perBitAddToSums(report, sums);
      oue.estimate(sums);
    },
    baseReports.length,
    () => {
      const sums = new Float64Array(oue.sumsLength);
      oue.addAllToSums(reports, sums);
      oue.estimate(sums);
    },
    reports.length,
  );
  const figures = (what: string, r: typeof randomized, path: string): Figure[] => [
    { name: `${what}`, value: r.current, unit: 'reports/s' },
    { name: `${what}: per-bit baseline (${path}, same process)`, value: r.baseline, unit: 'reports/s' },
    { name: `${what} / per-bit baseline`, value: Number(r.ratio.toFixed(2)), unit: '× (median of paired runs)', target: '≥ 10', pass: r.ratio >= 10 },
  ];
  // What allocating the report alone allows: (baseline time per report) / (allocation time per report).
  const allocationBound = allocated.current / randomized.baseline;
  return {
    randomize: [
      ...figures(`randomize ${label}`, randomized, 'one 32-bit draw per bit, as before issue 13'),
      ...figures(`randomize ${label} into a reused buffer (randomizeInto)`, sampled, 'the same loop into the same buffer'),
      { name: `randomize ${label}: allocating the ${oue.byteLength}-byte report alone (new Uint8Array)`, value: allocated.current, unit: 'reports/s' },
      { name: `randomize ${label}: ratio bound set by that allocation (per-bit time / allocation time)`, value: Number(allocationBound.toFixed(2)), unit: '×' },
    ],
    aggregate: figures(`aggregate + estimate ${label} (addAllToSums)`, aggregated, 'addToSums one set bit at a time, as before issue 13'),
  };
}

/** The unary randomizer as it was before issue 13: one uint32() < threshold per bit. Kept as the baseline. */
function perBitUnaryRandomize(m: core.UnaryRandomizer, value: number, rng: core.RandomSampler, bits: Uint8Array): Uint8Array {
  const { k, otherBitThreshold, trueBitThreshold } = m;
  for (let j = 0; j < k; j++) {
    if (rng.uint32() < (j === value ? trueBitThreshold : otherBitThreshold)) bits[j >> 3]! |= 1 << (j & 7);
  }
  return bits;
}

/** addBitsToSums as it was before issue 13: one set bit at a time. Kept as the baseline. */
function perBitAddToSums(report: Uint8Array, sums: Float64Array): void {
  sums[0]! += 1;
  for (let i = 0; i < report.length; i++) {
    let byte = report[i]!;
    while (byte !== 0) {
      const bit = 31 - Math.clz32(byte & -byte);
      sums[1 + i * 8 + bit]! += 1;
      byte &= byte - 1;
    }
  }
}

const caseArgument = process.argv.find((a) => a.startsWith('--case='))?.slice('--case='.length);
if (caseArgument !== undefined) {
  process.stdout.write(`${JSON.stringify(runCase(caseArgument))}\n`);
} else {
  const all: CaseFigures = { randomize: [], aggregate: [] };
  for (const id of [...Object.keys(CASES), 'oue-bitcounter', 'oue-1024']) {
    process.stderr.write(`  throughput: ${id}\n`);
    // Same interpreter flags (tsx loader, source conditions) as this process.
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, `--case=${id}`, ...(isQuick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`throughput case ${id} failed (exit ${child.status})`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as CaseFigures;
    all.randomize.push(...result.randomize);
    all.aggregate.push(...result.aggregate);
  }
  const figures = [...all.randomize, ...all.aggregate];
  printFigures(figures);
  const notes = [
    `One process per case. Randomize over ${randomizeBase.toLocaleString('en-US')} reports (fewer for OLH, RAPPOR and multiselect with OLH), aggregate + estimate over up to ${aggregateBase.toLocaleString('en-US')}; median of ${repetitions} repetitions after a warm-up, ` +
      'production random source (crypto.getRandomValues). Aggregation times exclude wire decoding; the OUE target figure counts reports already packed as 32-bit words.',
    'OUE k=1024 (issue 13): the per-bit baseline is the code before issue 13, kept in bench/throughput.ts and timed in the same process as the new path, alternating (9 pairs; the ratio is the median of the pair ratios). ' +
      '"randomize" returns a new 128-byte report each time; allocating it alone (off the JS heap above 64 bytes) is timed too, and per-bit time / allocation time bounds the ratio any sampler can reach there. ' +
      '"into a reused buffer" is the sampling alone (randomizeInto; the baseline writes into a zeroed reused buffer). Aggregation: addAllToSums (reports copied 128 at a time into 32-bit words, bit-sliced Harley–Seal counter) against addToSums one set bit at a time, over the same 100,000 reports.',
  ];
  console.log(`wrote ${writeStep('throughput', figures, { notes })}`);
}
