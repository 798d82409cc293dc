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
import type { FrequencyMechanismName, FrequencyOracle, Mechanism, MechanismName, NumericMechanismName, Randomizer } from '../mechanisms/types.ts';
import type { GridNumericRandomizer, NumericMechanism, NumericOptions } from '../mechanisms/numeric.ts';
import { AlphaOneBitMean, AlphaOneBitRandomizer, type AlphaOneBitOptions } from '../mechanisms/longitudinal/alpha-1bit.ts';
import { LgrrRandomizer, LongitudinalGrr } from '../mechanisms/longitudinal/l-grr.ts';
import { LongitudinalUnaryEncoding, LueRandomizer } from '../mechanisms/longitudinal/l-ue.ts';
import { Loloha, lolohaBestG, LolohaRandomizer } from '../mechanisms/longitudinal/loloha.ts';
import type { LongitudinalMechanismName } from '../mechanisms/longitudinal/two-level.ts';
import { isTwoLevelName } from '../mechanisms/registry.ts';
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
  /**
   * The report's privacy level: one of the question's `levels` (ε₁), default `epsilon`. The
   * permanent level does not depend on it (levels.ts): LOLOHA's g is the default level's.
   */
  level?: number;
}

/** Construction options by the kind of question a mechanism serves. */
interface FrequencyOptions {
  k: number;
  epsilon: number;
  /** Two-level forms only. */
  epsilonPermanent?: number;
  /** LOLOHA only: the hash range, pinned to the default level's so that every level shares it. */
  g?: number;
}
type OptionsOf<K extends MechanismName> = K extends 'padding-sampling'
  ? PaddingSamplingOptions
  : K extends 'rappor'
    ? RapporOptions
    : K extends 'alpha-1bit'
      ? AlphaOneBitOptions
      : K extends NumericMechanismName
        ? NumericOptions
        : FrequencyOptions;

/**
 * One factory per registry name (mechanisms/registry.ts): the full mechanisms, or only their device
 * halves. Keyed by MechanismName, so a name added to the registry without its classes does not compile.
 */
type Builders = { [K in MechanismName]: (options: OptionsOf<K>) => K extends 'rappor' ? RapporRandomizer : AnyRandomizer };
type Frequency = FrequencyOptions & { epsilonPermanent: number };

const MECHANISMS: Builders = {
  'binary-rr': (o) => new BinaryRandomizedResponse(o),
  grr: (o) => new GeneralizedRandomizedResponse(o),
  sue: (o) => new SymmetricUnaryEncoding(o),
  oue: (o) => new OptimizedUnaryEncoding(o),
  olh: (o) => new OptimizedLocalHashing(o),
  hadamard: (o) => new HadamardResponse(o),
  'padding-sampling': (o) => new PaddingAndSampling(o),
  duchi: (o) => new DuchiMechanism(o),
  piecewise: (o) => new PiecewiseMechanism(o),
  hybrid: (o) => new HybridMechanism(o),
  rappor: (o) => new Rappor(o),
  'l-grr': (o) => new LongitudinalGrr(o as Frequency),
  'l-sue': (o) => new LongitudinalUnaryEncoding('l-sue', o as Frequency),
  'l-oue': (o) => new LongitudinalUnaryEncoding('l-oue', o as Frequency),
  'l-osue': (o) => new LongitudinalUnaryEncoding('l-osue', o as Frequency),
  'l-soue': (o) => new LongitudinalUnaryEncoding('l-soue', o as Frequency),
  loloha: (o) => new Loloha(o as Frequency),
  'alpha-1bit': (o) => new AlphaOneBitMean(o),
};

const RANDOMIZERS: Builders = {
  'binary-rr': (o) => new BinaryRrRandomizer(o),
  grr: (o) => new GrrRandomizer(o),
  sue: (o) => new SueRandomizer(o),
  oue: (o) => new OueRandomizer(o),
  olh: (o) => new OlhRandomizer(o),
  hadamard: (o) => new HadamardRandomizer(o),
  'padding-sampling': (o) => new PaddingSamplingRandomizer(o),
  duchi: (o) => new DuchiRandomizer(o),
  piecewise: (o) => new PiecewiseRandomizer(o),
  hybrid: (o) => new HybridRandomizer(o),
  rappor: (o) => new RapporRandomizer(o),
  'l-grr': (o) => new LgrrRandomizer(o as Frequency),
  'l-sue': (o) => new LueRandomizer('l-sue', o as Frequency),
  'l-oue': (o) => new LueRandomizer('l-oue', o as Frequency),
  'l-osue': (o) => new LueRandomizer('l-osue', o as Frequency),
  'l-soue': (o) => new LueRandomizer('l-soue', o as Frequency),
  loloha: (o) => new LolohaRandomizer(o as Frequency),
  'alpha-1bit': (o) => new AlphaOneBitRandomizer(o),
};

export function createQuestionMechanism(question: BooleanQuestion): BinaryRandomizedResponse;
export function createQuestionMechanism(question: CategoricalQuestion): FrequencyOracle;
export function createQuestionMechanism(question: MultiselectQuestion): PaddingAndSampling;
export function createQuestionMechanism(question: NumericQuestion): NumericMechanism;
export function createQuestionMechanism(question: StringQuestion, options?: QuestionMechanismOptions): Rappor | Loloha;
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
export function createQuestionRandomizer(question: StringQuestion, options?: QuestionMechanismOptions): RapporRandomizer | LolohaRandomizer;
export function createQuestionRandomizer(question: Question, options?: QuestionMechanismOptions): AnyRandomizer;
export function createQuestionRandomizer(question: Question, options: QuestionMechanismOptions = {}): AnyRandomizer {
  return build(question, options, RANDOMIZERS);
}

function build(question: Question, options: QuestionMechanismOptions, classes: Builders): AnyRandomizer {
  const epsilon = levelEpsilon(question, options.level);
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
  const g = (size: number) => lolohaBestG(size, question.epsilon, epsilonPermanent).g;
  switch (question.type) {
    case 'boolean':
      return name === 'l-grr' ? classes['l-grr']({ k: 2, epsilon, epsilonPermanent }) : classes['binary-rr']({ k: 2, epsilon });
    case 'categorical': {
      const k = question.domain.categories.length;
      if (name === 'loloha') return classes.loloha({ k, epsilon, epsilonPermanent, g: g(k) });
      return frequencyOracle(classes, name as FrequencyMechanismName, k, epsilon, epsilonPermanent);
    }
    case 'multiselect': {
      const k = question.domain.items.length;
      const maxItems = question.domain.maxItems;
      const inner = multiselectInner(question);
      return classes['padding-sampling']({ k, maxItems, epsilon, inner, ...(isLongitudinalMechanism(inner) ? { epsilonPermanent } : {}), ...(inner === 'loloha' ? { g: g(k + maxItems) } : {}) });
    }
    case 'numeric': {
      const { low, high, gridSize, levels } = question.domain;
      if (name === 'alpha-1bit') {
        if (gridSize !== undefined) throw campaignPathError('domain.gridSize', 'alpha-1bit rounds the answer itself; gridSize is for the one-level mechanisms');
        return classes['alpha-1bit']({ epsilon, epsilonPermanent, low, high, ...(levels === undefined ? {} : { levels }) });
      }
      if (levels !== undefined) throw campaignPathError('domain.levels', 'levels is alpha-1bit\'s; the one-level mechanisms use gridSize');
      const numeric = gridSize === undefined ? { epsilon, low, high } : { epsilon, low, high, gridSize };
      return classes[name as NumericMechanismName](numeric);
    }
    case 'string': {
      if (name === 'loloha') {
        // The answer is one of the candidates or "other": k = candidates + 1 (stringIndex).
        return classes.loloha({ k: question.domain.candidates.length + 1, epsilon, epsilonPermanent, g: g(question.domain.candidates.length + 1) });
      }
      if (question.domain.rappor === undefined) throw campaignPathError('domain.rappor', 'RAPPOR needs its parameters (k, h, m, f, p, q)');
      const { metricId, ...parameters } = question.domain.rappor;
      const rappor = classes.rappor({ ...parameters, metricId: metricId ?? (options.campaignId === undefined ? question.id : `${options.campaignId}/${question.id}`) });
      // The ledger charges `epsilon`; the RAPPOR parameters must not leak more per report.
      if (rappor.implementedEpsilon > epsilon) {
        throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `domain.rappor: these parameters give ε₁ = ${rappor.implementedEpsilon} per report, above epsilon = ${epsilon}`, { path: 'domain.rappor' });
      }
      return rappor;
    }
  }
}

/** The questions' allowed levels (ε₁), the default first: `levels`, or just `epsilon`. */
export function questionLevels(question: Question): readonly number[] {
  return question.levels ?? [question.epsilon];
}

function levelEpsilon(question: Question, level: number | undefined): number {
  if (level === undefined || level === question.epsilon) return question.epsilon;
  if (!questionLevels(question).includes(level)) {
    throw new PrivacyError('INPUT_INVALID', 'input', `level: ${level} is not one of question ${question.id}'s levels (${questionLevels(question).join(', ')})`, { path: 'level' });
  }
  return level;
}

function frequencyOracle(classes: Builders, name: FrequencyMechanismName, k: number, epsilon: number, epsilonPermanent: number): AnyRandomizer {
  return classes[name](isTwoLevelName(name) ? { k, epsilon, epsilonPermanent } : { k, epsilon });
}

function campaignPathError(path: string, message: string): PrivacyError {
  return new PrivacyError('CAMPAIGN_INVALID', 'configuration', `${path}: ${message}`, { path });
}

/** Whether a mechanism name is a two-level (longitudinal) one (the registry says). */
export function isLongitudinalMechanism(name: string): name is LongitudinalMechanismName {
  return isTwoLevelName(name);
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
