/**
 * The collector's view of a campaign: the validated document plus, per question, the exact
 * mechanism the device used (built from the same parameters, so debiasing matches randomizing).
 * This is the one file that knows which validators and mechanism factory come from core.
 */
import { BinaryRandomizedResponse, GeneralizedRandomizedResponse, PrivacyError, type Mechanism } from '@practical-privacy/core';
import * as v from 'valibot';
import { BatchSchema, CampaignSchema, type InterimCampaign, type InterimQuestion, type WireBatch } from './interim-schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMechanism = Mechanism<any, any, any>;

export interface QuestionModel {
  id: string;
  type: string;
  /** Labels of the domain values in sum-vector order (categorical/boolean). */
  labels: string[];
  minBatch: number;
  epsilon: number;
  mechanism: AnyMechanism;
}

export interface CampaignModel {
  id: string;
  version: number;
  document: InterimCampaign;
  questions: Map<string, QuestionModel>;
}

export const DEFAULT_MIN_BATCH = 20;

function issueToError(code: 'CAMPAIGN_INVALID' | 'REPORT_INVALID', issues: v.BaseIssue<unknown>[]): PrivacyError {
  const issue = issues[0]!;
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return new PrivacyError(code, 'input', `${path === '' ? 'body' : path}: ${issue.message}`, { path });
}

/** Validates a campaign document; throws PrivacyError CAMPAIGN_INVALID naming the path. */
export function parseCampaign(document: unknown): CampaignModel {
  const result = v.safeParse(CampaignSchema, document);
  if (!result.success) throw issueToError('CAMPAIGN_INVALID', result.issues);
  const campaign = result.output;
  const questions = new Map<string, QuestionModel>();
  campaign.questions.forEach((question, i) => {
    if (questions.has(question.id)) throw new PrivacyError('CAMPAIGN_INVALID', 'input', `questions.${i}.id: duplicate question id ${question.id}`, { path: `questions.${i}.id` });
    try {
      questions.set(question.id, questionModel(question));
    } catch (error) {
      if (error instanceof PrivacyError) throw new PrivacyError('CAMPAIGN_INVALID', 'input', `questions.${i}: ${error.message}`, { path: `questions.${i}` });
      throw error;
    }
  });
  return { id: campaign.id, version: campaign.version, document: campaign, questions };
}

function questionModel(question: InterimQuestion): QuestionModel {
  const minBatch = question.minBatch ?? DEFAULT_MIN_BATCH;
  if (question.type === 'boolean') {
    if (question.categories !== undefined) throw new PrivacyError('CAMPAIGN_INVALID', 'input', 'boolean questions have no categories');
    return { id: question.id, type: 'boolean', labels: ['false', 'true'], minBatch, epsilon: question.epsilon, mechanism: new BinaryRandomizedResponse({ epsilon: question.epsilon }) };
  }
  const labels = question.categories;
  if (labels === undefined) throw new PrivacyError('CAMPAIGN_INVALID', 'input', 'categorical questions need categories');
  return { id: question.id, type: 'categorical', labels, minBatch, epsilon: question.epsilon, mechanism: new GeneralizedRandomizedResponse({ k: labels.length, epsilon: question.epsilon }) };
}

/** Validates the shape of an ingest batch; throws PrivacyError REPORT_INVALID naming the path. */
export function parseBatch(body: unknown): WireBatch {
  const result = v.safeParse(BatchSchema, body);
  if (!result.success) throw issueToError('REPORT_INVALID', result.issues);
  return result.output;
}

/** Small LRU of parsed campaign versions: building mechanisms is not free and versions are immutable once used. */
export class CampaignCache {
  private readonly entries = new Map<string, CampaignModel>();
  constructor(private readonly capacity = 256) {}

  /** `publishedAt` is part of the key: a version re-published before it had reports is re-parsed. */
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
