export { Accumulator, mechanismFingerprint, type AccumulatorJson } from './accumulator.ts';
export { consistentEstimate, normSub, type ConsistentFrequencyEstimate, type NormSubOptions } from './consistency.ts';
