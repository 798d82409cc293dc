export * from './errors.ts';
export * from './validate.ts';
export * from './random/source.ts';
export * from './random/sampler.ts';
export * from './exact/thresholds.ts';
export * from './exact/rational.ts';
export * from './mechanisms/types.ts';
export {
  MECHANISM_REGISTRY,
  isMechanismName,
  isTwoLevelName,
  mechanismMeta,
  mechanismsFor,
  paddingInners,
  type MechanismFor,
  type MechanismMeta,
  type MechanismWithEstimate,
  type MechanismWithLevels,
  type PaddingInnerName,
  type QuestionTypeName,
} from './mechanisms/registry.ts';
export * from './mechanisms/estimand.ts';
export * from './mechanisms/pure-protocol.ts';
export { BinaryRandomizedResponse, BinaryRrRandomizer, type BinaryRrOptions } from './mechanisms/binary-rr.ts';
export { GeneralizedRandomizedResponse, GrrRandomizer, type GrrOptions } from './mechanisms/grr.ts';
export {
  DEFAULT_GRID_SIZE,
  GridNumericMechanism,
  GridNumericRandomizer,
  MAX_GRID_SIZE,
  type GridKernel,
  type NumericMechanism,
  type NumericOptions,
  type NumericSettings,
} from './mechanisms/numeric.ts';
export { DuchiKernel, DuchiMechanism, DuchiRandomizer, duchiOutputMagnitude, duchiVariance, duchiWorstCaseVariance } from './mechanisms/duchi.ts';
export { PiecewiseKernel, PiecewiseMechanism, PiecewiseRandomizer, piecewiseVariance, piecewiseWorstCaseVariance } from './mechanisms/piecewise.ts';
export { HYBRID_EPSILON_STAR, HybridKernel, HybridMechanism, HybridRandomizer, hybridPiecewiseProbability, hybridVariance, hybridWorstCaseVariance } from './mechanisms/hybrid.ts';
export { PaddingAndSampling, PaddingSamplingRandomizer, type PaddingSamplingInner, type PaddingSamplingOptions, type PrevalenceEstimate } from './mechanisms/padding-sampling.ts';
export { UnaryEncoding, UnaryRandomizer, base64UrlDecode, base64UrlEncode, unaryWorstRatio, type UnaryEncodingOptions, type UnaryThresholds } from './mechanisms/unary-encoding.ts';
export { SueRandomizer, SymmetricUnaryEncoding, sueThresholds, type SueOptions } from './mechanisms/sue.ts';
export { OptimizedUnaryEncoding, OueRandomizer, oueThresholds, type OueOptions } from './mechanisms/oue.ts';
export { OLH_MAX_G, OlhRandomizer, OptimizedLocalHashing, xxh32Uint32, type OlhOptions, type OlhReport } from './mechanisms/olh.ts';
export { HadamardRandomizer, HadamardResponse, fastWalshHadamard, type HadamardOptions } from './mechanisms/hadamard.ts';
export {
  Rappor,
  RapporRandomizer,
  RAPPOR_MAX_COHORTS,
  HARDENED_MIN_SECRET_BYTES,
  rapporOneReportEpsilon,
  rapporPermanentEpsilon,
  rapporReportProbabilities,
  type RapporInput,
  type RapporOptions,
  type RapporReport,
} from './mechanisms/rappor.ts';
export {
  bitsAt,
  bloomBitIndices,
  googlePyBloomIndices,
  hardenedBloomIndices,
  hardenedBloomMessages,
  permanentBitsFromMasks,
  prrMasksFromDigests,
  prrMessages,
  type RapporEncoding,
  type RapporMode,
} from './mechanisms/rappor-bloom.ts';
export {
  estimateBloomCounts,
  rapporBitCountVariance,
  rapporBitProbabilities,
  type RapporBitEstimate,
  type RapporCohortEstimate,
  type RapporProbabilities,
  type RapporShape,
} from './mechanisms/rappor-estimate.ts';
export * from './exact/upward-ratio.ts';
export {
  buildCandidateMap,
  decodeRappor,
  normalQuantile,
  RAPPOR_MAX_TESTED_SHARES,
  type RapporCandidateEstimate,
  type RapporDetectedCandidate,
  type RapporUndetectedCandidate,
  type RapporCandidateMap,
  type RapporDecodeOptions,
  type RapporDecodeResult,
  type RapporHasher,
} from './mechanisms/rappor-decode.ts';
export {
  DEFAULT_DETECTION_ALPHA,
  DEFAULT_DETECTION_POWER,
  detectionLimit,
  detectionThreshold,
  rapporStandardErrorAtZero,
  type DetectionLimitInput,
  type RapporDesign,
} from './mechanisms/rappor-detection.ts';
export { csvField, rapporCountsCsv, rapporMapCsv, rapporParamsCsv, type RapporParamsRow } from './mechanisms/rappor-files.ts';
export * from './planner.ts';
export * from './campaign/schema.ts';
export * from './campaign/validate.ts';
export * from './campaign/plan.ts';
export * from './campaign/levels.ts';
export * from './campaign/level-policy.ts';
export * from './mechanisms/longitudinal/mixed-levels.ts';
export {
  createQuestionMechanism,
  createQuestionRandomizer,
  isLongitudinalMechanism,
  multiselectInner,
  questionLevels,
  resolvedMechanismName,
  stringIndex,
  type AnyMechanism,
  type AnyRandomizer,
  type QuestionMechanismOptions,
} from './campaign/mechanism.ts';
export * from './wire/ids.ts';
export * from './wire/schema.ts';
export * from './tokens/context.ts';
export * from './tokens/key-list.ts';
export * from './wire/validate.ts';
export { issuePath, issuesToError } from './wire/issues.ts';
export { roundUpEpsilon, shuffleAmplifiedEpsilon, shuffleMaxLocalEpsilon, type ShuffleAmplification, type ShuffleInput } from './shuffle.ts';
export * from './aggregate/index.ts';
export {
  LONGITUDINAL_SELECTION_ORDER,
  longitudinalFrequencyRandomizer,
  olhHashRange,
  scoreLongitudinal,
  scoreMechanism,
  scoreMechanisms,
  selectLongitudinalMechanism,
  selectMechanism,
  SELECTION_ORDER,
  type LongitudinalScore,
  type MechanismScore,
  type SelectableMechanism,
  type SelectOptions,
} from './select.ts';
export {
  LONGITUDINAL_FREQUENCY_NAMES,
  exactlyWithin,
  isTwoLevel,
  randomizeTwoLevel,
  type AnyTwoLevelRandomizer,
  type LongitudinalMechanismName,
  type TwoLevelRandomizer,
} from './mechanisms/longitudinal/two-level.ts';
export { LgrrRandomizer, LongitudinalGrr, grrStep, lgrrChained, lgrrLevels, type LgrrLevels, type LongitudinalOptions } from './mechanisms/longitudinal/l-grr.ts';
export { LongitudinalUnaryEncoding, LueRandomizer, lueChained, unaryChainedRatio, type LueName } from './mechanisms/longitudinal/l-ue.ts';
export { LOLOHA_PRIMES, Loloha, LolohaRandomizer, lolohaBestG, type LolohaOptions, type LolohaReport } from './mechanisms/longitudinal/loloha.ts';
export { AlphaOneBitMean, AlphaOneBitRandomizer, type AlphaOneBitOptions } from './mechanisms/longitudinal/alpha-1bit.ts';
export * from './integrity/index.ts';
