/**
 * Typed campaigns (issue 15 §5): a campaign defined in the app's code gives `report(questionId,
 * answer)` whose question ids and answer types are inferred from the campaign literal, so a wrong
 * id or answer type fails to compile. Types only, besides the identity `defineCampaign`; the
 * worker still checks every answer at run time (worker/answers.ts), which is all a FETCHED
 * campaign gets: its client takes `report(string, unknown)`.
 *
 * Answer per question type, as worker/answers.ts accepts it: boolean → `boolean`; categorical → one
 * of its option codes; multiselect → an array of its item codes; numeric → `number` (the range is
 * checked at run time); string → `string`.
 */
import type { CampaignInput } from '@practical-privacy/core';

type DeepReadonly<T> = T extends ReadonlyArray<infer E> ? ReadonlyArray<DeepReadonly<E>> : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** A campaign literal: core's campaign input, also when written `as const` (readonly arrays). */
export type CampaignDefinition = DeepReadonly<CampaignInput>;

type CodesOf<O> = O extends ReadonlyArray<{ readonly code: infer C }> ? C : never;

/** The answer `report()` takes for one question of a campaign literal. */
export type AnswerOf<Q> = Q extends { readonly type: 'boolean' }
  ? boolean
  : Q extends { readonly type: 'categorical'; readonly domain: { readonly categories: infer O } }
    ? CodesOf<O>
    : Q extends { readonly type: 'multiselect'; readonly domain: { readonly items: infer O } }
      ? ReadonlyArray<CodesOf<O>>
      : Q extends { readonly type: 'numeric' }
        ? number
        : Q extends { readonly type: 'string' }
          ? string
          : unknown;

/** Question id → answer type of a campaign literal; `Record<string, unknown>` for anything else (a fetched campaign). */
export type AnswersOf<C> = C extends { readonly questions: ReadonlyArray<infer Q> }
  ? string extends (Q extends { readonly id: infer I } ? I : never)
    ? Record<string, unknown>
    : { [K in Q as K extends { readonly id: infer I extends string } ? I : never]: AnswerOf<K> }
  : Record<string, unknown>;

/**
 * Returns its argument; the `const` type parameter keeps the literal's ids and option codes, so a
 * campaign declared apart from `createClient` stays typed. `as const` on the literal does the same.
 */
export function defineCampaign<const C extends CampaignDefinition>(campaign: C): C {
  return campaign;
}
