/**
 * Privacy levels of a question (issue 14 §2): the mechanism of each allowed ε₁ and the one
 * estimate from sums kept per level (mechanisms/longitudinal/mixed-levels.ts for the estimator and
 * its variance).
 *
 * Why levels share the permanent level: in every two-level form here the permanent thresholds
 * depend on ε∞ and the domain only (l-grr.ts T1, l-ue.ts T1/T0, alpha-1bit.ts T_0/Δ), and LOLOHA's
 * hash range g is pinned to the default level's (mechanism.ts), so every level of a question has
 * the same `parameterKey` (validateCampaign checks it) and the SDK derives the same permanent
 * responses for it. A patient who changes level therefore reveals at most ε∞ about an answer over
 * all its reports at any mix of levels (the permanent response is the only state; each report adds
 * a fresh instantaneous draw of at most its level's ε₁), and is charged as before.
 */
import { parameterError } from '../errors.ts';
import type { Estimand } from '../mechanisms/estimand.ts';
import { mixedLevelFrequencies, mixedLevelMean, type LevelWeighting, type MixedFrequencyEstimate, type MixedMeanEstimate, type PureLevel } from '../mechanisms/longitudinal/mixed-levels.ts';
import { createQuestionMechanism, questionLevels, resolvedMechanismName } from './mechanism.ts';
import type { Question } from './schema.ts';

/** Sums of one level: the level's ε₁ and the sums vector its reports were added to. */
export interface LevelSums {
  level: number;
  sums: ArrayLike<number>;
}

export interface LevelEstimateOptions {
  estimand?: Estimand;
  /** 'reports' (default, unbiased whatever makes patients choose a level) or 'inverse-variance' (only for levels assigned independently of the answer). */
  weighting?: LevelWeighting;
}

/** One estimate of a two-level question from sums kept per level. */
export function estimateQuestionLevels(question: Question, parts: readonly LevelSums[], options: LevelEstimateOptions = {}): MixedFrequencyEstimate | MixedMeanEstimate {
  const allowed = questionLevels(question);
  const seen = new Set<number>();
  for (const part of parts) {
    if (!allowed.includes(part.level)) throw parameterError('level', `${part.level} is not one of question ${question.id}'s levels (${allowed.join(', ')})`);
    if (seen.has(part.level)) throw parameterError('level', `level ${part.level} given twice`);
    seen.add(part.level);
  }
  const name = resolvedMechanismName(question);
  if (name === 'alpha-1bit') {
    if (options.weighting === 'inverse-variance') throw parameterError('weighting', 'alpha-1bit means combine by report counts only');
    if (question.type !== 'numeric') throw parameterError('mechanism', 'alpha-1bit is for numeric questions');
    const levels = parts.map((part) => {
      const m = createQuestionMechanism(question, { level: part.level }) as unknown as { intercept: number; slope: number };
      return { intercept: m.intercept, slope: m.slope, sums: part.sums };
    });
    return mixedLevelMean(levels, question.domain.low, question.domain.high);
  }
  const pure: PureLevel[] = [];
  let k = 0;
  for (const part of parts) {
    const m = createQuestionMechanism(question, { level: part.level }) as unknown as { p?: number; q?: number; k: number; maxItems?: number; inner?: { p: number; q: number } };
    if (m.inner !== undefined) {
      pure.push({ p: m.inner.p, q: m.inner.q, scale: m.maxItems!, sums: part.sums });
    } else if (m.p !== undefined && m.q !== undefined) {
      pure.push({ p: m.p, q: m.q, scale: 1, sums: part.sums });
    } else {
      throw parameterError('mechanism', `${name} has no privacy levels (a two-level mechanism is needed)`);
    }
    k = m.k;
  }
  if (parts.length === 0) k = question.type === 'boolean' ? 2 : 0;
  return mixedLevelFrequencies(pure, k, options);
}
