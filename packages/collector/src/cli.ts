/**
 * `pp-collector` command line.
 *
 *   pp-collector serve                      start the HTTP service (configuration from PP_* variables)
 *   pp-collector migrate                    apply database migrations and exit
 *   pp-collector campaign publish <file>    validate and publish a campaign JSON file directly to the database
 *                 [--ingest-key <key>]     (versions are immutable: identical content is a no-op, different
 *                                           content for a published version fails with CAMPAIGN_IMMUTABLE, exit 1)
 *   pp-collector export --campaign <id> --question <q> [--version n] [--format csv|rappor-params|rappor-counts|rappor-map] [--estimand population|respondents]
 *                                           write an export to stdout
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isEstimand, isPrivacyError } from '@practical-privacy/core';
import { parseCampaign } from './campaigns/model.ts';
import { splitPublishBody } from './routes/campaigns.ts';
import { ConfigError, loadConfig } from './config.ts';
import { HttpError } from './errors.ts';
import { startServer } from './server.ts';
import { openRepository } from './storage/open.ts';
import { RepositoryConflictError } from './storage/repository.ts';
import { exportQuestion, EXPORT_FORMATS, type ExportFormat } from './exports.ts';

const USAGE = `usage:
  pp-collector --help | --version
  pp-collector serve
  pp-collector migrate
  pp-collector campaign publish <file.json> [--ingest-key <key>]
  pp-collector export --campaign <id> --question <id> [--version <n>] [--format ${EXPORT_FORMATS.join('|')}] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--estimand population|respondents]
configuration: PP_PORT, PP_DATABASE_URL, PP_ADMIN_TOKEN, PP_READ_TOKEN, PP_ALLOWED_ORIGINS, … (see README.md)`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Help and version need no configuration: they answer even when PP_* variables are wrong.
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    // ../package.json from src/cli.ts and from dist/cli.js alike.
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`pp-collector ${version}`);
    return 0;
  }
  try {
    const config = loadConfig();
    switch (command) {
      case 'serve':
        await startServer(config);
        return -1; // keep running
      case 'migrate': {
        const repository = openRepository(config.databaseUrl);
        await repository.migrate();
        await repository.close();
        console.log(`migrated ${repository.kind} database`);
        return 0;
      }
      case 'campaign': {
        const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { 'ingest-key': { type: 'string' } } });
        if (positionals[0] !== 'publish' || positionals[1] === undefined) break;
        const body = JSON.parse(readFileSync(positionals[1], 'utf8')) as unknown;
        const { document, ingestKey } = splitPublishBody(body);
        const model = parseCampaign(document);
        const repository = openRepository(config.databaseUrl);
        try {
          await repository.migrate();
          const outcome = await repository.publishCampaign({ id: model.id, version: model.version, document: model.document, ingestKey: values['ingest-key'] ?? ingestKey });
          console.log(
            outcome === 'created'
              ? `campaign ${model.id} version ${model.version}: created`
              : `campaign ${model.id} version ${model.version}: unchanged (already published with identical content)`,
          );
        } finally {
          await repository.close();
        }
        return 0;
      }
      case 'export': {
        const { values } = parseArgs({
          args: rest,
          options: { campaign: { type: 'string' }, question: { type: 'string' }, version: { type: 'string' }, format: { type: 'string', default: 'csv' }, from: { type: 'string' }, to: { type: 'string' }, estimand: { type: 'string', default: 'population' } },
        });
        if (values.campaign === undefined || values.question === undefined || !EXPORT_FORMATS.includes(values.format as ExportFormat) || !isEstimand(values.estimand)) break;
        const repository = openRepository(config.databaseUrl);
        try {
          await repository.migrate();
          const text = await exportQuestion(repository, {
            campaignId: values.campaign,
            version: values.version === undefined ? undefined : Number(values.version),
            questionId: values.question,
            format: values.format as ExportFormat,
            from: values.from,
            to: values.to,
            estimand: values.estimand,
          });
          process.stdout.write(text);
        } finally {
          await repository.close();
        }
        return 0;
      }
    }
    console.error(USAGE);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
    else if (isPrivacyError(error) || error instanceof HttpError || error instanceof RepositoryConflictError) console.error(`${(error as { code: string }).code}: ${error.message}`);
    else if (error instanceof SyntaxError) console.error(`invalid JSON: ${error.message}`);
    else console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
