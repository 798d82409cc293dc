/**
 * `pp-collector serve`: the HTTP service. Every setting is a flag as well as an environment
 * variable (SETTINGS in config.ts; flags win), each secret also as `--…-file <path>`. Secrets on
 * the command line are visible to every local user in the process list: prefer the variables or
 * the `-file` flags. The effective configuration is logged once at start, secrets redacted.
 */
import { Command } from 'commander';
import { describeConfig, loadConfigWithSources, SETTINGS, type ConfigLayer, type Setting } from '../config.ts';
import { startServer } from '../server.ts';
import type { CliIo } from './io.ts';

/** Commander's camelCase option key of a flag: `database-url` → `databaseUrl`. */
const optionKey = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function serveCommand(io: CliIo): Command {
  const command = new Command('serve').description('start the HTTP service (runs migrations first); SIGTERM, SIGINT and SIGHUP drain and exit 0');
  command.option('--config <file>', 'JSON file of settings, keyed by variable name (env PP_CONFIG_FILE)');
  for (const setting of SETTINGS as readonly Setting[]) {
    const fallback = setting.fallback === undefined ? '' : `, then ${setting.fallback}`;
    const defaults = setting.default === undefined ? '' : `; default ${setting.default === '' ? '(empty)' : setting.default}`;
    command.option(`--${setting.flag} <${setting.arg}>`, `${setting.description} (env ${setting.env}${fallback}${defaults})`);
    if (setting.secret === true) command.option(`--${setting.flag}-file <path>`, `read ${setting.env} from this file, one trailing newline removed (env ${setting.env}_FILE)`);
  }
  return command.action(async (options: Record<string, string | undefined>) => {
    const flags: ConfigLayer = { PP_CONFIG_FILE: options.config };
    for (const setting of SETTINGS as readonly Setting[]) {
      flags[setting.env] = options[optionKey(setting.flag)];
      if (setting.secret === true) flags[`${setting.env}_FILE`] = options[optionKey(`${setting.flag}-file`)];
    }
    const loaded = loadConfigWithSources(io.env, flags);
    await startServer(loaded.config, { effectiveConfig: describeConfig(loaded) });
  });
}
