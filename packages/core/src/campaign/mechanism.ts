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
import { PaddingAndSampling, PaddingSamplingRandomizer, type PaddingSamplingOptions } from '../mechanisms/padding-sampling.ts';
import { PiecewiseMechanism, PiecewiseRandomizer } from '../mechanisms/piecewise.ts';
import { Rappor, RapporRandomizer, type RapporOptions } from '../mechanisms/rappor.ts';
import { SueRandomizer, SymmetricUnaryEncoding } from '../mechanisms/sue.ts';
import type { FrequencyOracle, Mechanism, MechanismName, Randomizer } from '../mechanisms/types.ts';
import type { GridNumericRandomizer, NumericMechanism, NumericOptions } from '../mechanisms/numeric.ts';
import { scoreMechanism, selectMechanism } from '../select.ts';
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
  switch (question.type) {
    case 'boolean':
      return new classes['binary-rr']({ epsilon });
    case 'categorical': {
      const k = question.domain.categories.length;
      const name = resolvedMechanismName(question) as Exclude<MechanismName, 'binary-rr' | 'padding-sampling' | 'rappor' | 'duchi' | 'piecewise' | 'hybrid'>;
      return new classes[name]({ k, epsilon });
    }
    case 'multiselect': {
      const k = question.domain.items.length;
      const maxItems = question.domain.maxItems;
      return new classes['padding-sampling']({ k, maxItems, epsilon, inner: multiselectInner(question) });
    }
    case 'numeric': {
      const { low, high, gridSize } = question.domain;
      const numeric = gridSize === undefined ? { epsilon, low, high } : { epsilon, low, high, gridSize };
      return new classes[question.mechanism === 'auto' ? 'hybrid' : question.mechanism](numeric);
    }
    case 'string': {
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

/** The mechanism name a question resolves to (what the collector shows next to an estimate). */
export function resolvedMechanismName(question: Question): MechanismName {
  switch (question.type) {
    case 'boolean':
      return 'binary-rr';
    case 'categorical':
      if (question.mechanism !== 'auto') return question.mechanism;
      return selectMechanism(question.domain.categories.length, question.epsilon, question.maxBits === undefined ? {} : { maxBits: question.maxBits });
    case 'multiselect':
      return 'padding-sampling';
    case 'numeric':
      return question.mechanism === 'auto' ? 'hybrid' : question.mechanism;
    case 'string':
      return 'rappor';
  }
}

/** GRR or OLH over k + L values, whichever has the lower variance at f ≈ 0 (ties → GRR). */
export function multiselectInner(question: MultiselectQuestion): 'grr' | 'olh' {
  if (question.domain.inner !== 'auto') return question.domain.inner;
  const size = question.domain.items.length + question.domain.maxItems;
  const grr = scoreMechanism('grr', size, question.epsilon).unitVariance;
  const olh = scoreMechanism('olh', size, question.epsilon).unitVariance;
  return olh < grr * (1 - 1e-9) ? 'olh' : 'grr';
}
