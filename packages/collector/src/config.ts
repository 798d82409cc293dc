/**
 * Collector configuration: environment variables (optionally a JSON file named by PP_CONFIG_FILE,
 * environment winning), validated once at boot. A bad value stops the process with a message that
 * names the variable, so a misconfigured deployment never half-starts.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';

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
  /** Issue 17: file holding the issuer's published token key list (re-read when it changes); unset: no keys. */
  tokenKeysFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max: number) => v.pipe(v.string(), v.regex(/^\d+$/, 'must be a non-negative integer'), v.transform(Number), v.number(), v.minValue(min), v.maxValue(max));
const bool = v.pipe(v.picklist(['true', 'false', '1', '0', 'yes', 'no']), v.transform((s) => s === 'true' || s === '1' || s === 'yes'));
const token = v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'));

const EnvSchema = v.object({
  PP_HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '0.0.0.0'),
  PP_PORT: v.optional(int(0, 65_535), '8787'),
  PP_DATABASE_URL: v.optional(v.pipe(v.string(), v.regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')), 'sqlite:./data/collector.db'),
  PP_ADMIN_TOKEN: v.optional(token),
  PP_READ_TOKEN: v.optional(token),
  PP_METRICS_TOKEN: v.optional(token),
  PP_ALLOWED_ORIGINS: v.optional(v.string(), ''),
  PP_REPORT_WINDOW_DAYS: v.optional(int(1, 3650), '30'),
  PP_KEEP_RAW_REPORTS: v.optional(bool, 'false'),
  PP_RAW_RETENTION_DAYS: v.optional(int(1, 3650), '30'),
  PP_BODY_LIMIT_BYTES: v.optional(int(1024, 64 * 1024 * 1024), String(1024 * 1024)),
  PP_MAX_BATCH_REPORTS: v.optional(int(1, 100_000), '1000'),
  PP_RATE_LIMIT_PER_MINUTE: v.optional(int(1, 10_000_000), '600'),
  PP_MAX_EVENT_LOOP_DELAY_MS: v.optional(int(0, 60_000), '1000'),
  PP_REQUEST_TIMEOUT_MS: v.optional(int(100, 3_600_000), '30000'),
  PP_LOG_LEVEL: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  PP_AUTH_FAILURES_PER_MINUTE: v.optional(int(1, 1_000_000), '30'),
  PP_TRUST_PROXY: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.trim()),
      v.check((s) => /^(true|false|1|0|yes|no)$/.test(s) || s.split(',').every((p) => /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?)$/.test(p.trim())), 'must be true, false or a comma-separated list of addresses/CIDRs'),
      v.transform((s): false | string[] => {
        if (/^(false|0|no)$/.test(s)) return false;
        if (/^(true|1|yes)$/.test(s)) return ['loopback', 'linklocal', 'uniquelocal'];
        return s.split(',').map((p) => p.trim());
      }),
    ),
    'false',
  ),
  PP_TOKEN_KEYS: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export const CONFIG_VARIABLES = Object.keys(EnvSchema.entries);

/** Reads configuration from `env` (default process.env) and the optional PP_CONFIG_FILE. Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  const merged: Record<string, string> = {};
  const file = env.PP_CONFIG_FILE;
  if (file !== undefined && file !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`PP_CONFIG_FILE ${file}: cannot read JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`PP_CONFIG_FILE ${file}: must hold a JSON object`);
    for (const [key, value] of Object.entries(parsed)) {
      if (!CONFIG_VARIABLES.includes(key)) throw new ConfigError(`PP_CONFIG_FILE ${file}: unknown setting ${key}`);
      merged[key] = String(value);
    }
  }
  for (const key of CONFIG_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = v.safeParse(EnvSchema, merged);
  if (!result.success) {
    const issue = result.issues[0];
    const key = issue.path?.[0]?.key;
    throw new ConfigError(`${String(key ?? 'configuration')}: ${issue.message}`);
  }
  const o = result.output;
  return {
    host: o.PP_HOST,
    port: o.PP_PORT,
    databaseUrl: o.PP_DATABASE_URL,
    adminToken: o.PP_ADMIN_TOKEN,
    readToken: o.PP_READ_TOKEN,
    metricsToken: o.PP_METRICS_TOKEN,
    allowedOrigins: o.PP_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    reportWindowDays: o.PP_REPORT_WINDOW_DAYS,
    keepRawReports: o.PP_KEEP_RAW_REPORTS,
    rawRetentionDays: o.PP_RAW_RETENTION_DAYS,
    bodyLimitBytes: o.PP_BODY_LIMIT_BYTES,
    maxBatchReports: o.PP_MAX_BATCH_REPORTS,
    rateLimitPerMinute: o.PP_RATE_LIMIT_PER_MINUTE,
    maxEventLoopDelayMs: o.PP_MAX_EVENT_LOOP_DELAY_MS,
    requestTimeoutMs: o.PP_REQUEST_TIMEOUT_MS,
    logLevel: o.PP_LOG_LEVEL,
    authFailuresPerMinute: o.PP_AUTH_FAILURES_PER_MINUTE,
    trustProxy: o.PP_TRUST_PROXY,
    tokenKeysFile: o.PP_TOKEN_KEYS,
  };
}

/** Defaults for tests and embedding: in-memory SQLite, no tokens, quiet logs. */
export function testConfig(overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return { ...loadConfig({ PP_DATABASE_URL: 'sqlite::memory:', PP_LOG_LEVEL: 'silent' }), ...overrides };
}
