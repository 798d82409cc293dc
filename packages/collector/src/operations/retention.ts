/**
 * Aggregate retention per campaign: the server's periodic maintenance (maintenance.ts) deletes the
 * campaign's day cells (and any report ids left) of days older than N days, with one audit row per
 * campaign and pass. N is at least the report window + 2 days — the age past which ingest refuses
 * a day and report ids are purged anyway — so a deleted day can never be refilled by a late or
 * retried report (which would then be counted without its earlier copies).
 */
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { OperationContext } from './context.ts';
import { auditRecord } from './context.ts';
import { requirePublished } from './campaign-lookup.ts';

export const RetentionBodySchema = v.strictObject({
  days: v.nullable(
    v.pipe(v.number('must be a number of days, or null to keep aggregates'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(36_500, 'must be at most 36500')),
  ),
});

/** The shortest retention the collector accepts for a report window of `reportWindowDays`. */
export function minimumRetentionDays(reportWindowDays: number): number {
  return reportWindowDays + 2;
}

export interface RetentionResult {
  id: string;
  retentionDays: number | null;
}

export async function setRetention(ctx: OperationContext & { reportWindowDays: number }, input: { campaignId: string; body: unknown }): Promise<RetentionResult> {
  const id = await requirePublished(ctx, input.campaignId);
  const { days } = parseInput(RetentionBodySchema, input.body);
  const minimum = minimumRetentionDays(ctx.reportWindowDays);
  if (days !== null && days < minimum) {
    throw new HttpError(400, 'REQUEST_INVALID', `days: must be at least ${minimum} (the report window of ${ctx.reportWindowDays} days + 2): a younger day can still receive reports, and deleting it would count late retries again`, 'days');
  }
  await ctx.repository.setRetention(id, days, auditRecord(ctx, 'campaign.retention', { campaignId: id }));
  return { id, retentionDays: days };
}
