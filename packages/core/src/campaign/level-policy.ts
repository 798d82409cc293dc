/**
 * How a report's privacy level is chosen (issue 14 §2, the question's `levelPolicy`):
 *  - 'patient' (default): the default level, or the strictest once the patient chooses "more
 *    private", or — budget-aware, unless `stepDown: false` — the highest level within the app's
 *    per-report cap. The level may then depend on the patient, hence on the answer (sicker patients
 *    choosing more privacy), so only report-count weights are unbiased (mixed-levels.ts).
 *  - 'random': the device draws level j with probability weights[j]/Σ weights, from the injectable
 *    random source and nothing else, so the level is independent of the answer and every level's
 *    reports estimate the same share: inverse-variance weights are then allowed. No step-down
 *    (it would make the level depend on the device's caps) and no patient choice (the SDK refuses
 *    such a report rather than report above the patient's chosen privacy, sdk privacy-level.ts).
 */
import type { RandomSampler } from '../random/sampler.ts';
import { questionLevels } from './mechanism.ts';
import type { Question } from './schema.ts';

export type LevelAssignment = 'patient' | 'random';

export interface LevelPolicy {
  assignment: LevelAssignment;
  /** Integer weights, one per level (in `levels` order); 'random' only. */
  weights?: readonly number[];
  /** Whether a default level above the per-report cap may be reported at a lower level. */
  stepDown: boolean;
}

/** The question's level policy with its defaults (validateCampaign has checked it). */
export function levelPolicyOf(question: Question): LevelPolicy {
  const policy = question.levelPolicy;
  if (policy?.assignment === 'random') return { assignment: 'random', weights: policy.weights!, stepDown: false };
  return { assignment: 'patient', stepDown: policy?.stepDown ?? true };
}

/**
 * The level of one report under random assignment: j with probability weights[j]/W, drawn as one
 * exact uniform integer in [0, W) (W ≤ 4·10⁶) — no floating-point threshold.
 */
export function drawLevel(question: Question, sampler: RandomSampler): number {
  const levels = questionLevels(question);
  const weights = levelPolicyOf(question).weights;
  if (weights === undefined) throw new TypeError('not random');
  let u = sampler.uniformInt(weights.reduce((s, w) => s + w, 0));
  for (let j = 0; j < levels.length; j++) {
    u -= weights[j]!;
    if (u < 0) return levels[j]!;
  }
  throw new Error('unreachable');
}
