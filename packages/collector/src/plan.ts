/**
 * The planner at publish time (issue 14 §3): `POST /v1/campaigns` and the CLI's `campaign publish`
 * take the expected patients per period (and optionally a target 95% half-width per question) in
 * the publish envelope's `plan`, and answer with core's `planCampaign` — per question the predicted
 * half-width (population estimand), whether minBatch is reached, the ε and the patients a target
 * needs, and warnings for a clinic. `strict: true` refuses to publish (422 PLAN_INSUFFICIENT,
 * nothing stored) while any question has a warning. `pp-collector plan` prints the same table
 * without publishing.
 */
import { isPrivacyError, planCampaign, type CampaignPlan } from '@practical-privacy/core';
import { HttpError } from './errors.ts';

export interface PlanRequest {
  patients: number;
  targets?: Record<string, number>;
  strict: boolean;
}

/** Validates the envelope's `plan` field (undefined: no plan asked for). */
export function parsePlanRequest(value: unknown): PlanRequest | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('plan', 'must be an object { patients, targets?, strict? }');
  const { patients, targets, strict, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalid(`plan.${extra}`, 'unknown field');
  if (typeof patients !== 'number' || !Number.isInteger(patients) || patients < 1) throw invalid('plan.patients', 'must be a positive integer (patients reporting per period)');
  if (strict !== undefined && typeof strict !== 'boolean') throw invalid('plan.strict', 'must be true or false');
  let parsedTargets: Record<string, number> | undefined;
  if (targets !== undefined) {
    if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) throw invalid('plan.targets', 'must map question ids to half-widths');
    parsedTargets = {};
    for (const [id, target] of Object.entries(targets as Record<string, unknown>)) {
      if (typeof target !== 'number' || !Number.isFinite(target)) throw invalid(`plan.targets.${id}`, 'must be a number');
      parsedTargets[id] = target;
    }
  }
  return { patients, ...(parsedTargets === undefined ? {} : { targets: parsedTargets }), strict: strict ?? false };
}

/** Plans a campaign document; a planner refusal (bad target, unknown question) is 400 naming the field. */
export function planForPublish(document: unknown, request: PlanRequest): CampaignPlan {
  try {
    return planCampaign(document, { patients: request.patients, ...(request.targets === undefined ? {} : { targets: request.targets }) });
  } catch (error) {
    if (isPrivacyError(error)) throw new HttpError(400, error.code === 'CAMPAIGN_INVALID' ? error.code : 'REQUEST_INVALID', error.message, `plan.${error.path ?? ''}`.replace(/\.$/, ''));
    throw error;
  }
}

/** Strict mode: the warnings as one 422 whose message a clinic can read. */
export function refuseIfStrict(plan: CampaignPlan, request: PlanRequest): void {
  if (!request.strict || plan.warnings.length === 0) return;
  throw new HttpError(422, 'PLAN_INSUFFICIENT', `not published: ${plan.warnings.map((w) => w.message).join(' ')}`, `questions.${plan.warnings[0]!.questionId}`);
}

/** The plan as a fixed-width table (the CLI's `plan` and `campaign publish --patients`). */
export function formatPlanTable(plan: CampaignPlan): string {
  const rows = plan.questions.map((q) => [
    q.questionId,
    q.mechanism,
    q.period,
    String(q.epsilon) + (q.epsilonPermanent === undefined ? '' : ` / ε∞ ${q.epsilonPermanent}`),
    q.halfWidth95 === undefined ? (q.detectableShare === undefined ? '—' : `detect ≥ ${(q.detectableShare * 100).toFixed(1)}%`) : width(q.type, q.halfWidth95),
    q.target === undefined ? '—' : width(q.type, q.target) + (q.targetGiven ? '' : ' (default)'),
    q.patientsForTarget === undefined ? '—' : String(q.patientsForTarget),
    q.epsilonForTarget === undefined ? '—' : String(q.epsilonForTarget),
    q.reachesMinBatch ? 'yes' : `no (< ${q.minBatch})`,
  ]);
  const header = ['question', 'mechanism', 'period', 'ε', '95% ± (population)', 'target', 'patients for target', 'ε for target', 'min batch'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`plan for ${plan.campaignId} v${plan.version} with ${plan.patients} patients per period (worst case over true answers)`, line(header), ...rows.map(line)];
  // Questions with privacy levels: what mix the ± assumed, and the strictest level's beside it.
  for (const q of plan.questions) {
    if (q.levelMix === undefined) continue;
    const assumed = q.levelMix.assignment === 'random' ? `levels drawn at random (${q.levelMix.shares.map((share) => `${(share * 100).toFixed(0)}%`).join(' / ')})` : 'every report at the default level (patients may choose stricter ones)';
    out.push(`levels: ${q.questionId}: the ± assumes ${assumed}; every report at the strictest level: ${width(q.type, q.levelMix.strictestHalfWidth95)}`);
  }
  for (const w of plan.warnings) out.push(`warning: ${w.message}`);
  return out.join('\n');
}

function width(type: string, value: number): string {
  return type === 'numeric' ? `±${value.toFixed(2)}` : `±${(value * 100).toFixed(1)} pts`;
}

function invalid(path: string, message: string): HttpError {
  return new HttpError(400, 'REQUEST_INVALID', `${path}: ${message}`, path);
}
