/**
 * `pp-collector campaign …`: campaign versions straight in the configured database.
 *   publish <file> [--ingest-key <key>]   validate and publish a campaign JSON file
 *   list [--json]                          every published version, with its report count
 *   close <id>                             ingest refused from now on (lifecycle.ts)
 * Further subcommands (e.g. `campaign close`) are added to CAMPAIGN_SUBCOMMANDS, one file each.
 */
import { Command } from 'commander';
import { parseCampaign } from '../campaigns/model.ts';
import { splitPublishBody } from '../routes/campaigns.ts';
import { publishCampaign } from '../operations/publish-campaign.ts';
import { formatPlanTable } from '../plan.ts';
import { databaseFlags, withDatabaseOptions, withRepository, type CliIo } from './io.ts';
import { readJsonFile } from './read-json.ts';
import { cliActor, closeCommand } from './lifecycle.ts';

export function campaignCommand(io: CliIo): Command {
  const campaign = new Command('campaign').description('publish and list campaign versions in the configured database');
  for (const subcommand of CAMPAIGN_SUBCOMMANDS) campaign.addCommand(subcommand(io));
  return campaign;
}

const CAMPAIGN_SUBCOMMANDS: ReadonlyArray<(io: CliIo) => Command> = [publishCommand, listCommand, closeCommand];

function publishCommand(io: CliIo): Command {
  return withDatabaseOptions(
    new Command('publish')
      .description('validate a campaign JSON file and publish it; versions are immutable (identical content: unchanged; different content: CAMPAIGN_IMMUTABLE); audited')
      .argument('<file>', 'campaign document, or { "campaign": …, "ingestKey": "…", "plan": { "patients": N, "strict"?: true } }')
      .option('--ingest-key <key>', 'publishable key clients must present to ingest (8–128 characters of A–Z a–z 0–9 _ -)'),
  ).action(async (file: string, options: { ingestKey?: string; databaseUrl?: string; config?: string }) => {
    const body = readJsonFile(file);
    // Everything is validated before the database is opened: a bad file changes nothing.
    // The file may be an envelope with its own ingestKey; --ingest-key replaces it (and is checked the same way).
    const fromFile = splitPublishBody(body);
    const model = parseCampaign(fromFile.document);
    if (options.ingestKey !== undefined) splitPublishBody({ campaign: fromFile.document, ingestKey: options.ingestKey });
    // The admin API's operation: the same checks (closed campaign, strict plan) and an audit row.
    const result = await withRepository(io, databaseFlags(options), (repository) =>
      publishCampaign({ repository, now: () => new Date(), actor: cliActor() }, { body, ...(options.ingestKey === undefined ? {} : { ingestKey: options.ingestKey }) }),
    );
    io.stdout(
      result.outcome === 'created' ? `campaign ${model.id} version ${model.version}: created\n` : `campaign ${model.id} version ${model.version}: unchanged (already published with identical content)\n`,
    );
    if (result.plan !== undefined) io.stdout(`${formatPlanTable(result.plan)}\n`);
  });
}

function listCommand(io: CliIo): Command {
  return withDatabaseOptions(new Command('list').description('list every published campaign version with its number of questions and of reports aggregated').option('--json', 'one JSON array instead of a table')).action(
    async (options: { json?: boolean; databaseUrl?: string; config?: string }) => {
      const rows = await withRepository(io, databaseFlags(options), async (repository) => {
        const campaigns = await repository.listPublishedCampaigns();
        return Promise.all(
          campaigns.map(async (c) => {
            const document = c.document as { title?: unknown; questions?: unknown };
            const questions = Array.isArray(document.questions) ? (document.questions as Array<{ id?: unknown }>).map((q) => String(q.id)) : [];
            // Reports aggregated so far: index 0 of every question's cells is its report count
            // (report ids themselves are purged after the acceptance window).
            let reports = 0;
            for (const questionId of questions) for (const cell of await repository.readSums({ campaignId: c.id, version: c.version, questionId })) if (cell.index === 0) reports += cell.sum;
            return {
              id: c.id,
              version: c.version,
              title: typeof document.title === 'string' ? document.title : '',
              questions: questions.length,
              reports,
              ingestKey: c.ingestKey !== undefined,
              publishedAt: c.publishedAt,
            };
          }),
        );
      });
      if (options.json === true) {
        io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        io.stdout('no campaigns published\n');
        return;
      }
      const table = [['id', 'version', 'questions', 'reports', 'ingest key', 'published at', 'title'], ...rows.map((r) => [r.id, String(r.version), String(r.questions), String(r.reports), r.ingestKey ? 'yes' : 'no', r.publishedAt, r.title])];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      io.stdout(`${table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`);
    },
  );
}
