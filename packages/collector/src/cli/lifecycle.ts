/**
 * Lifecycle and token administration from the command line, through the same operations as the
 * admin API (src/operations/*.ts: same checks, same audit rows, actor `cli:<user>`):
 *   campaign close <id>                 ingest refused with CAMPAIGN_CLOSED from now on; estimates stay
 *   purge <id> --confirm <id>           delete a closed campaign's reports and aggregates
 *   tokens list | create --label --role [--expires-at] [--campaign …] | revoke <label>
 */
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { closeCampaign } from '../operations/close-campaign.ts';
import type { OperationContext } from '../operations/context.ts';
import { purgeCampaign } from '../operations/purge-campaign.ts';
import { createToken, listTokens, revokeToken } from '../operations/tokens.ts';
import type { Repository } from '../storage/repository.ts';
import { databaseFlags, withDatabaseOptions, withRepository, type CliIo } from './io.ts';

type DatabaseOptions = { databaseUrl?: string; config?: string };

/** Who the audit log records for a command-line action. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function withOperations<T>(io: CliIo, options: DatabaseOptions, work: (ctx: OperationContext) => Promise<T>): Promise<T> {
  return withRepository(io, databaseFlags(options), (repository: Repository) => work({ repository, now: () => new Date(), actor: cliActor() }));
}

function print(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

export function closeCommand(io: CliIo): Command {
  return withDatabaseOptions(new Command('close').description('close a campaign: every version\'s ingest is refused with CAMPAIGN_CLOSED from now on; estimates are still served (audited)').argument('<id>', 'campaign id')).action(
    async (id: string, options: DatabaseOptions) => print(io, await withOperations(io, options, (ctx) => closeCampaign(ctx, { campaignId: id }))),
  );
}

export function purgeCommand(io: CliIo): Command {
  return withDatabaseOptions(
    new Command('purge')
      .description('delete every report id, raw report and aggregate of a CLOSED campaign (audited); --confirm must repeat the id')
      .argument('<id>', 'campaign id')
      .requiredOption('--confirm <id>', 'the campaign id again'),
  ).action(async (id: string, options: DatabaseOptions & { confirm: string }) => print(io, await withOperations(io, options, (ctx) => purgeCampaign(ctx, { campaignId: id, query: { confirm: options.confirm } }))));
}

export function tokensCommand(io: CliIo): Command {
  const tokens = new Command('tokens').description('API bearer tokens stored in the database (several valid at once: rotate without downtime)');
  tokens.addCommand(withDatabaseOptions(new Command('list').description('every stored token: label, role, scope, expiry, status (never the token)')).action(async (options: DatabaseOptions) => print(io, await withOperations(io, options, (ctx) => listTokens(ctx)))));
  tokens.addCommand(
    withDatabaseOptions(
      new Command('create')
        .description('create a token; it is printed once and only its hash is stored')
        .requiredOption('--label <label>', 'a unique name, recorded in the audit log')
        .requiredOption('--role <role>', 'admin or read')
        .option('--expires-at <time>', 'ISO 8601 time after which it is refused')
        .option('--campaign <id...>', 'read tokens: the campaigns it may read (default all)'),
    ).action(async (options: DatabaseOptions & { label: string; role: string; expiresAt?: string; campaign?: string[] }) => {
      const body = { label: options.label, role: options.role, ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }), ...(options.campaign === undefined ? {} : { campaigns: options.campaign }) };
      print(io, await withOperations(io, options, (ctx) => createToken(ctx, { body })));
    }),
  );
  tokens.addCommand(withDatabaseOptions(new Command('revoke').description('revoke a token (refused from the next request on, on every instance)').argument('<label>', 'the token\'s label')).action(async (label: string, options: DatabaseOptions) => print(io, await withOperations(io, options, (ctx) => revokeToken(ctx, { label })))));
  return tokens;
}
