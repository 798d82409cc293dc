export { addAllToSums, addToSums, DenseSums, sparseContribution, type SparseCells } from './cells.ts';
export { Accumulator, mechanismFingerprint, type AccumulatorJson } from './accumulator.ts';
export { consistentEstimate, normSub, type ConsistentFrequencyEstimate, type NormSubOptions } from './consistency.ts';
