/**
 * The mechanism registry: the ONE list of mechanism names, with what every other part of the
 * system needs to know about each — which question types it serves, how many levels it has, what
 * its estimate is — so that nothing else keeps its own list. Read by:
 *  - types.ts: every name union (MechanismName, FrequencyMechanismName, …) is derived from it;
 *  - campaign/schema.ts: each question type's `mechanism` picklist (`mechanismsFor`);
 *  - campaign/mechanism.ts: the two constructor maps are typed `Record<name, …>`, so a name added
 *    here without its classes does not compile;
 *  - select.ts (`auto`) and the SDK's charges (`levels`);
 *  - the collector's estimates (`estimate`), instead of sniffing an estimate's shape.
 * A new mechanism is its file plus one entry here (and its two classes in mechanism.ts's maps,
 * which the compiler demands).
 */

export type QuestionTypeName = 'boolean' | 'categorical' | 'multiselect' | 'numeric' | 'string';

export interface MechanismMeta {
  /** The question types whose `mechanism` may name it. */
  readonly types: readonly QuestionTypeName[];
  /** 1: every report randomized afresh (or RAPPOR's own memo); 2: permanent + instantaneous levels (longitudinal/). */
  readonly levels: 1 | 2;
  /**
   * What `estimate(sums)` returns: `frequency` (values sum to one, Norm-Sub applies), `prevalence`
   * (per-item shares, clipped only), `mean`, or `rappor` (Bloom-bit estimates to decode against candidates).
   */
  readonly estimate: 'frequency' | 'prevalence' | 'mean' | 'rappor';
  /** Only as the inner oracle of padding-and-sampling (over k + L values), besides `types`. */
  readonly paddingInner?: true;
}

export const MECHANISM_REGISTRY = {
  'binary-rr': { types: ['boolean'], levels: 1, estimate: 'frequency' },
  grr: { types: ['categorical'], levels: 1, estimate: 'frequency', paddingInner: true },
  sue: { types: ['categorical'], levels: 1, estimate: 'frequency' },
  oue: { types: ['categorical'], levels: 1, estimate: 'frequency' },
  olh: { types: ['categorical'], levels: 1, estimate: 'frequency', paddingInner: true },
  hadamard: { types: ['categorical'], levels: 1, estimate: 'frequency' },
  'padding-sampling': { types: ['multiselect'], levels: 1, estimate: 'prevalence' },
  duchi: { types: ['numeric'], levels: 1, estimate: 'mean' },
  piecewise: { types: ['numeric'], levels: 1, estimate: 'mean' },
  hybrid: { types: ['numeric'], levels: 1, estimate: 'mean' },
  rappor: { types: ['string'], levels: 1, estimate: 'rappor' },
  'l-grr': { types: ['boolean', 'categorical'], levels: 2, estimate: 'frequency', paddingInner: true },
  'l-sue': { types: ['categorical'], levels: 2, estimate: 'frequency' },
  'l-oue': { types: ['categorical'], levels: 2, estimate: 'frequency' },
  'l-osue': { types: ['categorical'], levels: 2, estimate: 'frequency' },
  'l-soue': { types: ['categorical'], levels: 2, estimate: 'frequency' },
  loloha: { types: ['categorical', 'string'], levels: 2, estimate: 'frequency', paddingInner: true },
  'alpha-1bit': { types: ['numeric'], levels: 2, estimate: 'mean' },
} as const satisfies Record<string, MechanismMeta>;

type Registry = typeof MECHANISM_REGISTRY;
export type MechanismName = keyof Registry;
/** Names serving question type T. */
export type MechanismFor<T extends QuestionTypeName> = { [K in MechanismName]: T extends Registry[K]['types'][number] ? K : never }[MechanismName];
/** Names whose estimate is of kind E. */
export type MechanismWithEstimate<E extends MechanismMeta['estimate']> = { [K in MechanismName]: Registry[K]['estimate'] extends E ? K : never }[MechanismName];
/** Names with L levels. */
export type MechanismWithLevels<L extends 1 | 2> = { [K in MechanismName]: Registry[K]['levels'] extends L ? K : never }[MechanismName];
/** Names padding-and-sampling accepts as its inner oracle. */
export type PaddingInnerName = { [K in MechanismName]: Registry[K] extends { paddingInner: true } ? K : never }[MechanismName];

const NAMES = Object.keys(MECHANISM_REGISTRY) as MechanismName[];

/** The names a question type's `mechanism` may take, in registry order (without `auto`). */
export function mechanismsFor<T extends QuestionTypeName>(type: T): MechanismFor<T>[] {
  return NAMES.filter((name) => (MECHANISM_REGISTRY[name].types as readonly QuestionTypeName[]).includes(type)) as MechanismFor<T>[];
}

/** padding-and-sampling's inner oracles, in registry order. */
export function paddingInners(): PaddingInnerName[] {
  return NAMES.filter((name) => 'paddingInner' in MECHANISM_REGISTRY[name]) as PaddingInnerName[];
}

export function isMechanismName(name: unknown): name is MechanismName {
  return typeof name === 'string' && Object.hasOwn(MECHANISM_REGISTRY, name);
}

export function mechanismMeta(name: MechanismName): MechanismMeta {
  return MECHANISM_REGISTRY[name];
}

/** Whether a name is a two-level (longitudinal) mechanism. */
export function isTwoLevelName(name: string): name is MechanismWithLevels<2> {
  return isMechanismName(name) && MECHANISM_REGISTRY[name].levels === 2;
}
