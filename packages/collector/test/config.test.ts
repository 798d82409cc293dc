/** Configuration layers (config.ts): flags over environment over PP_CONFIG_FILE, conventional fallbacks, *_FILE secrets, redaction. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, describeConfig, loadConfig, loadConfigWithSources, redactDatabaseUrl, SETTINGS } from '../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SECRET = 'admin-secret-value-0123456789';

describe('layers', () => {
  it('flags override the environment, which overrides PP_CONFIG_FILE', () => {
    const configFile = file('c.json', JSON.stringify({ PP_PORT: 1111, PP_HOST: '10.0.0.1', PP_LOG_LEVEL: 'warn' }));
    const { config, sources } = loadConfigWithSources({ PP_CONFIG_FILE: configFile, PP_PORT: '2222', PP_HOST: '127.0.0.2' }, { PP_PORT: '3333' });
    expect([config.port, config.host, config.logLevel]).toEqual([3333, '127.0.0.2', 'warn']);
    expect(sources).toMatchObject({ PP_PORT: '--port', PP_HOST: 'env PP_HOST', PP_LOG_LEVEL: `PP_LOG_LEVEL in PP_CONFIG_FILE ${configFile}`, PP_READ_TOKEN: 'default' });
    expect(loadConfig({}, { PP_CONFIG_FILE: configFile }).port).toBe(1111);
  });

  it('uses PORT and DATABASE_URL only when PP_PORT / PP_DATABASE_URL are set nowhere', () => {
    expect(loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://db/x' })).toMatchObject({ port: 9000, databaseUrl: 'postgres://db/x' });
    expect(loadConfig({ PORT: '9000', PP_PORT: '9001', DATABASE_URL: 'postgres://db/x', PP_DATABASE_URL: 'sqlite:a.db' })).toMatchObject({ port: 9001, databaseUrl: 'sqlite:a.db' });
    expect(loadConfig({ PORT: '9000' }, { PP_PORT: '9002' }).port).toBe(9002);
    expect(loadConfigWithSources({ PORT: '9000' }).sources.PP_PORT).toBe('env PORT');
    expect(() => loadConfig({ PORT: 'http' })).toThrow(/^PORT: must be a non-negative integer$/);
  });

  it('names the flag when a flag is wrong', () => {
    expect(() => loadConfig({ PP_PORT: '80' }, { PP_PORT: 'eighty' })).toThrow(/^--port: /);
    expect(() => loadConfig({}, { PP_LOG_LEVEL: 'loud' })).toThrow(/^--log-level: must be one of/);
  });

  it('has a flag and a README row for every variable', async () => {
    const readme = (await import('node:fs')).readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const setting of SETTINGS) {
      expect(readme, setting.env).toMatch(new RegExp(`\\| \`${setting.env}\`[^\\n]*\`--${setting.flag} `));
      if ('secret' in setting && setting.secret) expect(readme, `${setting.env}_FILE`).toContain(`\`${setting.env}_FILE\``);
    }
  });
});

describe('*_FILE secrets', () => {
  it('reads the file and removes exactly one trailing newline', () => {
    expect(loadConfig({ PP_ADMIN_TOKEN_FILE: file('t1', `${SECRET}\n`) }).adminToken).toBe(SECRET);
    expect(loadConfig({ PP_ADMIN_TOKEN_FILE: file('t2', `${SECRET}\r\n`) }).adminToken).toBe(SECRET);
    expect(loadConfig({ PP_READ_TOKEN_FILE: file('t3', `${SECRET}\n\n`) }).readToken).toBe(`${SECRET}\n`);
    expect(loadConfig({ PP_METRICS_TOKEN_FILE: file('t4', ` ${SECRET}`) }).metricsToken).toBe(` ${SECRET}`);
    expect(loadConfig({ PP_DATABASE_URL_FILE: file('t5', 'postgres://u:pw@db/x\n') }).databaseUrl).toBe('postgres://u:pw@db/x');
    expect(loadConfig({}, { PP_ADMIN_TOKEN_FILE: file('t6', SECRET) }).adminToken).toBe(SECRET);
  });

  it('every secret has a *_FILE variant', () => {
    const secrets = SETTINGS.filter((s) => 'secret' in s && s.secret).map((s) => s.env);
    expect(secrets).toEqual(['PP_DATABASE_URL', 'PP_ADMIN_TOKEN', 'PP_READ_TOKEN', 'PP_METRICS_TOKEN']);
    for (const secret of secrets) expect(CONFIG_VARIABLES).toContain(`${secret}_FILE`);
  });

  it('refuses a value and its file in the same layer, naming both', () => {
    const path = file('t7', SECRET);
    expect(() => loadConfig({ PP_ADMIN_TOKEN: SECRET, PP_ADMIN_TOKEN_FILE: path })).toThrow(ConfigError);
    expect(() => loadConfig({ PP_ADMIN_TOKEN: SECRET, PP_ADMIN_TOKEN_FILE: path })).toThrow('env PP_ADMIN_TOKEN and env PP_ADMIN_TOKEN_FILE are both set');
    expect(() => loadConfig({}, { PP_READ_TOKEN: SECRET, PP_READ_TOKEN_FILE: path })).toThrow('--read-token and --read-token-file are both set');
    // Different layers are no conflict: the flag wins.
    expect(loadConfig({ PP_ADMIN_TOKEN: 'environment-token-0123' }, { PP_ADMIN_TOKEN_FILE: path }).adminToken).toBe(SECRET);
  });

  it('a missing or invalid secret file is a ConfigError that never shows the secret', () => {
    expect(() => loadConfig({ PP_ADMIN_TOKEN_FILE: join(dir, 'missing') })).toThrow(/^env PP_ADMIN_TOKEN_FILE: cannot read .*missing \(ENOENT\)$/);
    const short = 'short-secret';
    let message = '';
    try {
      loadConfig({ PP_ADMIN_TOKEN_FILE: file('t8', short) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('PP_ADMIN_TOKEN_FILE: must be at least 16 characters');
    expect(message).not.toContain(short);
  });
});

describe('the effective configuration as logged', () => {
  it('redacts every secret and the database credentials, and says where values came from', () => {
    const loaded = loadConfigWithSources(
      { PP_DATABASE_URL: 'postgres://collector:db-password-42@db.internal:5432/ldp?schema=pp&password=other-secret', PP_READ_TOKEN: `read-${SECRET}`, PP_METRICS_TOKEN_FILE: file('m', `metrics-${SECRET}\n`) },
      { PP_ADMIN_TOKEN: `admin-${SECRET}`, PP_PORT: '9999' },
    );
    const text = JSON.stringify(describeConfig(loaded));
    for (const secret of ['db-password-42', 'other-secret', 'collector:', SECRET]) expect(text).not.toContain(secret);
    const { settings, from } = describeConfig(loaded);
    expect(settings).toMatchObject({ PP_PORT: 9999, PP_DATABASE_URL: 'postgres://[redacted]@db.internal:5432/ldp?schema=pp', PP_ADMIN_TOKEN: '[redacted]', PP_READ_TOKEN: '[redacted]', PP_METRICS_TOKEN: '[redacted]' });
    expect(from).toMatchObject({ PP_PORT: '--port', PP_ADMIN_TOKEN: '--admin-token', PP_METRICS_TOKEN: 'env PP_METRICS_TOKEN_FILE' });
    expect(Object.keys(settings)).toEqual(SETTINGS.map((s) => s.env));
    expect(describeConfig(loadConfigWithSources({})).settings).toMatchObject({ PP_ADMIN_TOKEN: '(unset)', PP_DATABASE_URL: 'sqlite:./data/collector.db' });
  });

  it('redacts database URLs it cannot parse', () => {
    expect(redactDatabaseUrl('postgres://u:p@[bad')).toBe('postgres://[redacted]');
    expect(redactDatabaseUrl('postgres://db/x')).toBe('postgres://db/x');
  });
});
