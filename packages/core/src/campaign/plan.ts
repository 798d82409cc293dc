/**
 * The planner for a whole campaign, before it is published (issue 14 §3): "with N patients per
 * period, how well will each question be known, and what would it take to know it well enough?"
 *
 * Every figure comes from the question's own mechanism as the collector will run it
 * (`createQuestionMechanism`, so `auto`, two-level chains and implemented thresholds are the
 * collector's), for the population estimand (estimand.ts), in the worst case over true answers:
 *  - shares (yes/no, categories, multiselect items, LOLOHA names): Var[f̂](f) of one value or item
 *    is a quadratic in f (π(1−π)/(n(p*−q*)²) with π affine in f; padding-and-sampling scales an
 *    inner oracle's at F/L), so three evaluations give it exactly and its maximum over [0, 1] is
 *    at the vertex or an end (planner.ts header for the closed forms);
 *  - means of one-level numeric questions: `planMean` (the paper variances at the maximising
 *    answers, planner.ts); alpha-1bit's `variance(n)` without a value is already the worst case
 *    of a Bernoulli mean, which includes the spread of the answers;
 *  - RAPPOR strings: no single half-width (the decoder selects candidates, rappor-decode.ts); the
 *    plan gives the share a name needs to be detected at that n instead (`detectableShare`).
 * Every variance here is c/n for a c that does not depend on n, so the patients needed for a target
 * half-width h are ⌈n·(w(n)/h)²⌉, checked (and moved by one) against w itself; the ε needed is
 * planner.ts's bisection over multiples of EPSILON_STEP, rounded up, with ε∞/ε₁ kept for two-level
 * questions.
 *
 * The plan assumes every one of the N patients answers each question once per period (a day or a
 * week, the question's `period`); N is what reaches the collector, so a clinic that expects a
 * response rate r passes r·N.
 */
import { PrivacyError } from '../errors.ts';
import { Z_95 } from '../mechanisms/types.ts';
import { EPSILON_STEP, planMean, planRapporDetection } from '../planner.ts';
import { checkFiniteNumber, checkInteger, MAX_EPSILON } from '../validate.ts';
import { levelPolicyOf, type LevelAssignment } from './level-policy.ts';
import { createQuestionMechanism, questionLevels, resolvedMechanismName } from './mechanism.ts';
import type { Campaign, Question } from './schema.ts';
import { validateCampaign } from './validate.ts';

/** A half-width above which a share is too uncertain to act on, unless the campaign plan says otherwise: ±10 points. */
export const DEFAULT_USEFUL_SHARE_HALF_WIDTH = 0.1;
/** The same for a mean, as a fraction of the answer range: ±10% of (high − low). */
export const DEFAULT_USEFUL_MEAN_FRACTION = 0.1;
/** The largest number of patients the plan searches for (beyond it a target is "out of reach"). */
export const MAX_PLANNED_PATIENTS = 1_000_000_000;

export interface CampaignPlanInput {
  /** Patients whose reports reach the collector per period (a day for daily questions, a week for weekly ones). */
  patients: number;
  /**
   * Target 95% half-width per question id: a share in (0, 1) (0.04 = ±4 points) or, for numeric
   * questions, in answer units. Without one, the useful defaults above are the target.
   */
  targets?: Readonly<Record<string, number>>;
}

export type PlanWarningKind = 'below-min-batch' | 'wider-than-target' | 'not-detectable';

export interface PlanWarning {
  kind: PlanWarningKind;
  /** For a clinic: what will happen and what would change it, in plain words. */
  message: string;
}

export interface QuestionPlan {
  questionId: string;
  type: Question['type'];
  mechanism: string;
  period: Question['period'];
  epsilon: number;
  epsilonPermanent?: number;
  patients: number;
  minBatch: number;
  /** Whether a period's cell reaches minBatch (below it the collector withholds the cell). */
  reachesMinBatch: boolean;
  /** Worst-case predicted 95% half-width (population estimand); absent for RAPPOR strings. */
  halfWidth95?: number;
  /** The half-width the plan measured the question against (given, or the useful default). */
  target?: number;
  /** Whether that target was given (false: the useful default). */
  targetGiven: boolean;
  /** Patients per period needed for the target at this ε; undefined if none up to MAX_PLANNED_PATIENTS. */
  patientsForTarget?: number;
  /** ε₁ needed for the target with these patients (ε∞ scaled alike); undefined if ε ≤ 20 cannot. */
  epsilonForTarget?: number;
  /** RAPPOR strings: the smallest share a candidate needs to be detected at this n. */
  detectableShare?: number;
  /**
   * Questions with privacy levels: the share of reports the plan assumed at each level (in
   * `levels` order; plannedLevelShares), and the half-width were every report at the strictest.
   */
  levelMix?: { assignment: LevelAssignment; shares: number[]; strictestHalfWidth95: number };
  warnings: PlanWarning[];
}

export interface CampaignPlan {
  campaignId: string;
  version: number;
  patients: number;
  estimand: 'population';
  questions: QuestionPlan[];
  /** Every question's warnings, in order. */
  warnings: (PlanWarning & { questionId: string })[];
}

/**
 * The smallest share a RAPPOR candidate needs to be detected at n: the planner's
 * `planRapporDetection` (core's `detectionLimit`, the one function the collector's "not detectable
 * at this n (below ≈ x%)" uses too). Replaceable for tests.
 */
export type DetectableShare = (question: Question & { type: 'string' }, n: number) => number | undefined;

const rapporDetectableShare: DetectableShare = (question, n) => {
  const rappor = question.domain.rappor;
  if (rappor === undefined) return undefined;
  return planRapporDetection({ k: rappor.k, h: rappor.h, f: rappor.f, p: rappor.p, q: rappor.q, n, candidates: question.domain.candidates.length }).detectableShare;
};

/** Plans every question of a campaign (validated here, defaults applied). */
export function planCampaign(campaignInput: unknown, input: CampaignPlanInput, detectableShare: DetectableShare = rapporDetectableShare): CampaignPlan {
  const campaign: Campaign = validateCampaign(campaignInput);
  const patients = checkInteger(input.patients, 'patients', 1, MAX_PLANNED_PATIENTS);
  const targets = input.targets ?? {};
  for (const [id, value] of Object.entries(targets)) {
    const question = campaign.questions.find((q) => q.id === id);
    if (question === undefined) throw planError(`targets.${id}`, `no question ${JSON.stringify(id)} in campaign ${campaign.id}`);
    checkTarget(question, value, `targets.${id}`);
  }
  const questions = campaign.questions.map((question) => planQuestion(question, patients, targets[question.id], detectableShare));
  return {
    campaignId: campaign.id,
    version: campaign.version,
    patients,
    estimand: 'population',
    questions,
    warnings: questions.flatMap((q) => q.warnings.map((w) => ({ questionId: q.questionId, ...w }))),
  };
}

function planQuestion(question: Question, patients: number, givenTarget: number | undefined, detectableShare: DetectableShare): QuestionPlan {
  const mechanism = resolvedMechanismName(question);
  const per = question.period === 'week' ? 'a week' : 'a day';
  const name = question.label ?? question.id;
  const base = {
    questionId: question.id,
    type: question.type,
    mechanism,
    period: question.period,
    epsilon: question.epsilon,
    ...(question.epsilonPermanent === undefined ? {} : { epsilonPermanent: question.epsilonPermanent }),
    patients,
    minBatch: question.minBatch,
    reachesMinBatch: patients >= question.minBatch,
    targetGiven: givenTarget !== undefined,
  };
  const warnings: PlanWarning[] = [];
  if (!base.reachesMinBatch) {
    warnings.push({
      kind: 'below-min-batch',
      message: `"${name}": with ${count(patients)} ${plural(patients, 'patient')} ${per}, each ${question.period}'s results will be withheld (they are shown from ${count(question.minBatch)} reports on, to protect small groups).`,
    });
  }

  if (mechanism === 'rappor') {
    const share = detectableShare(question as Question & { type: 'string' }, patients);
    if (share !== undefined && share > DEFAULT_USEFUL_SHARE_HALF_WIDTH) {
      warnings.push({
        kind: 'not-detectable',
        message: `"${name}": with ${count(patients)} ${plural(patients, 'patient')} ${per}, only answers given by more than about ${percent(share)} of patients can be told apart from noise.`,
      });
    }
    return { ...base, ...(share === undefined ? {} : { detectableShare: share }), warnings };
  }

  const width = (q: Question, n: number): number => worstHalfWidth(q, n);
  const halfWidth95 = width(question, patients);
  const target = givenTarget ?? usefulTarget(question);
  const patientsForTarget = patientsFor(question, patients, halfWidth95, target);
  const epsilonForTarget = epsilonForQuestion(question, patients, target);
  if (halfWidth95 > target) {
    const ways = [
      patientsForTarget === undefined ? undefined : `about ${count(patientsForTarget)} patients ${per}`,
      epsilonForTarget === undefined ? undefined : `a weaker privacy level (ε ${epsilonForTarget} instead of ${question.epsilon})`,
    ].filter((w) => w !== undefined);
    warnings.push({
      kind: 'wider-than-target',
      message:
        `"${name}": with ${count(patients)} ${plural(patients, 'patient')} ${per} it will be known to within ${formatWidth(question, halfWidth95)}` +
        (givenTarget === undefined ? `, too uncertain to act on; ${formatWidth(question, target)}` : `; the target ${formatWidth(question, target)}`) +
        (ways.length === 0 ? ' is out of reach.' : ` needs ${ways.join(' or ')}.`),
    });
  }
  const levels = questionLevels(question);
  const levelMix =
    question.levels === undefined ? undefined : { assignment: levelPolicyOf(question).assignment, shares: plannedLevelShares(question), strictestHalfWidth95: levelHalfWidth(question, patients, levels[levels.length - 1]) };
  return {
    ...base,
    halfWidth95,
    ...(levelMix === undefined ? {} : { levelMix }),
    target,
    ...(patientsForTarget === undefined ? {} : { patientsForTarget }),
    ...(epsilonForTarget === undefined ? {} : { epsilonForTarget }),
    warnings,
  };
}

/**
 * The share of reports at each level (in `levels` order) a plan assumes for a question with
 * privacy levels (issue 14 §2): the campaign's weights when it assigns levels at random (exact in
 * expectation: each report's level is an independent draw), and every report at the default level
 * when patients choose (the plan cannot know how many will ask for more privacy; `levelMix` gives
 * the half-width were every report at the strictest level beside it). [1] without levels.
 */
export function plannedLevelShares(question: Question): number[] {
  const levels = questionLevels(question);
  const policy = levelPolicyOf(question);
  if (policy.assignment === 'random') {
    const total = policy.weights!.reduce((sum, w) => sum + w, 0);
    return policy.weights!.map((w) => w / total);
  }
  return levels.map((_, j) => (j === 0 ? 1 : 0));
}

/**
 * Worst-case 95% half-width of one share or mean from n reports (header). With several planned
 * levels (random assignment) the report-count estimator's population variance is
 * (1/n)·(Σₗ πₗ·Wₗ(f) + f(1 − f)) (mixed-levels.ts: Wₗ(f) = n·Varₗ(n, f, respondents), πₗ the
 * level's share), still a quadratic in f, so its maximum is exact too; an alpha-1bit mean takes
 * Σₗ πₗ·Varₗ(n), a bound (each level's worst Bernoulli spread). `level`: one of the question's
 * privacy levels (its ε₁, campaign/levels.ts), as if all n reports used it (what a stricter level
 * costs the clinic: the demo's "more private" card).
 */
export function worstHalfWidth(question: Question, n: number, level?: number): number {
  if (level !== undefined) return levelHalfWidth(question, n, level);
  const shares = plannedLevelShares(question);
  if (shares.filter((share) => share > 0).length > 1) return mixedWorstHalfWidth(question, n, shares);
  return levelHalfWidth(question, n, questionLevels(question)[shares.indexOf(1)]);
}

function mixedWorstHalfWidth(question: Question, n: number, shares: readonly number[]): number {
  const levels = questionLevels(question);
  const at = (j: number) => createQuestionMechanism(question, { level: levels[j]! }) as unknown as { variance(n: number, f?: number, estimand?: 'respondents'): number };
  const mechanisms = levels.map((_, j) => at(j));
  if (question.type === 'numeric') return Z_95 * Math.sqrt(shares.reduce((sum, share, j) => sum + share * mechanisms[j]!.variance(n), 0));
  if (resolvedMechanismName(question) === 'rappor') throw planError('mechanism', 'RAPPOR has no single half-width: plan its detectable share');
  const variance = (f: number) => shares.reduce((sum, share, j) => sum + share * mechanisms[j]!.variance(n, f, 'respondents'), 0) + (f * (1 - f)) / n;
  return Z_95 * Math.sqrt(maxQuadratic(variance));
}

/** Worst-case 95% half-width with every report at `level` (default: the question's epsilon). */
function levelHalfWidth(question: Question, n: number, level?: number): number {
  if (level !== undefined && level !== question.epsilon) {
    const strict = createQuestionMechanism(question, { level }) as unknown as { variance(n: number, f?: number, estimand?: 'population'): number };
    if (question.type === 'numeric') return Z_95 * Math.sqrt(strict.variance(n));
    return Z_95 * Math.sqrt(maxQuadratic((f) => strict.variance(n, f, 'population')));
  }
  if (question.type === 'numeric') {
    const mechanism = resolvedMechanismName(question);
    if (mechanism === 'alpha-1bit') return Z_95 * Math.sqrt(createQuestionMechanism(question).variance(n));
    const { low, high } = question.domain;
    return planMean({ mechanism: mechanism as 'duchi' | 'piecewise' | 'hybrid', epsilon: question.epsilon, n, low, high }).halfWidth95;
  }
  if (resolvedMechanismName(question) === 'rappor') throw planError('mechanism', 'RAPPOR has no single half-width: plan its detectable share');
  const mechanism = createQuestionMechanism(question) as unknown as { variance(n: number, f: number, estimand: 'population'): number };
  return Z_95 * Math.sqrt(maxQuadratic((f) => mechanism.variance(n, f, 'population')));
}

/** Max over [0, 1] of a quadratic given by its values (exact: three points fix it). */
function maxQuadratic(v: (f: number) => number): number {
  const v0 = v(0);
  const vHalf = v(0.5);
  const v1 = v(1);
  const a = 2 * (v1 + v0) - 4 * vHalf;
  const b = v1 - v0 - a;
  let best = Math.max(v0, v1);
  if (a < 0) {
    const vertex = -b / (2 * a);
    if (vertex > 0 && vertex < 1) best = Math.max(best, v(vertex));
  }
  return best;
}

/** Smallest n ≤ MAX_PLANNED_PATIENTS with w(n) ≤ target (w ∝ 1/√n, header), or undefined. */
function patientsFor(question: Question, n: number, widthAtN: number, target: number): number | undefined {
  let needed = Math.max(1, Math.ceil(n * (widthAtN / target) ** 2));
  if (needed > MAX_PLANNED_PATIENTS) return undefined;
  // Floating point may put the estimate one off either way; w is decreasing in n.
  while (needed > 1 && worstHalfWidth(question, needed - 1) <= target) needed--;
  while (worstHalfWidth(question, needed) > target) {
    if (++needed > MAX_PLANNED_PATIENTS) return undefined;
  }
  return needed;
}

/** Smallest ε₁ (multiple of 0.01, rounded up) reaching the target with n patients; ε∞ keeps its ratio. */
function epsilonForQuestion(question: Question, n: number, target: number): number | undefined {
  const ratio = question.epsilonPermanent === undefined ? undefined : question.epsilonPermanent / question.epsilon;
  const at = (epsilon: number): Question | undefined => {
    const permanent = ratio === undefined ? undefined : epsilon * ratio;
    if (permanent !== undefined && permanent > MAX_EPSILON) return undefined;
    // Levels keep their ratios to the default (the first level is epsilon).
    const levels = question.levels?.map((level) => (level * epsilon) / question.epsilon);
    return { ...question, epsilon, ...(permanent === undefined ? {} : { epsilonPermanent: permanent }), ...(levels === undefined ? {} : { levels }) } as Question;
  };
  const ok = (epsilon: number): boolean => {
    const candidate = at(epsilon);
    if (candidate === undefined) return false;
    try {
      return worstHalfWidth(candidate, n) <= target;
    } catch (error) {
      if (error instanceof PrivacyError) return false; // e.g. a fixed mechanism that this ε does not allow
      throw error;
    }
  };
  // ε₁ up to 20, and for a two-level question only as far as ε∞ = ratio·ε₁ stays ≤ 20.
  const steps = Math.floor((ratio === undefined ? MAX_EPSILON : MAX_EPSILON / ratio) / EPSILON_STEP + 1e-9);
  const epsilonAt = (i: number): number => Number((i * EPSILON_STEP).toFixed(2));
  let hi = steps;
  if (hi < 1 || !ok(epsilonAt(hi))) return undefined;
  let lo = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(epsilonAt(mid))) hi = mid;
    else lo = mid;
  }
  return epsilonAt(hi);
}

function usefulTarget(question: Question): number {
  if (question.type === 'numeric') return DEFAULT_USEFUL_MEAN_FRACTION * (question.domain.high - question.domain.low);
  return DEFAULT_USEFUL_SHARE_HALF_WIDTH;
}

function checkTarget(question: Question, value: unknown, path: string): number {
  const target = checkFiniteNumber(value, path);
  if (question.type === 'numeric') {
    if (!(target > 0)) throw planError(path, `must be > 0 (answer units), got ${target}`);
  } else if (!(target > 0 && target < 1)) {
    throw planError(path, `must be a share in (0, 1) (0.04 = ±4 points), got ${target}`);
  }
  if (resolvedMechanismName(question) === 'rappor') throw planError(path, 'a RAPPOR string has no half-width target; its plan gives the detectable share');
  return target;
}

function planError(path: string, message: string): PrivacyError {
  return new PrivacyError('PARAMETER_INVALID', 'configuration', `${path}: ${message}`, { path });
}

function formatWidth(question: Question, width: number): string {
  if (question.type === 'numeric') return `±${trim(width)}`;
  return `±${trim(width * 100)} points`;
}

function percent(share: number): string {
  return `${trim(share * 100)}%`;
}

function trim(value: number): string {
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
