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
import { parameterError, PrivacyError } from '../errors.ts';
import type { CellSink, EncodedReport } from '../mechanisms/types.ts';
import type { Estimand } from '../mechanisms/estimand.ts';
import { mixedLevelFrequencies, mixedLevelMean, type LevelWeighting, type MixedFrequencyEstimate, type MixedMeanEstimate, type PureLevel } from '../mechanisms/longitudinal/mixed-levels.ts';
import { createQuestionMechanism, questionLevels, resolvedMechanismName, type AnyMechanism } from './mechanism.ts';
import { levelPolicyOf } from './level-policy.ts';
import type { Question } from './schema.ts';

/** Sums of one level: the level's ε₁ and the sums vector its reports were added to. */
export interface LevelSums {
  level: number;
  sums: ArrayLike<number>;
}

export interface LevelEstimateOptions {
  estimand?: Estimand;
  /** 'reports' (default, unbiased whatever makes patients choose a level) or 'inverse-variance' (only for a question with levelPolicy.assignment 'random': levels independent of the answer). */
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
  if (options.weighting === 'inverse-variance' && levelPolicyOf(question).assignment !== 'random') {
    throw parameterError('weighting', `inverse-variance weights are biased when the patient's level may depend on the answer; question ${question.id} does not assign its levels at random (levelPolicy.assignment 'random')`);
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

/**
 * A question with `levels` as one aggregation state (what the collector stores): index 0 is the
 * total report count, and level j (in `levels` order) keeps the full sums vector of its own
 * reports at offset 1 + j·S (S = the mechanism's own sumsLength, whose index 0 is that level's
 * count). Every level decodes the same wire layout (only the thresholds behind it differ), so the
 * default level's decoder checks every payload. `withholdSmallLevels` drops a level's part below
 * the minimum batch from a day before anything is released from it (collector README).
 */
export class LevelledMechanism {
  readonly levels: readonly number[];
  readonly base: AnyMechanism;
  readonly name: string;
  readonly implementedEpsilon: number;
  readonly sumsLength: number;
  private readonly question: Question;

  constructor(question: Question) {
    this.question = question;
    this.levels = questionLevels(question);
    this.base = createQuestionMechanism(question);
    this.name = this.base.name;
    // The default level is the least private one a report may use.
    this.implementedEpsilon = this.base.implementedEpsilon;
    this.sumsLength = 1 + this.levels.length * this.base.sumsLength;
  }

  decodeReport(encoded: EncodedReport): unknown {
    return this.base.decodeReport(encoded);
  }

  /**
   * The aggregation of one report made at `level` (ε₁; default the question's epsilon), as a
   * mechanism whose `contribute` adds 1 to the total and the report's own cells to its level's
   * block (so core's sparseContribution and addToSums work on it). Throws PAYLOAD_INVALID for a
   * level the question does not allow.
   */
  atLevel(level: number | undefined): { name: string; sumsLength: number; contribute(report: unknown, cells: CellSink): void } {
    const j = this.levels.indexOf(level ?? this.levels[0]!);
    if (j < 0) throw new PrivacyError('PAYLOAD_INVALID', 'input', `level ${level} is not one of question ${this.question.id}'s levels (${this.levels.join(', ')})`, { path: 'ext.level' });
    const offset = 1 + j * this.base.sumsLength;
    const base = this.base;
    return {
      name: this.name,
      sumsLength: this.sumsLength,
      contribute(report: unknown, cells: CellSink): void {
        cells.add(0, 1);
        base.contribute(report, { add: (index, delta) => cells.add(offset + index, delta) });
      },
    };
  }

  /** The per-level parts of a sums vector. */
  parts(sums: ArrayLike<number>): LevelSums[] {
    const size = this.base.sumsLength;
    return this.levels.map((level, j) => ({ level, sums: Array.from({ length: size }, (_, i) => sums[1 + j * size + i] ?? 0) }));
  }

  /** Zeroes every level part with fewer than `minBatch` reports (and takes them off the total); returns how many reports were dropped. */
  withholdSmallLevels(sums: Float64Array, minBatch: number): number {
    const size = this.base.sumsLength;
    let dropped = 0;
    for (let j = 0; j < this.levels.length; j++) {
      const offset = 1 + j * size;
      const n = sums[offset] ?? 0;
      if (n > 0 && n < minBatch) {
        dropped += n;
        sums.fill(0, offset, offset + size);
      }
    }
    sums[0]! -= dropped;
    return dropped;
  }

  /** `weighting` 'inverse-variance' only for a question whose levels are assigned at random (estimateQuestionLevels). */
  estimate(sums: ArrayLike<number>, estimand?: Estimand, weighting?: LevelWeighting): MixedFrequencyEstimate | MixedMeanEstimate {
    return estimateQuestionLevels(this.question, this.parts(sums), { ...(estimand === undefined ? {} : { estimand }), ...(weighting === undefined ? {} : { weighting }) });
  }
}
