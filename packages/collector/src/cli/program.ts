/**
 * The `pp-collector` program (commander): one small file per command. `run` parses, runs, and
 * maps errors to an exit code (io.ts EXIT); it never calls process.exit, so tests run commands in
 * process. Only `serve` keeps the process alive (its signal handlers end it).
 */
import { packageVersion } from '../version.ts';
import { isPrivacyError } from '@practical-privacy/core';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { HttpError } from '../errors.ts';
import { RepositoryConflictError } from '../storage/repository.ts';
import { backupCommand } from './backup.ts';
import { campaignCommand } from './campaign.ts';
import { exportCommand } from './export.ts';
import { CliError, EXIT, type CliIo } from './io.ts';
import { migrateCommand } from './migrate.ts';
import { purgeCommand, tokensCommand } from './lifecycle.ts';
import { planCommand } from './plan.ts';
import { serveCommand } from './serve.ts';

/**
 * The top-level commands, in --help order. A new command is a file in src/cli/ exporting
 * `(io: CliIo) => Command`, added here (the admin commands — purge, tokens, plan — go here; a
 * campaign subcommand such as close goes in campaign.ts's CAMPAIGN_SUBCOMMANDS).
 */
const COMMANDS: ReadonlyArray<(io: CliIo) => Command> = [serveCommand, migrateCommand, campaignCommand, planCommand, exportCommand, backupCommand, purgeCommand, tokensCommand];

export { packageVersion } from '../version.ts';

export function buildProgram(io: CliIo): Command {
  const program = new Command('pp-collector')
    .description('Practical Privacy collector: ingest locally randomized reports, release debiased estimates.\nConfiguration: environment variables or serve flags (pp-collector serve --help; README "Configuration").')
    .version(`pp-collector ${packageVersion()}`, '-V, --version', 'print the version and exit')
    .helpCommand('help [command]', 'show help for a command')
    // Program options only before the command: `export --version 2` is export's campaign version.
    .enablePositionalOptions();
  for (const command of COMMANDS) program.addCommand(command(io));
  // Every command (and the program) reports usage errors through commander, writing to io, and
  // throws instead of exiting; the same settings reach subcommands of subcommands.
  const configure = (command: Command) => {
    command
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text) });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

/** Runs `argv` (without node and script); resolves with the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help, --version and `help` are answers (commander's exit code 0); everything else —
    // an unknown command or option, a missing argument, a group without its subcommand — is a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof ConfigError) {
    io.stderr(`${error.code}: configuration error: ${error.message}\n`);
    return EXIT.config;
  }
  if (error instanceof CliError) {
    io.stderr(`${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  if (isPrivacyError(error) || error instanceof HttpError || error instanceof RepositoryConflictError) {
    io.stderr(`${(error as { code: string }).code}: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  io.stderr(`ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failed;
}
