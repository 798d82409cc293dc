/**
 * `pnpm bench` step "rappor-decode" (issue #6, item 5): RAPPOR decoding time for 10,000 candidate
 * strings, k = 128 Bloom bits, m = 64 cohorts. Target: ≤ 2 s.
 *
 * Reports: n respondents (100,000; 20,000 with --quick) hold values drawn as exact Zipf(1.1)
 * counts over 100 of the 10,000 candidates, plus 5% holding strings outside the candidate list.
 * Each respondent has a random cohort and a fresh 32-byte device secret and reports once through
 * the real client path, `Rappor.randomize` (hardened-v1 Bloom filter → HMAC-SHA256 PRR → IRR), with
 * Google's usual h = 2, f = 0.5, p = 0.5, q = 0.75, seeded (simulate.ts) so the run is reproducible.
 *
 * Timed separately, each the median of a few repetitions:
 *  - map build: `buildCandidateMap` (10,000 × 64 hardened-v1 Bloom hashes), done once per campaign
 *    and cacheable, so not part of the target;
 *  - decode (the target): `rappor.estimate(sums)` (per-cohort, per-bit debias) + `decodeRappor`
 *    (sparse design, NNLS, standard errors, Bonferroni detection, refit) from the summed reports.
 * Also reported: whether the 10 most frequent true values were detected, and detections of
 * candidates nobody held (false positives).
 */
import { addToSums, buildCandidateMap, decodeRappor, Rappor } from '../src/index.ts';
import { atMost, isQuick, median, printFigures, writeStep, type Figure } from './results.ts';
import { progress, seededSampler, zipfCounts } from './simulate.ts';

const CANDIDATES = 10_000;
const OPTIONS = { k: 128, h: 2, m: 64, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1' as const, metricId: 'bench/rappor-decode' };
const N = isQuick ? 20_000 : 100_000;
const TRUE_VALUES = 100;
const OUTSIDE_SHARE = 0.05;
const TOP = 10;
const MAP_REPETITIONS = isQuick ? 1 : 3;
const DECODE_REPETITIONS = isQuick ? 3 : 5;

const rappor = new Rappor(OPTIONS);
const candidates = Array.from({ length: CANDIDATES }, (_, i) => `symptom-${String(i).padStart(5, '0')}`);
// The held candidates are spread over the list (every 97th), not its first entries.
const held = Array.from({ length: TRUE_VALUES }, (_, i) => candidates[(i * 97) % CANDIDATES]!);
const inside = zipfCounts(TRUE_VALUES, Math.round(N * (1 - OUTSIDE_SHARE)), 1.1);
const outside = zipfCounts(50, N - inside.reduce((a, b) => a + b, 0), 1.1);
const population: Array<[string, number]> = [...held.map((value, i): [string, number] => [value, inside[i]!]), ...outside.map((c, i): [string, number] => [`not-a-candidate-${i}`, c])];

const rng = seededSampler('bench/rappor-decode reports');
const sums = new Float64Array(rappor.sumsLength);
const secret = new Uint8Array(32);
let simulated = 0;
const simulateStarted = performance.now();
for (const [value, count] of population) {
  for (let j = 0; j < count; j++) {
    rng.bytesInto(secret); // a fresh device: new secret, so an independent PRR
    addToSums(rappor, rappor.randomize({ value, cohort: rng.uniformInt(OPTIONS.m), secret }, rng), sums);
    if (++simulated % 20_000 === 0) progress(`rappor-decode: ${simulated.toLocaleString('en-US')} / ${N.toLocaleString('en-US')} reports simulated`);
  }
}
const simulateSeconds = (performance.now() - simulateStarted) / 1000;

function timeMedian<T>(repetitions: number, label: string, run: () => T): { seconds: number; samples: number[]; result: T } {
  const samples: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    result = run();
    samples.push((performance.now() - start) / 1000);
    progress(`rappor-decode: ${label} ${i + 1}/${repetitions}: ${samples.at(-1)!.toFixed(3)} s`);
  }
  return { seconds: median(samples), samples, result: result! };
}

const mapTiming = timeMedian(MAP_REPETITIONS, 'map build', () => buildCandidateMap(rappor, candidates));
const map = mapTiming.result;
const decodeTiming = timeMedian(DECODE_REPETITIONS, 'decode', () => decodeRappor(rappor.estimate(sums), map));
const decoded = decodeTiming.result;

const truth = new Map(population.map(([value, count]) => [value, count / N]));
const topTrue = held.slice(0, TOP); // Zipf counts decrease with the index
const detectedSet = new Set(decoded.detected.map((d) => d.candidate));
const topDetected = topTrue.filter((value) => detectedSet.has(value)).length;
const falseDetections = decoded.detected.filter((d) => !truth.has(d.candidate)).map((d) => d.candidate);
// A held value's detection limit hardly depends on its share: the median over the top values is typical.
const typicalLimit = median(topTrue.map((value) => decoded.candidates.find((c) => c.candidate === value)!.detectionLimit));
const heldDetected = decoded.detected.filter((d) => truth.has(d.candidate)).length;

const figures: Figure[] = [
  { name: `decode: estimate + decodeRappor, ${CANDIDATES.toLocaleString('en-US')} candidates, k=${OPTIONS.k}, m=${OPTIONS.m}, n=${N.toLocaleString('en-US')}`, value: decodeTiming.seconds, unit: 's (median)', ...atMost(decodeTiming.seconds, 2) },
  { name: `candidate map build, ${CANDIDATES.toLocaleString('en-US')} candidates × ${OPTIONS.m} cohorts (once per campaign, cacheable)`, value: mapTiming.seconds, unit: 's (median)' },
  { name: `true top-${TOP} values detected`, value: `${topDetected} / ${TOP}`, unit: 'values' },
  { name: `held values detected (of ${TRUE_VALUES} held candidates)`, value: heldDetected, unit: 'values' },
  { name: 'false detections (candidates nobody held)', value: falseDetections.length, unit: 'values' },
];
printFigures(figures);
const notes = [
  `RAPPOR ${OPTIONS.mode}, k=${OPTIONS.k}, h=${OPTIONS.h}, m=${OPTIONS.m}, f=${OPTIONS.f}, p=${OPTIONS.p}, q=${OPTIONS.q} (ε₁ = ${rappor.implementedEpsilon.toFixed(3)}); ${N.toLocaleString('en-US')} reports through Rappor.randomize (fresh secret per respondent, seeded), simulated in ${simulateSeconds.toFixed(1)} s: ` +
    `Zipf(1.1) over ${TRUE_VALUES} of the ${CANDIDATES.toLocaleString('en-US')} candidates plus ${OUTSIDE_SHARE * 100}% outside the list. ` +
    `The decode time covers rappor.estimate(sums) and decodeRappor (median of ${DECODE_REPETITIONS}: ${decodeTiming.samples.map((s) => s.toFixed(2)).join(', ')} s); building the candidate map (median of ${MAP_REPETITIONS}) is separate. ` +
    `${decoded.detected.length} candidate(s) detected (z > ${decoded.zThreshold.toFixed(2)}; a candidate's detection limit, the share detected with probability ${decoded.detectionPower}, is ≈ ${typicalLimit.toFixed(3)} here: smaller shares are not reliably detected at this n), unexplained mass ${decoded.unexplainedMass.toFixed(3)} (true share outside the list or undetected: ${(1 - decoded.detected.reduce((s, d) => s + (truth.get(d.candidate) ?? 0), 0)).toFixed(3)}).`,
];
const details = {
  options: OPTIONS,
  n: N,
  candidates: CANDIDATES,
  mapSeconds: mapTiming.samples,
  decodeSeconds: decodeTiming.samples,
  sweeps: decoded.sweeps,
  zThreshold: decoded.zThreshold,
  unexplainedMass: decoded.unexplainedMass,
  backgroundShare: decoded.backgroundShare,
  falseDetections,
  top: topTrue.map((value) => {
    const estimate = decoded.candidates.find((c) => c.candidate === value)!;
    return { value, trueShare: truth.get(value)!, estimate: estimate.proportion, standardError: estimate.standardError, detected: estimate.detected };
  }),
};
console.log(`wrote ${writeStep('rappor-decode', figures, { notes, details })}`);
