/**
 * Model-based test of the ledger (fast-check): under any sequence of reports, crashes in the middle
 * of a transaction (a failing outbox write after the ledger puts) and database reopenings, the ε
 * charged never passes a cap and every queued report has its charge (Σ outbox ε = ledger total).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freshDbName } from './fixtures.ts';
import { openSdkDatabase, type OutboxRow, type SdkDatabase } from '../src/store/db.ts';
import { commitReport, ledgerKey, readSpent, windowsOf } from '../src/store/ledger.ts';
import { resolveCaps } from '../src/caps.ts';

type Step = { kind: 'report'; charge: number; day: number; question: number } | { kind: 'crash'; charge: number } | { kind: 'reopen' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('report' as const), charge: fc.constantFrom(0.5, 1, 1.5, 2), day: fc.integer({ min: 0, max: 9 }), question: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), charge: fc.constantFrom(0.5, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

const caps = resolveCaps({ perDay: 3, perWeek: 7, lifetime: 12 });
const dayOf = (i: number) => `2026-11-${String(16 + i).padStart(2, '0')}`;

describe('ledger model', () => {
  it('never charges past a cap and every queued report has its charge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const name = freshDbName();
        let db: SdkDatabase = await openSdkDatabase(name);
        let n = 0;
        let lastId = '';
        for (const s of steps) {
          if (s.kind === 'reopen') {
            db.close();
            db = await openSdkDatabase(name);
            continue;
          }
          const day = s.kind === 'report' ? dayOf(s.day) : dayOf(0);
          // A crash: the outbox write fails (duplicate key) after the ledger rows were put.
          const id = s.kind === 'crash' && lastId !== '' ? lastId : (++n).toString(16).padStart(32, '0');
          const row: OutboxRow = { id, campaignId: 'c', campaignVersion: 1, epsilon: s.charge, queuedAt: n, report: { id, questionId: 'q', day, payload: 1 } };
          const ok = await commitReport(db, { campaignId: 'c', questionId: `q${s.kind === 'report' ? s.question : 0}`, day, charge: s.charge, caps, outbox: row }).then(
            () => true,
            () => false,
          );
          if (ok) lastId = id;
        }
        const outbox = await db.getAll('outbox');
        const lifetime = (await db.get('ledger', ledgerKey('c', '*', 'lifetime')))?.spent ?? 0;
        expect(outbox.reduce((sum, r) => sum + r.epsilon, 0)).toBeCloseTo(lifetime, 9);
        expect(lifetime).toBeLessThanOrEqual(caps.lifetime + 1e-9);
        const days = new Map<string, number>();
        const weeks = new Map<string, number>();
        for (const r of outbox) {
          days.set(r.report.day, (days.get(r.report.day) ?? 0) + r.epsilon);
          const w = windowsOf(r.report.day).week;
          weeks.set(w, (weeks.get(w) ?? 0) + r.epsilon);
        }
        for (const [day, total] of days) {
          expect(total).toBeLessThanOrEqual(caps.perDay + 1e-9);
          expect((await readSpent(db.transaction('ledger').store, 'c', day)).day).toBeCloseTo(total, 9);
        }
        for (const total of weeks.values()) expect(total).toBeLessThanOrEqual(caps.perWeek + 1e-9);
        db.close();
      }),
      { numRuns: 60, seed: 20261123 },
    );
  }, 60_000);
});
