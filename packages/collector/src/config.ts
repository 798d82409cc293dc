/**
 * Collector configuration, validated once at boot. A bad value stops the process with a message
 * that names the variable or flag, so a misconfigured deployment never half-starts.
 *
 * Every setting is in SETTINGS: its environment variable, its `serve` flag, its default, and
 * whether it is a secret. Layers, later winning: defaults < the JSON file named by PP_CONFIG_FILE
 * (`--config`) < environment < flags. `PORT` and `DATABASE_URL` (the conventions of PaaS hosts
 * and container platforms) are used when PP_PORT / PP_DATABASE_URL are set in no layer.
 * Each secret also has a `*_FILE` variant (container secrets: `PP_ADMIN_TOKEN_FILE=/run/secrets/…`,
 * flag `--admin-token-file`): the file is read and one trailing newline removed. Setting both the
 * value and its file in one layer is a ConfigError: which one was meant is unknowable.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { validateTokenKeyList, type TokenKeyList } from '@practical-privacy/core';

export interface CollectorConfig {
  host: string;
  port: number;
  /** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…` / `postgresql://…`. */
  databaseUrl: string;
  /** Bearer token for publishing campaigns. Unset: admin routes answer 401 to everyone. */
  adminToken: string | undefined;
  /** Bearer token for the read API (estimates, exports). Unset: read routes answer 401. */
  readToken: string | undefined;
  /**
   * Bearer token for `/metrics` (per-campaign ingest counters reveal volume over time). Unset:
   * `/metrics` stays public and a warning is logged at boot — then bind or filter it privately.
   */
  metricsToken: string | undefined;
  /** Origins allowed to POST reports from a browser; `*` allows any. Empty: no CORS headers. */
  allowedOrigins: string[];
  /** Reports whose day is older than this many days are refused; report ids are kept this long for dedupe. */
  reportWindowDays: number;
  /** Keep encoded reports (not only aggregates) — off by default. */
  keepRawReports: boolean;
  /** Days encoded reports are kept when keepRawReports is on. */
  rawRetentionDays: number;
  /** Largest accepted request body in bytes (413 above). */
  bodyLimitBytes: number;
  /** Largest number of reports in one batch. */
  maxBatchReports: number;
  /** Requests per minute per client address for ingest (the address is used in memory only). */
  rateLimitPerMinute: number;
  /** Event-loop delay (ms) above which requests are shed with 503. 0 disables. */
  maxEventLoopDelayMs: number;
  /**
   * Longest time (ms) a client may take to send a whole request, headers and body; the connection
   * is closed (408) after it, however slowly the bytes keep arriving. Headers must arrive within
   * min(60 s, this).
   */
  requestTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Failed bearer-token attempts per minute per client address before 429 on authenticated routes. */
  authFailuresPerMinute: number;
  /**
   * Peers whose X-Forwarded-For is believed (only for rate limiting; never stored): false, or a list
   * of addresses / CIDRs / proxy-addr names. PP_TRUST_PROXY=true means loopback, link-local and
   * private networks — never every peer, which would let any client spoof its address.
   */
  trustProxy: false | string[];
  /**
   * On SIGTERM/SIGINT/SIGHUP, how long (ms) to keep serving with /readyz answering 503 before the
   * listener closes, so that a load balancer polling /readyz stops sending first. A second signal
   * ends the delay early. 0: close at once.
   */
  drainDelayMs: number;
  /** Longest time (ms) the drain may take once the listener is closed; past it the process exits 1. */
  shutdownTimeoutMs: number;
  /** Issue 17: the issuer's published token key list, given inline (PP_TOKEN_KEYS, validated at boot). */
  tokenKeys: TokenKeyList | undefined;
  /** Issue 17: file holding that list (PP_TOKEN_KEYS_FILE, re-read when it changes). Neither set: no keys. */
  tokenKeysFile: string | undefined;
  /** Directory served at /dashboard/ (the dashboard package's build); unset: no /dashboard route. */
  dashboardDir: string | undefined;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max: number) => v.pipe(v.string(), v.regex(/^\d+$/, 'must be a non-negative integer'), v.transform(Number), v.number(), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const bool = v.pipe(v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'), v.transform((s) => s === 'true' || s === '1' || s === 'yes'));
const token = v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'));
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const trustProxy = v.pipe(
  v.string(),
  v.transform((s) => s.trim()),
  v.check((s) => /^(true|false|1|0|yes|no)$/.test(s) || s.split(',').every((p) => /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?)$/.test(p.trim())), 'must be true, false or a comma-separated list of addresses/CIDRs'),
  v.transform((s): false | string[] => {
    if (/^(false|0|no)$/.test(s)) return false;
    if (/^(true|1|yes)$/.test(s)) return ['loopback', 'linklocal', 'uniquelocal'];
    return s.split(',').map((p) => p.trim());
  }),
);

export interface Setting {
  /** Environment variable, also the key in the PP_CONFIG_FILE object. */
  env: string;
  /** `serve` flag (long name without `--`). */
  flag: string;
  /** Value placeholder shown in --help. */
  arg: string;
  /** Default as the text a variable would hold; undefined: unset. */
  default: string | undefined;
  /** A secret: never logged, has a `*_FILE` variant. */
  secret?: boolean;
  /** Conventional variable read when `env` is set in no layer. */
  fallback?: string;
  description: string;
  schema: v.GenericSchema<string, unknown>;
}

/** Every setting, in the order of the README's table and of `pp-collector serve --help`. */
export const SETTINGS = [
  { env: 'PP_PORT', flag: 'port', arg: 'n', default: '8787', fallback: 'PORT', description: 'HTTP port', schema: int(0, 65_535) },
  { env: 'PP_HOST', flag: 'host', arg: 'address', default: '0.0.0.0', description: 'listen address', schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')) },
  {
    env: 'PP_DATABASE_URL',
    flag: 'database-url',
    arg: 'url',
    default: 'sqlite:./data/collector.db',
    fallback: 'DATABASE_URL',
    secret: true,
    description: 'sqlite:<path>, sqlite::memory: or postgres://user:password@host:5432/db[?schema=name] (a secret: it may hold a password)',
    schema: v.pipe(v.string(), v.regex(/^(sqlite:.|postgres(ql)?:\/\/.)/, 'must be sqlite:<path>, sqlite::memory: or postgres://…')),
  },
  { env: 'PP_ADMIN_TOKEN', flag: 'admin-token', arg: 'token', default: undefined, secret: true, description: 'bearer token for publishing campaigns (≥ 16 characters); unset: publishing over HTTP is disabled', schema: token },
  { env: 'PP_READ_TOKEN', flag: 'read-token', arg: 'token', default: undefined, secret: true, description: 'bearer token for estimates and exports (≥ 16 characters); unset: the read API is disabled', schema: token },
  { env: 'PP_METRICS_TOKEN', flag: 'metrics-token', arg: 'token', default: undefined, secret: true, description: 'bearer token for /metrics (≥ 16 characters); unset: /metrics is public (warning at boot)', schema: token },
  { env: 'PP_ALLOWED_ORIGINS', flag: 'allowed-origins', arg: 'origins', default: '', description: 'comma-separated origins allowed by CORS (* for any); empty: no CORS headers', schema: v.string() },
  { env: 'PP_REPORT_WINDOW_DAYS', flag: 'report-window-days', arg: 'days', default: '30', description: 'reports dated earlier are refused; report ids are kept this long (+2 days) for dedupe', schema: int(1, 3650) },
  { env: 'PP_KEEP_RAW_REPORTS', flag: 'keep-raw-reports', arg: 'bool', default: 'false', description: 'also store each encoded report (not only sums)', schema: bool },
  { env: 'PP_RAW_RETENTION_DAYS', flag: 'raw-retention-days', arg: 'days', default: '30', description: 'how long encoded reports are kept when kept at all (hourly purge)', schema: int(1, 3650) },
  { env: 'PP_BODY_LIMIT_BYTES', flag: 'body-limit-bytes', arg: 'bytes', default: String(1024 * 1024), description: 'larger request bodies get 413', schema: int(1024, 64 * 1024 * 1024) },
  { env: 'PP_MAX_BATCH_REPORTS', flag: 'max-batch-reports', arg: 'n', default: '1000', description: 'more reports in one batch get 413', schema: int(1, 100_000) },
  { env: 'PP_RATE_LIMIT_PER_MINUTE', flag: 'rate-limit-per-minute', arg: 'n', default: '600', description: 'ingest requests per minute per client address, per instance (address held in memory only)', schema: int(1, 10_000_000) },
  { env: 'PP_MAX_EVENT_LOOP_DELAY_MS', flag: 'max-event-loop-delay-ms', arg: 'ms', default: '1000', description: 'event-loop lag above which requests are shed with 503; 0 disables', schema: int(0, 60_000) },
  { env: 'PP_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms', arg: 'ms', default: '30000', description: 'longest time a client may take to send a whole request (408 after it)', schema: int(100, 3_600_000) },
  { env: 'PP_LOG_LEVEL', flag: 'log-level', arg: 'level', default: 'info', description: `pino log level (${LOG_LEVELS.join(', ')})`, schema: v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`) },
  { env: 'PP_AUTH_FAILURES_PER_MINUTE', flag: 'auth-failures-per-minute', arg: 'n', default: '30', description: 'failed bearer-token attempts per minute per client address before 429', schema: int(1, 1_000_000) },
  { env: 'PP_TRUST_PROXY', flag: 'trust-proxy', arg: 'peers', default: 'false', description: 'peers whose X-Forwarded-For is believed (rate limiting only): false, true (private networks) or addresses/CIDRs', schema: trustProxy },
  { env: 'PP_DRAIN_DELAY_MS', flag: 'drain-delay-ms', arg: 'ms', default: '0', description: 'on a stop signal, keep serving this long with /readyz answering 503 before closing (a second signal ends it)', schema: int(0, 600_000) },
  { env: 'PP_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout-ms', arg: 'ms', default: '30000', description: 'longest drain of in-flight requests after the listener closes; past it the process exits 1', schema: int(100, 600_000) },
  { env: 'PP_TOKEN_KEYS', flag: 'token-keys', arg: 'json', default: undefined, description: 'issue 17: the token issuer\'s published key list itself (its GET /v1/token-keys answer, JSON); or PP_TOKEN_KEYS_FILE; neither: no campaign can require tokens', schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')) },
  { env: 'PP_TOKEN_KEYS_FILE', flag: 'token-keys-file', arg: 'file', default: undefined, description: 'issue 17: file holding that list, re-read within 30 s when it changes (an operator\'s sync from the issuer); not with PP_TOKEN_KEYS', schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')) },
  { env: 'PP_DASHBOARD_DIR', flag: 'dashboard-dir', arg: 'dir', default: undefined, description: "directory served at /dashboard/ (the dashboard's build, packages/dashboard/dist); unset: no /dashboard", schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')) },
] as const satisfies readonly Setting[];

type SettingEnv = (typeof SETTINGS)[number]['env'];

/** Every variable name loadConfig reads from a layer: the settings, the `*_FILE` variants of secrets. */
export const CONFIG_VARIABLES: readonly string[] = SETTINGS.flatMap((s: Setting) => (s.secret === true ? [s.env, `${s.env}_FILE`] : [s.env]));

/** Values keyed by variable name (PP_PORT, PP_ADMIN_TOKEN_FILE, …), e.g. from `serve`'s flags. */
export type ConfigLayer = Record<string, string | undefined>;

/** Where each effective value came from: 'default', 'PP_CONFIG_FILE', 'env PP_PORT', 'env PORT', '--port', …. */
export type ConfigSources = Record<SettingEnv, string>;

export interface LoadedConfig {
  config: CollectorConfig;
  sources: ConfigSources;
}

/** Reads configuration from `env` (default process.env), the optional PP_CONFIG_FILE and `flags` (keyed by variable name). Throws ConfigError. */
export function loadConfig(env: ConfigLayer = process.env, flags: ConfigLayer = {}): CollectorConfig {
  return loadConfigWithSources(env, flags).config;
}

export function loadConfigWithSources(env: ConfigLayer = process.env, flags: ConfigLayer = {}): LoadedConfig {
  const flagName = (variable: string) => {
    const setting = SETTINGS.find((s) => s.env === variable || `${s.env}_FILE` === variable);
    return setting === undefined ? variable : `--${setting.flag}${variable.endsWith('_FILE') ? '-file' : ''}`;
  };
  const configFile = flags.PP_CONFIG_FILE ?? nonEmpty(env.PP_CONFIG_FILE);
  const layers: Array<{ values: ConfigLayer; label: (variable: string) => string }> = [];
  if (configFile !== undefined) layers.push({ values: readConfigFile(configFile), label: (variable) => `${variable} in PP_CONFIG_FILE ${configFile}` });
  layers.push({ values: env, label: (variable) => `env ${variable}` });
  layers.push({ values: flags, label: flagName });

  const raw: Record<string, string> = {};
  const sources = {} as Record<string, string>;
  for (const setting of SETTINGS as readonly Setting[]) {
    let value = setting.default;
    let source = 'default';
    let found = false;
    for (const layer of layers) {
      const direct = nonEmpty(layer.values[setting.env]);
      const file = setting.secret === true ? nonEmpty(layer.values[`${setting.env}_FILE`]) : undefined;
      if (direct !== undefined && file !== undefined) throw new ConfigError(`${layer.label(setting.env)} and ${layer.label(`${setting.env}_FILE`)} are both set; set one of them`);
      if (direct !== undefined) [value, source, found] = [direct, layer.label(setting.env), true];
      else if (file !== undefined) [value, source, found] = [readSecretFile(file, layer.label(`${setting.env}_FILE`)), layer.label(`${setting.env}_FILE`), true];
    }
    if (!found && setting.fallback !== undefined && nonEmpty(env[setting.fallback]) !== undefined) [value, source] = [env[setting.fallback]!, `env ${setting.fallback}`];
    sources[setting.env] = source;
    if (value === undefined) continue;
    const parsed = v.safeParse(setting.schema, value);
    // The message names where the value came from but never repeats it (it may be a secret).
    if (!parsed.success) throw new ConfigError(`${source === 'default' ? setting.env : source.replace(/^env /, '')}: ${parsed.issues[0].message}`);
    raw[setting.env] = value;
  }
  const get = <T>(variable: SettingEnv): T => {
    const setting = SETTINGS.find((s) => s.env === variable)!;
    const value = raw[variable];
    return (value === undefined ? undefined : v.parse(setting.schema as v.GenericSchema<string, unknown>, value)) as T;
  };
  const config: CollectorConfig = {
    host: get('PP_HOST'),
    port: get('PP_PORT'),
    databaseUrl: get('PP_DATABASE_URL'),
    adminToken: get('PP_ADMIN_TOKEN'),
    readToken: get('PP_READ_TOKEN'),
    metricsToken: get('PP_METRICS_TOKEN'),
    allowedOrigins: get<string>('PP_ALLOWED_ORIGINS')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    reportWindowDays: get('PP_REPORT_WINDOW_DAYS'),
    keepRawReports: get('PP_KEEP_RAW_REPORTS'),
    rawRetentionDays: get('PP_RAW_RETENTION_DAYS'),
    bodyLimitBytes: get('PP_BODY_LIMIT_BYTES'),
    maxBatchReports: get('PP_MAX_BATCH_REPORTS'),
    rateLimitPerMinute: get('PP_RATE_LIMIT_PER_MINUTE'),
    maxEventLoopDelayMs: get('PP_MAX_EVENT_LOOP_DELAY_MS'),
    requestTimeoutMs: get('PP_REQUEST_TIMEOUT_MS'),
    logLevel: get('PP_LOG_LEVEL'),
    authFailuresPerMinute: get('PP_AUTH_FAILURES_PER_MINUTE'),
    trustProxy: get('PP_TRUST_PROXY'),
    drainDelayMs: get('PP_DRAIN_DELAY_MS'),
    shutdownTimeoutMs: get('PP_SHUTDOWN_TIMEOUT_MS'),
    tokenKeys: tokenKeyListSetting(raw.PP_TOKEN_KEYS, sources.PP_TOKEN_KEYS!),
    tokenKeysFile: get('PP_TOKEN_KEYS_FILE'),
    dashboardDir: get('PP_DASHBOARD_DIR'),
  };
  if (config.tokenKeys !== undefined && config.tokenKeysFile !== undefined) {
    throw new ConfigError(`PP_TOKEN_KEYS and PP_TOKEN_KEYS_FILE are both set (${sources.PP_TOKEN_KEYS}, ${sources.PP_TOKEN_KEYS_FILE}); set one of them`);
  }
  return { config, sources: sources as ConfigSources };
}

const REDACTED = '[redacted]';

/**
 * The effective configuration for the startup log line: every setting by variable name, secrets
 * replaced by `[redacted]` (or `(unset)`) — a database URL keeps its scheme, host, port, database
 * and schema, not its user information — and where each non-default value came from.
 */
export function describeConfig({ config, sources }: LoadedConfig): { settings: Record<string, unknown>; from: Record<string, string> } {
  const { databaseUrl, adminToken, readToken, metricsToken, ...plain } = config;
  const settings: Record<string, unknown> = {
    PP_PORT: plain.port,
    PP_HOST: plain.host,
    PP_DATABASE_URL: redactDatabaseUrl(databaseUrl),
    PP_ADMIN_TOKEN: adminToken === undefined ? '(unset)' : REDACTED,
    PP_READ_TOKEN: readToken === undefined ? '(unset)' : REDACTED,
    PP_METRICS_TOKEN: metricsToken === undefined ? '(unset)' : REDACTED,
    PP_ALLOWED_ORIGINS: plain.allowedOrigins.join(','),
    PP_REPORT_WINDOW_DAYS: plain.reportWindowDays,
    PP_KEEP_RAW_REPORTS: plain.keepRawReports,
    PP_RAW_RETENTION_DAYS: plain.rawRetentionDays,
    PP_BODY_LIMIT_BYTES: plain.bodyLimitBytes,
    PP_MAX_BATCH_REPORTS: plain.maxBatchReports,
    PP_RATE_LIMIT_PER_MINUTE: plain.rateLimitPerMinute,
    PP_MAX_EVENT_LOOP_DELAY_MS: plain.maxEventLoopDelayMs,
    PP_REQUEST_TIMEOUT_MS: plain.requestTimeoutMs,
    PP_LOG_LEVEL: plain.logLevel,
    PP_AUTH_FAILURES_PER_MINUTE: plain.authFailuresPerMinute,
    PP_TRUST_PROXY: plain.trustProxy === false ? false : plain.trustProxy.join(','),
    PP_DRAIN_DELAY_MS: plain.drainDelayMs,
    PP_SHUTDOWN_TIMEOUT_MS: plain.shutdownTimeoutMs,
    PP_TOKEN_KEYS: plain.tokenKeys === undefined ? '(unset)' : `${plain.tokenKeys.keys.length} keys of issuer ${plain.tokenKeys.issuer}`,
    PP_TOKEN_KEYS_FILE: plain.tokenKeysFile ?? '(unset)',
    PP_DASHBOARD_DIR: plain.dashboardDir ?? '(unset)',
  };
  const from = Object.fromEntries(Object.entries(sources).filter(([, source]) => source !== 'default'));
  return { settings, from };
}

/** `postgres://user:secret@db:5432/ldp?schema=x` → `postgres://[redacted]@db:5432/ldp?schema=x`; SQLite URLs unchanged. */
export function redactDatabaseUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  try {
    const parsed = new URL(url);
    const redacted = parsed.username !== '' || parsed.password !== '' ? `${REDACTED}@` : '';
    // Query parameters other than schema (e.g. password=, sslkey=) are dropped from the log too.
    const schema = parsed.searchParams.get('schema');
    return `${parsed.protocol}//${redacted}${parsed.host}${parsed.pathname}${schema === null ? '' : `?schema=${encodeURIComponent(schema)}`}`;
  } catch {
    return `${url.split('://')[0]}://${REDACTED}`;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readSecretFile(path: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${label}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // One trailing newline, as `echo secret > file` and most secret stores write it; nothing else.
  return text.replace(/\r?\n$/, '');
}

function readConfigFile(file: string): ConfigLayer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`PP_CONFIG_FILE ${file}: cannot read JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`PP_CONFIG_FILE ${file}: must hold a JSON object`);
  const layer: ConfigLayer = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!CONFIG_VARIABLES.includes(key)) throw new ConfigError(`PP_CONFIG_FILE ${file}: unknown setting ${key}`);
    layer[key] = String(value);
  }
  return layer;
}

/** Defaults for tests and embedding: in-memory SQLite, no tokens, quiet logs. */
/**
 * PP_TOKEN_KEYS holds the list itself. It named a file before PP_TOKEN_KEYS_FILE existed: a value
 * that is not a JSON object is refused with the way out, never read as a path.
 */
function tokenKeyListSetting(value: string | undefined, source: string): TokenKeyList | undefined {
  if (value === undefined) return undefined;
  const name = source === 'default' ? 'PP_TOKEN_KEYS' : source.replace(/^env /, '');
  if (!value.trimStart().startsWith('{')) throw new ConfigError(`${name}: must be the key list itself (JSON); to name a file, use PP_TOKEN_KEYS_FILE (flag --token-keys-file)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(`${name}: not JSON (${(error as Error).message})`);
  }
  try {
    return validateTokenKeyList(parsed);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

export function testConfig(overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return { ...loadConfig({ PP_DATABASE_URL: 'sqlite::memory:', PP_LOG_LEVEL: 'silent' }), ...overrides };
}
