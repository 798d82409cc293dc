/**
 * `pnpm --filter @practical-privacy/token-issuer start`: the reference issuer service.
 *
 * Environment:
 *   PP_ISSUER_NAME       the issuer's name, as in the campaigns' tokens.issuer (required)
 *   PP_ISSUER_SECRET     the portal-to-issuer secret, ≥ 32 characters (required)
 *   PP_ISSUER_CAMPAIGNS  a JSON file holding an array of campaign documents to issue for (required)
 *   PP_ISSUER_DB         the SQLite file with keys and allowance claims (default ./data/issuer.db; keep it private)
 *   PP_ISSUER_AHEAD_DAYS periods ahead to publish keys for (default 14)
 *   PP_ISSUER_RETAIN_DAYS days a key stays listed after its period (default 31)
 *   PP_ISSUER_LOG_LEVEL  pino log level (default info; the demo uses warn)
 *   PORT, HOST           where to listen (default 8788, 127.0.0.1)
 */
import { readFileSync } from 'node:fs';
import { buildIssuerApp } from './app.ts';
import { TokenIssuer } from './issuer.ts';
import { SqliteIssuerStore } from './store.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`${name} is required (see packages/token-issuer/README.md)`);
    process.exit(2);
  }
  return value;
}

const store = new SqliteIssuerStore(process.env.PP_ISSUER_DB ?? './data/issuer.db');
const issuer = new TokenIssuer({
  name: required('PP_ISSUER_NAME'),
  store,
  campaigns: JSON.parse(readFileSync(required('PP_ISSUER_CAMPAIGNS'), 'utf8')) as unknown[],
  aheadDays: Number(process.env.PP_ISSUER_AHEAD_DAYS ?? 14),
  retainDays: Number(process.env.PP_ISSUER_RETAIN_DAYS ?? 31),
});
const app = await buildIssuerApp({ issuer, portalSecret: required('PP_ISSUER_SECRET'), ...(process.env.PP_ISSUER_LOG_LEVEL ? { logLevel: process.env.PP_ISSUER_LOG_LEVEL } : {}) });
const rotation = await issuer.rotate();
app.log.info(rotation, 'keys rotated');
// Hourly: a new day's keys exist long before devices need them (aheadDays), so a missed run is harmless.
const timer = setInterval(() => void issuer.rotate().then((r) => app.log.info(r, 'keys rotated'), (error: unknown) => app.log.error({ err: error }, 'rotation failed')), 3_600_000);
timer.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(timer);
    void app.close().then(() => store.close());
  });
}
await app.listen({ port: Number(process.env.PORT ?? 8788), host: process.env.HOST ?? '127.0.0.1' });
