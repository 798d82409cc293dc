export * from './errors.ts';
export * from './validate.ts';
export * from './random/source.ts';
export * from './random/sampler.ts';
export * from './exact/thresholds.ts';
export * from './exact/rational.ts';
export * from './mechanisms/types.ts';
export * from './mechanisms/pure-protocol.ts';
export { BinaryRandomizedResponse, type BinaryRrOptions } from './mechanisms/binary-rr.ts';
export { GeneralizedRandomizedResponse, type GrrOptions } from './mechanisms/grr.ts';
export {
  DEFAULT_GRID_SIZE,
  GridNumericMechanism,
  MAX_GRID_SIZE,
  type GridKernel,
  type NumericMechanism,
  type NumericOptions,
} from './mechanisms/numeric.ts';
export { DuchiKernel, DuchiMechanism, duchiOutputMagnitude, duchiVariance, duchiWorstCaseVariance } from './mechanisms/duchi.ts';
export { PiecewiseKernel, PiecewiseMechanism, piecewiseVariance, piecewiseWorstCaseVariance } from './mechanisms/piecewise.ts';
export { HYBRID_EPSILON_STAR, HybridKernel, HybridMechanism, hybridPiecewiseProbability, hybridVariance, hybridWorstCaseVariance } from './mechanisms/hybrid.ts';
export { PaddingAndSampling, type PaddingSamplingInner, type PaddingSamplingOptions, type PrevalenceEstimate } from './mechanisms/padding-sampling.ts';
