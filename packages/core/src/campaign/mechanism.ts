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
 */
import { PrivacyError } from '../errors.ts';
import { BinaryRandomizedResponse } from '../mechanisms/binary-rr.ts';
import { DuchiMechanism } from '../mechanisms/duchi.ts';
import { GeneralizedRandomizedResponse } from '../mechanisms/grr.ts';
import { HadamardResponse } from '../mechanisms/hadamard.ts';
import { HybridMechanism } from '../mechanisms/hybrid.ts';
import { OptimizedLocalHashing } from '../mechanisms/olh.ts';
import { OptimizedUnaryEncoding } from '../mechanisms/oue.ts';
import { PaddingAndSampling } from '../mechanisms/padding-sampling.ts';
import { PiecewiseMechanism } from '../mechanisms/piecewise.ts';
import { Rappor } from '../mechanisms/rappor.ts';
import { SymmetricUnaryEncoding } from '../mechanisms/sue.ts';
import type { FrequencyOracle, Mechanism, MechanismName } from '../mechanisms/types.ts';
import type { NumericMechanism } from '../mechanisms/numeric.ts';
import { scoreMechanism, selectMechanism } from '../select.ts';
import type { BooleanQuestion, CategoricalQuestion, MultiselectQuestion, NumericQuestion, Question, StringQuestion } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMechanism = Mechanism<any, any, any>;

export interface QuestionMechanismOptions {
  /** Campaign id, for RAPPOR's default metric id `<campaignId>/<questionId>`. */
  campaignId?: string;
}

export function createQuestionMechanism(question: BooleanQuestion): BinaryRandomizedResponse;
export function createQuestionMechanism(question: CategoricalQuestion): FrequencyOracle;
export function createQuestionMechanism(question: MultiselectQuestion): PaddingAndSampling;
export function createQuestionMechanism(question: NumericQuestion): NumericMechanism;
export function createQuestionMechanism(question: StringQuestion, options?: QuestionMechanismOptions): Rappor;
export function createQuestionMechanism(question: Question, options?: QuestionMechanismOptions): AnyMechanism;
export function createQuestionMechanism(question: Question, options: QuestionMechanismOptions = {}): AnyMechanism {
  const { epsilon } = question;
  switch (question.type) {
    case 'boolean':
      return new BinaryRandomizedResponse({ epsilon });
    case 'categorical': {
      const k = question.domain.categories.length;
      const name = resolvedMechanismName(question);
      switch (name) {
        case 'grr':
          return new GeneralizedRandomizedResponse({ k, epsilon });
        case 'sue':
          return new SymmetricUnaryEncoding({ k, epsilon });
        case 'oue':
          return new OptimizedUnaryEncoding({ k, epsilon });
        case 'olh':
          return new OptimizedLocalHashing({ k, epsilon });
        default:
          return new HadamardResponse({ k, epsilon });
      }
    }
    case 'multiselect': {
      const k = question.domain.items.length;
      const maxItems = question.domain.maxItems;
      return new PaddingAndSampling({ k, maxItems, epsilon, inner: multiselectInner(question) });
    }
    case 'numeric': {
      const { low, high, gridSize } = question.domain;
      const options = gridSize === undefined ? { epsilon, low, high } : { epsilon, low, high, gridSize };
      if (question.mechanism === 'duchi') return new DuchiMechanism(options);
      if (question.mechanism === 'piecewise') return new PiecewiseMechanism(options);
      return new HybridMechanism(options);
    }
    case 'string': {
      const { metricId, ...parameters } = question.domain.rappor;
      const rappor = new Rappor({ ...parameters, metricId: metricId ?? (options.campaignId === undefined ? question.id : `${options.campaignId}/${question.id}`) });
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
