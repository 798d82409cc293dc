/**
 * The collector's view of a campaign: core's validated document plus, per question, the exact
 * mechanism the device used (core's `createCampaignMechanisms`, built from the same parameters),
 * so debiasing matches randomizing. This is the one file that binds the collector to core's
 * campaign and wire validators.
 */
import {
  STRING_OTHER,
  createCampaignMechanisms,
  LevelledMechanism,
  validateBatch,
  validateCampaign,
  type AnyMechanism,
  type Campaign,
  type DayWindow,
  type Question,
  type WireBatch,
} from '@practical-privacy/core';

export type { AnyMechanism };

export interface QuestionModel {
  id: string;
  type: Question['type'];
  /** Names of the sum-vector's domain values, in order (answer codes, items, candidates). */
  labels: string[];
  minBatch: number;
  epsilon: number;
  question: Question;
  /**
   * The mechanism the collector decodes and estimates with. A question with privacy `levels`
   * (issue 14 §2) gets core's LevelledMechanism: sums kept per level in one vector (index 0 the
   * total count), small (day, level) parts withheld before release, one combined estimate.
   */
  mechanism: AnyMechanism;
  /** Set for a question with `levels` (the same object as `mechanism`). */
  levelled?: LevelledMechanism;
}

export interface CampaignModel {
  id: string;
  version: number;
  document: Campaign;
  questions: Map<string, QuestionModel>;
}

export { STRING_OTHER };

function labelsOf(question: Question): string[] {
  switch (question.type) {
    case 'boolean':
      return ['false', 'true'];
    case 'categorical':
      return question.domain.categories.map((c) => c.code);
    case 'multiselect':
      return question.domain.items.map((c) => c.code);
    case 'numeric':
      return ['mean'];
    case 'string':
      // Under LOLOHA the answer is one of the candidates or any other string (core's stringIndex).
      return question.mechanism === 'loloha' || question.epsilonPermanent !== undefined ? [...question.domain.candidates, STRING_OTHER] : [...question.domain.candidates];
  }
}

/** Validates a campaign document (core's schema, defaults applied); throws PrivacyError CAMPAIGN_INVALID naming the path. */
export function parseCampaign(document: unknown): CampaignModel {
  const campaign = validateCampaign(document);
  const mechanisms = createCampaignMechanisms(campaign);
  const questions = new Map<string, QuestionModel>();
  for (const question of campaign.questions) {
    const levelled = question.levels === undefined ? undefined : new LevelledMechanism(question);
    questions.set(question.id, {
      id: question.id,
      type: question.type,
      labels: labelsOf(question),
      minBatch: question.minBatch,
      epsilon: question.epsilon,
      question,
      // LevelledMechanism has the members the collector uses (name, sumsLength, decodeReport, estimate, implementedEpsilon).
      mechanism: levelled === undefined ? mechanisms.get(question.id)! : (levelled as unknown as AnyMechanism),
      ...(levelled === undefined ? {} : { levelled }),
    });
  }
  return { id: campaign.id, version: campaign.version, document: campaign, questions };
}

/** Validates an ingest batch (core's wire schema and day window); throws PrivacyError REPORT_INVALID naming the path. */
export function parseBatch(body: unknown, window: DayWindow): WireBatch {
  return validateBatch(body, window);
}


/**
 * Small LRU of parsed campaign versions (building mechanisms is not free). Storage is insert-only
 * (a version's document never changes once published), so (id, version) names one content for
 * the life of a database and an entry can never go stale. `publishedAt` is in the key as well so
 * that a database swapped under a running process (a restore, a test) re-parses rather than
 * trusting the number alone.
 */
export class CampaignCache {
  private readonly entries = new Map<string, CampaignModel>();
  constructor(private readonly capacity = 256) {}

  get(id: string, version: number, publishedAt: string, document: unknown): CampaignModel {
    const key = `${id}\u0000${version}\u0000${publishedAt}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const model = parseCampaign(document);
    this.entries.set(key, model);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return model;
  }
}
