/**
 * `pp-collector export`: the read API's exports, to stdout, from the configured database.
 * Without `--question`, every question of the campaign version in one CSV (the `question` column
 * tells them apart; one header). The RAPPOR formats are per question.
 */
import { ESTIMANDS, isEstimand, isValidDay, type Estimand } from '@practical-privacy/core';
import { Command, Option } from 'commander';
import type { Bucket } from '../estimates.ts';
import { exportQuestion, EXPORT_FORMATS, type ExportFormat } from '../exports.ts';
import { HttpError } from '../errors.ts';
import { MERGE_VERSIONS } from '../merge-versions.ts';
import { CliError, databaseFlags, withDatabaseOptions, withRepository, type CliIo } from './io.ts';

const BUCKETS: readonly Bucket[] = ['day', 'week', 'total'];

interface ExportOptions {
  campaign: string;
  question?: string;
  version?: string;
  format: ExportFormat;
  bucket: Bucket;
  from?: string;
  to?: string;
  estimand: string;
  versions?: string;
  databaseUrl?: string;
  config?: string;
}

export function exportCommand(io: CliIo): Command {
  return withDatabaseOptions(
    new Command('export')
      .description('write an export to stdout: estimates as CSV (all questions without --question), or a RAPPOR question\'s Google analysis files')
      .requiredOption('--campaign <id>', 'campaign id')
      .option('--question <id>', 'question id (default: every question, csv only)')
      .option('--version <n>', 'campaign version (default: the latest)')
      .addOption(new Option('--versions <mode>', 'merge: sum each question over every version that has it, if its definition is unchanged (README "Merging versions"); not with --version').choices([MERGE_VERSIONS]))
      .addOption(new Option('--format <format>', 'export format').choices(EXPORT_FORMATS).default('csv'))
      .addOption(new Option('--bucket <bucket>', 'cells of the csv export: a UTC day, an ISO week, or the whole range').choices(BUCKETS).default('total'))
      .option('--from <YYYY-MM-DD>', 'first day (inclusive)')
      .option('--to <YYYY-MM-DD>', 'last day (inclusive)')
      .addOption(new Option('--estimand <estimand>', 'what the csv intervals are for').choices(ESTIMANDS).default('population')),
  ).action(async (options: ExportOptions) => {
    const request = validate(options);
    const text = await withRepository(io, databaseFlags(options), async (repository) => {
      const base = { campaignId: options.campaign, version: request.version, format: options.format, from: options.from, to: options.to, bucket: options.bucket, estimand: request.estimand, mergeVersions: request.mergeVersions };
      if (options.question !== undefined) return exportQuestion(repository, { ...base, questionId: options.question });
      const stored = await repository.getCampaign(options.campaign, request.version);
      if (stored === undefined) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', `campaign ${options.campaign}${request.version === undefined ? '' : ` version ${request.version}`} is not published`);
      const questions = (stored.document as { questions: Array<{ id: string }> }).questions.map((q) => q.id);
      const parts = [];
      // The version found above, so every question comes from the same version even if one is published meanwhile.
      // Merged: each question of the latest version over every version that has it (merge-versions.ts).
      for (const questionId of questions) parts.push(await exportQuestion(repository, { ...base, version: request.mergeVersions ? undefined : stored.version, questionId }));
      return parts.map((part, i) => (i === 0 ? part : part.slice(part.indexOf('\n') + 1))).join('');
    });
    io.stdout(text);
  });
}

function validate(options: ExportOptions): { version: number | undefined; estimand: Estimand; mergeVersions: boolean } {
  for (const key of ['from', 'to'] as const) {
    const day = options[key];
    if (day !== undefined && !isValidDay(day)) throw new CliError('REQUEST_INVALID', `--${key}: must be a calendar date YYYY-MM-DD (years 2000–9999), got ${day}`);
  }
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) throw new CliError('REQUEST_INVALID', `--from must not be after --to (${options.from} > ${options.to})`);
  let version: number | undefined;
  if (options.version !== undefined) {
    version = /^[1-9]\d{0,9}$/.test(options.version) ? Number(options.version) : NaN;
    if (!(version >= 1 && version <= 2 ** 31 - 1)) throw new CliError('REQUEST_INVALID', `--version: must be an integer 1 … ${2 ** 31 - 1}, got ${options.version}`);
  }
  if (options.format !== 'csv' && options.question === undefined) throw new CliError('REQUEST_INVALID', `--format ${options.format} is per question: give --question`);
  if (!isEstimand(options.estimand)) throw new CliError('REQUEST_INVALID', `--estimand: must be ${ESTIMANDS.join(' or ')}`);
  const mergeVersions = options.versions === MERGE_VERSIONS;
  if (mergeVersions && version !== undefined) throw new CliError('REQUEST_INVALID', '--versions merge covers every version that has the question: leave out --version');
  return { version, estimand: options.estimand, mergeVersions };
}
