/**
 * `pp-collector plan <file> --patients N [--target question=halfWidth …] [--json]`: the planner's
 * per-question prediction (plan.ts, core's planCampaign) without publishing and without a
 * database — the same figures `POST /v1/campaigns` answers with a `plan` envelope.
 */
import { planCampaign } from '@practical-privacy/core';
import { Command, InvalidArgumentError } from 'commander';
import { formatPlanTable } from '../plan.ts';
import { CliError, type CliIo } from './io.ts';
import { readJsonFile } from './read-json.ts';

export function planCommand(io: CliIo): Command {
  return new Command('plan')
    .description('predict each question\'s 95% interval half-width (population, worst case) for N patients per period, and what a target needs; nothing is published')
    .argument('<file>', 'campaign document, or a publish envelope { "campaign": … }')
    .requiredOption('--patients <n>', 'patients whose reports reach the collector per period (a day for daily questions)', positiveInteger)
    .option('--target <question=halfWidth>', 'a target 95% half-width for a question (a share, 0.04 = ±4 points; answer units for numeric); repeatable', collectTarget, {} as Record<string, number>)
    .option('--json', 'the plan as JSON')
    .action((file: string, options: { patients: number; target: Record<string, number>; json?: boolean }) => {
      const body = readJsonFile(file) as { campaign?: unknown };
      const document = typeof body === 'object' && body !== null && 'campaign' in body ? body.campaign : body;
      let plan;
      try {
        plan = planCampaign(document, { patients: options.patients, targets: options.target });
      } catch (error) {
        const e = error as { code?: string; message: string };
        throw new CliError(e.code ?? 'PLAN_FAILED', e.message);
      }
      io.stdout(options.json === true ? `${JSON.stringify(plan, null, 2)}\n` : `${formatPlanTable(plan)}\n`);
    });
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
}

function collectTarget(value: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([^=]+)=(.+)$/.exec(value);
  const width = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !Number.isFinite(width)) throw new InvalidArgumentError('question=halfWidth, e.g. low-mood=0.05');
  return { ...previous, [match[1]!]: width };
}
