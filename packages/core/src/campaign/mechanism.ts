/**
 * `createQuestionMechanism`: the one place that turns a campaign question into the exact Mechanism
 * instance — called by the SDK to randomize and by the collector to debias, so both use the same
 * parameters. `auto` is resolved deterministically from the question alone:
 *
 * - boolean → binary randomized response (it is GRR with k = 2, and the optimum there);
 * - categorical → selectMechanism(k, ε, {maxBits}) (least variance at f ≈ 0, select.ts);
 * - multiselect → padding-and-sampling with the inner oracle (GRR or OLH over k + L values) of
 *   lower variance (Wang, Li, Jha, S&P 2018 §IV);
 * - numeric → Hybrid (Wang et al., ICDE 2019: its worst-case variance is ≤ Duchi's and PM's for every ε);
 * - string → RAPPOR with the question's parameters.
 *
 * With `epsilonPermanent` (a permanent level, docs/privacy-model.md "Longitudinal") `auto` picks
 * the two-level form instead: boolean → L-GRR (k = 2); categorical → the least-variance one of
 * L-GRR, LOLOHA and the L-UE family (selectLongitudinalMechanism); multiselect → padding-and-
 * sampling over L-GRR or LOLOHA; numeric → alpha-1bit (α-point rounding, Ding et al. 2017);
 * string → LOLOHA over the candidates plus "other" (stringIndex). A one-level mechanism with
 * epsilonPermanent, or a two-level one without it, is CAMPAIGN_INVALID.
 *
 * `createQuestionRandomizer` builds only the device half of the same mechanism (the `XRandomizer`
 * classes), with the same checks; the SDK's worker uses it so its bundle carries no estimator.
 */
import { PrivacyError } from '../errors.ts';
import { BinaryRandomizedResponse, BinaryRrRandomizer } from '../mechanisms/binary-rr.ts';
import { DuchiMechanism, DuchiRandomizer } from '../mechanisms/duchi.ts';
import { GeneralizedRandomizedResponse, GrrRandomizer } from '../mechanisms/grr.ts';
import { HadamardRandomizer, HadamardResponse } from '../mechanisms/hadamard.ts';
import { HybridMechanism, HybridRandomizer } from '../mechanisms/hybrid.ts';
import { OlhRandomizer, OptimizedLocalHashing } from '../mechanisms/olh.ts';
import { OptimizedUnaryEncoding, OueRandomizer } from '../mechanisms/oue.ts';
import { PaddingAndSampling, PaddingSamplingRandomizer, type PaddingSamplingInner, type PaddingSamplingOptions } from '../mechanisms/padding-sampling.ts';
import { PiecewiseMechanism, PiecewiseRandomizer } from '../mechanisms/piecewise.ts';
import { Rappor, RapporRandomizer, type RapporOptions } from '../mechanisms/rappor.ts';
import { SueRandomizer, SymmetricUnaryEncoding } from '../mechanisms/sue.ts';
import type { FrequencyMechanismName, FrequencyOracle, Mechanism, MechanismName, Randomizer } from '../mechanisms/types.ts';
import type { GridNumericRandomizer, NumericMechanism, NumericOptions } from '../mechanisms/numeric.ts';
import { AlphaOneBitMean, AlphaOneBitRandomizer, type AlphaOneBitOptions } from '../mechanisms/longitudinal/alpha-1bit.ts';
import { LgrrRandomizer, LongitudinalGrr, type LongitudinalOptions } from '../mechanisms/longitudinal/l-grr.ts';
import { LongitudinalUnaryEncoding, LueRandomizer, type LueName } from '../mechanisms/longitudinal/l-ue.ts';
import { Loloha, LolohaRandomizer, type LolohaOptions } from '../mechanisms/longitudinal/loloha.ts';
import { LONGITUDINAL_FREQUENCY_NAMES, type LongitudinalMechanismName } from '../mechanisms/longitudinal/two-level.ts';
import { scoreLongitudinal, scoreMechanism, selectLongitudinalMechanism, selectMechanism } from '../select.ts';
import type { BooleanQuestion, CategoricalQuestion, MultiselectQuestion, NumericQuestion, Question, StringQuestion } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMechanism = Mechanism<any, any, any>;
/** The device half of a question's mechanism (RAPPOR's has no `randomize`: see rappor.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRandomizer = Randomizer<any, any> | RapporRandomizer;

export interface QuestionMechanismOptions {
  /** Campaign id, for RAPPOR's default metric id `<campaignId>/<questionId>`. */
  campaignId?: string;
}

/** The classes one factory builds from: the full mechanisms, or only their device halves. */
interface Builders {
  'binary-rr': new (options: { epsilon: number }) => AnyRandomizer;
  grr: new (options: { k: number; epsilon: number }) => AnyRandomizer;
  sue: new (options: { k: number; epsilon: number }) => AnyRandomizer;
  oue: new (options: { k: number; epsilon: number }) => AnyRandomizer;
  olh: new (options: { k: number; epsilon: number }) => AnyRandomizer;
  hadamard: new (options: { k: number; epsilon: number }) => AnyRandomizer;
  'padding-sampling': new (options: PaddingSamplingOptions) => AnyRandomizer;
  duchi: new (options: NumericOptions) => AnyRandomizer;
  piecewise: new (options: NumericOptions) => AnyRandomizer;
  hybrid: new (options: NumericOptions) => AnyRandomizer;
  rappor: new (options: RapporOptions) => RapporRandomizer;
  'l-grr': new (options: LongitudinalOptions) => AnyRandomizer;
  /** The L-UE family shares one class, told its name. */
  lue: new (name: LueName, options: LongitudinalOptions) => AnyRandomizer;
  loloha: new (options: LolohaOptions) => AnyRandomizer;
  'alpha-1bit': new (options: AlphaOneBitOptions) => AnyRandomizer;
}

const MECHANISMS: Builders = {
  'binary-rr': BinaryRandomizedResponse,
  grr: GeneralizedRandomizedResponse,
  sue: SymmetricUnaryEncoding,
  oue: OptimizedUnaryEncoding,
  olh: OptimizedLocalHashing,
  hadamard: HadamardResponse,
  'padding-sampling': PaddingAndSampling,
  duchi: DuchiMechanism,
  piecewise: PiecewiseMechanism,
  hybrid: HybridMechanism,
  rappor: Rappor,
  'l-grr': LongitudinalGrr,
  lue: LongitudinalUnaryEncoding,
  loloha: Loloha,
  'alpha-1bit': AlphaOneBitMean,
};

const RANDOMIZERS: Builders = {
  'binary-rr': BinaryRrRandomizer,
  grr: GrrRandomizer,
  sue: SueRandomizer,
  oue: OueRandomizer,
  olh: OlhRandomizer,
  hadamard: HadamardRandomizer,
  'padding-sampling': PaddingSamplingRandomizer,
  duchi: DuchiRandomizer,
  piecewise: PiecewiseRandomizer,
  hybrid: HybridRandomizer,
  rappor: RapporRandomizer,
  'l-grr': LgrrRandomizer,
  lue: LueRandomizer,
  loloha: LolohaRandomizer,
  'alpha-1bit': AlphaOneBitRandomizer,
};

export function createQuestionMechanism(question: BooleanQuestion): BinaryRandomizedResponse;
export function createQuestionMechanism(question: CategoricalQuestion): FrequencyOracle;
export function createQuestionMechanism(question: MultiselectQuestion): PaddingAndSampling;
export function createQuestionMechanism(question: NumericQuestion): NumericMechanism;
export function createQuestionMechanism(question: StringQuestion, options?: QuestionMechanismOptions): Rappor;
export function createQuestionMechanism(question: Question, options?: QuestionMechanismOptions): AnyMechanism;
export function createQuestionMechanism(question: Question, options: QuestionMechanismOptions = {}): AnyMechanism {
  return build(question, options, MECHANISMS) as AnyMechanism;
}

/**
 * The device half of the same mechanism, with the same parameters and the same construction
 * checks — what the SDK's worker randomizes with (a bundle that imports only this leaves every
 * estimator out). `validateCampaign` builds these to check a campaign.
 */
export function createQuestionRandomizer(question: BooleanQuestion): BinaryRrRandomizer;
export function createQuestionRandomizer(question: CategoricalQuestion): Randomizer<number, unknown>;
export function createQuestionRandomizer(question: MultiselectQuestion): PaddingSamplingRandomizer;
export function createQuestionRandomizer(question: NumericQuestion): GridNumericRandomizer;
export function createQuestionRandomizer(question: StringQuestion, options?: QuestionMechanismOptions): RapporRandomizer;
export function createQuestionRandomizer(question: Question, options?: QuestionMechanismOptions): AnyRandomizer;
export function createQuestionRandomizer(question: Question, options: QuestionMechanismOptions = {}): AnyRandomizer {
  return build(question, options, RANDOMIZERS);
}

function build(question: Question, options: QuestionMechanismOptions, classes: Builders): AnyRandomizer {
  const { epsilon } = question;
  const name = resolvedMechanismName(question);
  const twoLevel = isLongitudinalMechanism(name) || (question.type === 'multiselect' && isLongitudinalMechanism(multiselectInner(question)));
  if (twoLevel !== (question.epsilonPermanent !== undefined)) {
    throw new PrivacyError(
      'CAMPAIGN_INVALID',
      'configuration',
      twoLevel
        ? `epsilonPermanent: the two-level ${name} needs ε∞ (what all reports of one answer may reveal), above epsilon`
        : `epsilonPermanent: ${name} has no permanent level (it is charged ε per report); remove epsilonPermanent or use a two-level mechanism`,
      { path: 'epsilonPermanent' },
    );
  }
  const epsilonPermanent = question.epsilonPermanent!;
  switch (question.type) {
    case 'boolean':
      return name === 'l-grr' ? new classes['l-grr']({ k: 2, epsilon, epsilonPermanent }) : new classes['binary-rr']({ epsilon });
    case 'categorical': {
      const k = question.domain.categories.length;
      return frequencyOracle(classes, name as FrequencyMechanismName, k, epsilon, epsilonPermanent);
    }
    case 'multiselect': {
      const k = question.domain.items.length;
      const maxItems = question.domain.maxItems;
      const inner = multiselectInner(question);
      return new classes['padding-sampling']({ k, maxItems, epsilon, inner, ...(isLongitudinalMechanism(inner) ? { epsilonPermanent } : {}) });
    }
    case 'numeric': {
      const { low, high, gridSize, levels } = question.domain;
      if (name === 'alpha-1bit') {
        if (gridSize !== undefined) throw campaignPathError('domain.gridSize', 'alpha-1bit rounds the answer itself; gridSize is for the one-level mechanisms');
        return new classes['alpha-1bit']({ epsilon, epsilonPermanent, low, high, ...(levels === undefined ? {} : { levels }) });
      }
      if (levels !== undefined) throw campaignPathError('domain.levels', 'levels is alpha-1bit\'s; the one-level mechanisms use gridSize');
      const numeric = gridSize === undefined ? { epsilon, low, high } : { epsilon, low, high, gridSize };
      return new classes[name as 'duchi' | 'piecewise' | 'hybrid'](numeric);
    }
    case 'string': {
      if (name === 'loloha') {
        // The answer is one of the candidates or "other": k = candidates + 1 (stringIndex).
        return new classes.loloha({ k: question.domain.candidates.length + 1, epsilon, epsilonPermanent });
      }
      if (question.domain.rappor === undefined) throw campaignPathError('domain.rappor', 'RAPPOR needs its parameters (k, h, m, f, p, q)');
      const { metricId, ...parameters } = question.domain.rappor;
      const rappor = new classes.rappor({ ...parameters, metricId: metricId ?? (options.campaignId === undefined ? question.id : `${options.campaignId}/${question.id}`) });
      // The ledger charges `epsilon`; the RAPPOR parameters must not leak more per report.
      if (rappor.implementedEpsilon > epsilon) {
        throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `domain.rappor: these parameters give ε₁ = ${rappor.implementedEpsilon} per report, above epsilon = ${epsilon}`, { path: 'domain.rappor' });
      }
      return rappor;
    }
  }
}

function frequencyOracle(classes: Builders, name: FrequencyMechanismName, k: number, epsilon: number, epsilonPermanent: number): AnyRandomizer {
  switch (name) {
    case 'l-grr':
      return new classes['l-grr']({ k, epsilon, epsilonPermanent });
    case 'loloha':
      return new classes.loloha({ k, epsilon, epsilonPermanent });
    case 'l-sue':
    case 'l-oue':
    case 'l-osue':
    case 'l-soue':
      return new classes.lue(name, { k, epsilon, epsilonPermanent });
    case 'binary-rr':
      return new classes['binary-rr']({ epsilon });
    default:
      return new classes[name]({ k, epsilon });
  }
}

function campaignPathError(path: string, message: string): PrivacyError {
  return new PrivacyError('CAMPAIGN_INVALID', 'configuration', `${path}: ${message}`, { path });
}

/** Whether a mechanism name is a two-level (longitudinal) one. */
export function isLongitudinalMechanism(name: string): name is LongitudinalMechanismName {
  return name === 'alpha-1bit' || (LONGITUDINAL_FREQUENCY_NAMES as readonly string[]).includes(name);
}

/**
 * The index a string answer has under `loloha`: its candidate's index, or `candidates.length`
 * ("other") for any other string. Exact match, as RAPPOR's decoding matches candidates exactly.
 */
export function stringIndex(question: StringQuestion, value: string): number {
  const index = question.domain.candidates.indexOf(value);
  return index < 0 ? question.domain.candidates.length : index;
}

/** The mechanism name a question resolves to (what the collector shows next to an estimate). */
export function resolvedMechanismName(question: Question): MechanismName {
  const permanent = question.epsilonPermanent;
  switch (question.type) {
    case 'boolean':
      if (question.mechanism !== 'auto') return question.mechanism;
      return permanent === undefined ? 'binary-rr' : 'l-grr';
    case 'categorical': {
      if (question.mechanism !== 'auto') return question.mechanism;
      const k = question.domain.categories.length;
      const bits = question.maxBits === undefined ? {} : { maxBits: question.maxBits };
      return permanent === undefined ? selectMechanism(k, question.epsilon, bits) : selectLongitudinalMechanism(k, question.epsilon, permanent, bits);
    }
    case 'multiselect':
      return 'padding-sampling';
    case 'numeric':
      if (question.mechanism !== 'auto') return question.mechanism;
      return permanent === undefined ? 'hybrid' : 'alpha-1bit';
    case 'string':
      if (question.mechanism !== 'auto') return question.mechanism;
      return permanent === undefined ? 'rappor' : 'loloha';
  }
}

/**
 * The inner oracle over k + L values. One level: GRR or OLH, whichever has the lower variance at
 * f ≈ 0 (ties → GRR). With epsilonPermanent: L-GRR or LOLOHA, likewise (ties → L-GRR).
 */
export function multiselectInner(question: MultiselectQuestion): PaddingSamplingInner {
  if (question.domain.inner !== 'auto') return question.domain.inner;
  const size = question.domain.items.length + question.domain.maxItems;
  if (question.epsilonPermanent !== undefined) {
    const grr = scoreLongitudinal('l-grr', size, question.epsilon, question.epsilonPermanent);
    const loloha = scoreLongitudinal('loloha', size, question.epsilon, question.epsilonPermanent);
    if (grr === undefined) return 'loloha';
    return loloha !== undefined && loloha.unitVariance < grr.unitVariance * (1 - 1e-9) ? 'loloha' : 'l-grr';
  }
  const grr = scoreMechanism('grr', size, question.epsilon).unitVariance;
  const olh = scoreMechanism('olh', size, question.epsilon).unitVariance;
  return olh < grr * (1 - 1e-9) ? 'olh' : 'grr';
}
