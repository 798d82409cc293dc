/**
 * Campaign validation used by the collector (on publish) and by the SDK (on fetch or when a
 * campaign is defined in code). Throws PrivacyError CAMPAIGN_INVALID with the path of the first
 * problem. Beyond the schema it checks what a schema cannot: unique question ids, numeric ranges
 * with low < high, maxItems ≤ number of items, RAPPOR sizes a collector can serve, and that every question builds its mechanism (so
 * parameters such as an ε too small for k at 2^-32 resolution are caught at publish time, not
 * on a patient's device). The check builds the device halves (createQuestionRandomizer), whose
 * constructors hold every parameter check, so the SDK's worker does not bundle the estimators.
 */
import * as v from 'valibot';
import { PrivacyError } from '../errors.ts';
import { issuesToError } from '../wire/issues.ts';
import { createQuestionMechanism, createQuestionRandomizer, resolvedMechanismName, type AnyMechanism, type AnyRandomizer } from './mechanism.ts';
import { CampaignSchema, MAX_QUESTION_CELLS, MAX_RAPPOR_CANDIDATE_POSITIONS, STRING_OTHER, type Campaign, type Question } from './schema.ts';

export function validateCampaign(input: unknown): Campaign {
  const result = v.safeParse(CampaignSchema, input);
  if (!result.success) throw issuesToError('CAMPAIGN_INVALID', result.issues);
  const campaign = result.output;
  const seen = new Set<string>();
  campaign.questions.forEach((question, i) => {
    const path = `questions.${i}`;
    if (seen.has(question.id)) throw campaignError(`${path}.id`, `duplicate question id ${question.id}`);
    seen.add(question.id);
    checkQuestion(question, path);
    const defaultLevel = build(createQuestionRandomizer, question, campaign.id, path);
    checkLevels(question, defaultLevel, campaign.id, path);
  });
  return campaign;
}

/** The mechanism of every question of a validated campaign, by question id. */
export function createCampaignMechanisms(campaign: Campaign): Map<string, AnyMechanism> {
  const mechanisms = new Map<string, AnyMechanism>();
  campaign.questions.forEach((question, i) => mechanisms.set(question.id, build(createQuestionMechanism, question, campaign.id, `questions.${i}`)));
  return mechanisms;
}

/** The device half of every question's mechanism (createQuestionRandomizer), by question id: what the SDK's worker needs. */
export function createCampaignRandomizers(campaign: Campaign): Map<string, AnyRandomizer> {
  const randomizers = new Map<string, AnyRandomizer>();
  campaign.questions.forEach((question, i) => randomizers.set(question.id, build(createQuestionRandomizer, question, campaign.id, `questions.${i}`)));
  return randomizers;
}

function checkQuestion(question: Question, path: string): void {
  if (question.type === 'numeric' && !(question.domain.high > question.domain.low)) {
    throw campaignError(`${path}.domain.high`, `must be > low (${question.domain.low}), got ${question.domain.high}`);
  }
  if (question.type === 'string' && (question.mechanism === 'loloha' || question.epsilonPermanent !== undefined) && question.domain.candidates.includes(STRING_OTHER)) {
    throw campaignError(`${path}.domain.candidates`, `${JSON.stringify(STRING_OTHER)} names every string outside the candidates under loloha; it cannot be a candidate too`);
  }
  if (question.type === 'multiselect' && question.domain.maxItems > question.domain.items.length) {
    throw campaignError(`${path}.domain.maxItems`, `must be ≤ the number of items (${question.domain.items.length})`);
  }
  if (question.type === 'string' && question.domain.rappor !== undefined && resolvedMechanismName(question) === 'rappor') checkRapporServable(question.domain.rappor, question.domain.candidates.length, `${path}.domain.rappor`);
}

/**
 * The limits a collector can serve (schema.ts): the schema alone accepts k, m ≤ 4096, whose
 * 16,781,313 cells per day no store or estimate should hold.
 */
function checkRapporServable(rappor: { k: number; m: number; h: number }, candidates: number, path: string): void {
  const cells = rappor.m * (rappor.k + 1) + 1;
  if (cells > MAX_QUESTION_CELLS) {
    throw campaignError(`${path}.m`, `m·(k + 1) + 1 = ${cells} cells per day exceeds the ${MAX_QUESTION_CELLS} a question may have; with k = ${rappor.k}, m ≤ ${Math.floor((MAX_QUESTION_CELLS - 1) / (rappor.k + 1))}`);
  }
  const positions = candidates * rappor.m * rappor.h;
  if (positions > MAX_RAPPOR_CANDIDATE_POSITIONS) {
    throw campaignError(`${path}.m`, `candidates × m × h = ${positions} Bloom positions to decode exceeds ${MAX_RAPPOR_CANDIDATE_POSITIONS}; use fewer candidates, cohorts or hashes`);
  }
}

/**
 * `levels` (issue 14 §2): a two-level question only; distinct; the first is `epsilon` and the
 * largest; each builds; and every level has the default's permanent level (the same
 * parameterKey), so a patient changing level keeps their permanent responses and charges.
 */
function checkLevels(question: Question, defaultLevel: AnyRandomizer, campaignId: string, path: string): void {
  const levels = question.levels;
  if (levels === undefined) {
    if (question.levelPolicy !== undefined) throw campaignError(`${path}.levelPolicy`, 'a level policy needs levels');
    return;
  }
  checkLevelPolicy(question, levels.length, `${path}.levelPolicy`);
  if (question.epsilonPermanent === undefined) throw campaignError(`${path}.levels`, 'levels are for two-level questions (with epsilonPermanent): they share its permanent level');
  if (levels[0] !== question.epsilon) throw campaignError(`${path}.levels.0`, `must be epsilon (${question.epsilon}), the default level`);
  levels.forEach((level, j) => {
    if (j > 0 && !(level < levels[j - 1]!)) throw campaignError(`${path}.levels.${j}`, 'levels must be strictly decreasing (the default, then stricter ones)');
    const randomizer = build((q, o) => createQuestionRandomizer(q, { ...o, level }), question, campaignId, `${path}.levels.${j}`);
    if (permanentKeyOf(randomizer) !== permanentKeyOf(defaultLevel)) throw campaignError(`${path}.levels.${j}`, 'this level would not share the permanent level of the default one');
  });
}

/** `levelPolicy` (level-policy.ts): weights exactly for random assignment, one per level; random assignment never steps down. */
function checkLevelPolicy(question: Question, count: number, path: string): void {
  const policy = question.levelPolicy;
  if (policy === undefined) return;
  if (policy.assignment === 'random') {
    if (policy.weights === undefined) throw campaignError(`${path}.weights`, 'needed for random assignment');
    if (policy.weights.length !== count) throw campaignError(`${path}.weights`, `one per level (${count})`);
    if (policy.stepDown === true) throw campaignError(`${path}.stepDown`, 'random assignment never steps down');
  } else if (policy.weights !== undefined) {
    throw campaignError(`${path}.weights`, 'for random assignment only');
  }
}

function permanentKeyOf(randomizer: AnyRandomizer): string | undefined {
  const r = randomizer as { parameterKey?: string; inner?: { parameterKey?: string } };
  return r.parameterKey ?? r.inner?.parameterKey;
}

function build<T>(create: (question: Question, options: { campaignId: string }) => T, question: Question, campaignId: string, path: string): T {
  try {
    return create(question, { campaignId });
  } catch (error) {
    if (error instanceof PrivacyError) {
      const inner = question.type === 'string' && question.mechanism !== 'loloha' && question.epsilonPermanent === undefined && error.code === 'PARAMETER_INVALID' ? `domain.rappor.${error.path ?? ''}` : error.path;
      const where = [path, inner].filter((s) => s !== undefined && s !== '').join('.');
      // Inner messages start with their own path ("q: must exceed p"); keep only the full one.
      const message = error.path !== undefined && error.message.startsWith(`${error.path}: `) ? error.message.slice(error.path.length + 2) : error.message;
      throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `${where}: ${message}`, { path: where, cause: error });
    }
    throw error;
  }
}

function campaignError(path: string, message: string): PrivacyError {
  return new PrivacyError('CAMPAIGN_INVALID', 'configuration', `${path}: ${message}`, { path });
}
