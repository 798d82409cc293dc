/**
 * The running server's own maintenance timer (issue #16.4), not just the repository methods: with
 * the clock and the interval injected into startServer, a listening server deletes report ids past
 * the window + 2 days and, for a campaign with a retention setting, the day cells past it — one
 * audit row per campaign and deletion, none for a pass that finds nothing. The test waits for the
 * timer's own completed runs (Maintenance.afterRuns), never for a fixed time. Both stores.
 */
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import type { ReportContribution } from '../src/storage/repository.ts';
import { ADMIN, DEMO_CAMPAIGN, READ, reportId } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const contribution = (day: string): ReportContribution => ({ id: reportId(), questionId: 'fever', day, sums: [[0, 1], [2, 1]] });

const databases: Array<[string, boolean, () => string]> = [
  ['SQLite', true, () => 'sqlite::memory:'],
  ['PostgreSQL', HAVE_POSTGRES, () => `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${uniqueSchema('maint')}`],
];

describe.each(databases)('maintenance timer of a running server on %s', (_name, enabled, url) => {
  it.skipIf(!enabled)('deletes report ids past the window and day cells past the campaign retention, audited once', async () => {
    const databaseUrl = url();
    const server = await startServer(testConfig({ databaseUrl, host: '127.0.0.1', port: 0, adminToken: ADMIN, readToken: READ, reportWindowDays: 30 }), { now: () => NOW, maintenanceIntervalMs: 10, handleSignals: false });
    try {
      const repo = server.collector.repository;
      const admin = (url: string, payload?: object) => server.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ADMIN}` }, ...(payload === undefined ? {} : { payload }) });
      expect((await admin('/v1/campaigns', DEMO_CAMPAIGN)).statusCode).toBe(201);
      expect((await admin('/v1/campaigns', { ...DEMO_CAMPAIGN, id: 'other' })).statusCode).toBe(201);
      // Window 30 days: ids of days before 2026-04-30 (now − 32 days) go. Retention 40 days: cells before 2026-04-22 go.
      await repo.ingest('demo', 1, [contribution('2026-04-21'), contribution('2026-04-22'), contribution('2026-04-29'), contribution('2026-04-30'), contribution('2026-06-01')]);
      await repo.ingest('other', 1, [contribution('2026-01-01'), contribution('2026-06-01')]);
      expect((await admin('/v1/campaigns/demo/retention', { days: 40 })).statusCode).toBe(200);

      // Two completed runs from here: at least one whole run saw the data and the setting.
      await server.maintenance.afterRuns(server.maintenance.runs + 2);
      const days = async (campaignId: string) => [...new Set((await repo.readSums({ campaignId, version: 1, questionId: 'fever' })).map((c) => c.day))];
      expect(await days('demo')).toEqual(['2026-04-22', '2026-04-29', '2026-04-30', '2026-06-01']);
      expect(await days('other')).toEqual(['2026-01-01', '2026-06-01']);
      expect(await repo.countReports('demo', 1)).toBe(2);
      expect(await repo.countReports('other', 1)).toBe(1);
      const audit = await server.inject({ method: 'GET', url: '/v1/admin/audit?action=retention.delete', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(audit.json().entries).toMatchObject([{ actor: 'retention', campaignId: 'demo', at: NOW.toISOString(), detail: { retentionDays: 40, beforeDay: '2026-04-22', cells: 2 } }]);

      // Later runs find nothing more and add no row.
      await server.maintenance.afterRuns(server.maintenance.runs + 2);
      expect((await repo.readAudit({ limit: 100, action: 'retention.delete' })).length).toBe(1);
      // The released estimate no longer has the deleted day.
      const release = await server.inject({ method: 'GET', url: '/v1/campaigns/demo/estimates?question=fever&bucket=day', headers: { authorization: `Bearer ${READ}` } });
      expect(release.json().cells.map((c: { period: string }) => c.period)).toEqual(['2026-04-22', '2026-04-29', '2026-04-30', '2026-06-01']);
    } finally {
      server.maintenance.stop();
      if (server.collector.repository instanceof PostgresRepository) await server.collector.repository.dropSchema();
      await server.close();
    }
  });
});
