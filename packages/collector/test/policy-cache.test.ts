/**
 * The per-instance cache of closed state and ingest keys (storage/policy-cache.ts): a change made
 * through an instance is seen by it at once; another instance on the same database sees it once
 * its entry is older than the TTL (clock injected, no waiting); expiry is never cached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { PolicyCache } from '../src/storage/policy-cache.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import type { Repository } from '../src/storage/repository.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-policy-'));
const opened: Repository[] = [];
afterEach(async () => {
  for (const repo of opened.splice(0)) {
    if (repo instanceof PostgresRepository) await repo.dropSchema().catch(() => undefined);
    await repo.close();
  }
});

const pairs: Array<[string, boolean, (cache: PolicyCache) => Repository]> = [
  ['SQLite (two connections to one file)', true, (cache) => new SqliteRepository(join(dir, 'shared.db'), { policyCache: cache })],
  ['PostgreSQL (two pools on one schema)', HAVE_POSTGRES, (() => {
    const schema = uniqueSchema('policy');
    return (cache: PolicyCache) => new PostgresRepository({ connectionString: POSTGRES_URL, schema, policyCache: cache });
  })()],
];

for (const [name, enabled, open] of pairs) it.skipIf(!enabled)(`${name}: changes are immediate on the instance that made them, within the TTL on the other`, async () => {
  let ms = 0;
  const a = open(new PolicyCache(1000, () => ms));
  const b = open(new PolicyCache(1000, () => ms));
  opened.push(b, a);
  await a.migrate();
  await b.migrate();
  const at = '2026-06-01T00:00:00.000Z';
  await a.publishCampaign({ id: 'c', version: 1, document: {}, ingestKey: 'pk_key_one' });
  expect((await b.ingestPolicy('c', at)).activeKeys).toEqual(['pk_key_one']);
  expect((await a.ingestPolicy('c', at)).activeKeys).toEqual(['pk_key_one']);
  await a.addIngestKey({ campaignId: 'c', label: 'two', key: 'pk_key_two', createdAt: at, expiresAt: '2026-06-02T00:00:00.000Z', revokedAt: null }, { at, actor: 't', action: 'ingest-key.add' });
  await a.revokeIngestKey('c', 'published-v1', { at, actor: 't', action: 'ingest-key.revoke' });
  await a.closeCampaign('c', { at, actor: 't', action: 'campaign.close' });
  expect(await a.ingestPolicy('c', at)).toEqual({ closedAt: at, keyRequired: true, activeKeys: ['pk_key_two'] });
  // B read before the changes: it keeps its entry for up to the TTL…
  ms = 999;
  expect(await b.ingestPolicy('c', at)).toEqual({ closedAt: null, keyRequired: true, activeKeys: ['pk_key_one'] });
  // …but expiry is evaluated at each call, never cached.
  expect((await a.ingestPolicy('c', '2026-06-02T00:00:00.000Z')).activeKeys).toEqual([]);
  ms = 1000;
  expect(await b.ingestPolicy('c', at)).toEqual({ closedAt: at, keyRequired: true, activeKeys: ['pk_key_two'] });
});

it('a load that began before a change is not cached after it', async () => {
  const cache = new PolicyCache(60_000, () => 0);
  let release!: () => void;
  const slow = cache.get('c', '2026-01-01T00:00:00.000Z', () => new Promise((resolve) => (release = () => resolve({ closedAt: null, keys: [] }))));
  await cache.afterChange('c', async () => undefined);
  release();
  expect((await slow).closedAt).toBeNull();
  const fresh = await cache.get('c', '2026-01-01T00:00:00.000Z', async () => ({ closedAt: '2026-01-01T00:00:00.000Z', keys: [] }));
  expect(fresh.closedAt).toBe('2026-01-01T00:00:00.000Z');
});

it('cleans up', () => {
  rmSync(dir, { recursive: true, force: true });
});
