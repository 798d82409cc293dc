export { hasSetBitModel, setBitCount, setBitModel, type BitMechanismShape, type SetBitModel } from './set-bit-model.ts';
export { MIN_EXPECTED, logChiSquareSurvival, mixturePmf, poolBins, setBitFit, type FitResult } from './fit-test.ts';
export { fitMixtureWeights } from './mixture-weights.ts';
export { DEFAULT_INTEGRITY_ALPHA, notApplicableReason, plausibility, type HistogramPart, type IntegritySignal, type IntegrityStatus } from './plausibility.ts';
export { EXCESS_ALPHA, recoverFrequencies, type Recovery, type RecoveryInput } from './ldp-recover.ts';
