/**
 * Model-based test of the ledger (fast-check): under any sequence of reports, crashes in the middle
 * of a transaction (a failing outbox write after the ledger puts) and database reopenings,
 * - every commit is accepted exactly when a reference model accepts it (the question has no report
 *   in its period window yet, and no day, week or lifetime cap would be passed);
 * - the ε charged never passes a cap and every queued report has its charge (Σ outbox ε = ledger
 *   total);
 * - at most one report of a question is queued per window of its period (questions 0 and 1 are
 *   daily, question 2 weekly).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freshDbName } from './fixtures.ts';
import { openSdkDatabase, type OutboxRow, type SdkDatabase } from '../src/store/db.ts';
import { commitReport, ledgerKey, readSpent, windowsOf, type Period } from '../src/store/ledger.ts';
import { resolveCaps } from '../src/caps.ts';

type Step = { kind: 'report' | 'crash'; charge: number; day: number; question: number } | { kind: 'reopen' };

const slot = { day: fc.integer({ min: 0, max: 9 }), question: fc.integer({ min: 0, max: 2 }) };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('report' as const), charge: fc.constantFrom(0.5, 1, 1.5, 2), ...slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), charge: fc.constantFrom(0.5, 1), ...slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

const caps = resolveCaps({ perDay: 3, perWeek: 7, lifetime: 12 });
const dayOf = (i: number) => `2026-11-${String(16 + i).padStart(2, '0')}`;
const periodOf = (question: number): Period => (question === 2 ? 'week' : 'day');

describe('ledger model', () => {
  it('accepts exactly what the model accepts: never past a cap, one report per question per window, every queued report charged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const name = freshDbName();
        let db: SdkDatabase = await openSdkDatabase(name);
        // commitReport re-reads consent in its transaction.
        await db.put('meta', true, 'consent');
        let n = 0;
        let lastId = '';
        // The reference model: ε per campaign window and the (question, window) pairs reported.
        const spent = new Map<string, number>();
        const reported = new Set<string>();
        for (const s of steps) {
          if (s.kind === 'reopen') {
            db.close();
            db = await openSdkDatabase(name);
            continue;
          }
          const day = dayOf(s.day);
          const questionId = `q${s.question}`;
          const period = periodOf(s.question);
          const w = windowsOf(day);
          const questionWindow = `${questionId}|${w[period]}`;
          const windows = [w.day, w.week, 'lifetime'];
          const limits = [caps.perDay, caps.perWeek, caps.lifetime];
          // A crash: the outbox write fails (duplicate key) after the ledger rows were put. Before
          // any commit there is no id to collide with, and the step is an ordinary report.
          const crash = s.kind === 'crash' && lastId !== '';
          const expected = !crash && !reported.has(questionWindow) && windows.every((x, i) => (spent.get(x) ?? 0) + s.charge <= limits[i]! * (1 + 1e-12));
          const id = crash ? lastId : (++n).toString(16).padStart(32, '0');
          const row: OutboxRow = { id, campaignId: 'c', campaignVersion: 1, epsilon: s.charge, queuedAt: n, report: { id, questionId, day, payload: 1 } };
          const ok = await commitReport(db, { campaignId: 'c', questionId, period, day, rule: { kind: 'per-report', epsilon: s.charge }, caps, outbox: row }).then(
            () => true,
            () => false,
          );
          expect(ok).toBe(expected);
          if (ok) {
            lastId = id;
            reported.add(questionWindow);
            for (const x of windows) spent.set(x, (spent.get(x) ?? 0) + s.charge);
          }
        }
        const outbox = await db.getAll('outbox');
        const lifetime = (await db.get('ledger', ledgerKey('c', '*', 'lifetime')))?.spent ?? 0;
        expect(outbox.reduce((sum, r) => sum + r.epsilon, 0)).toBeCloseTo(lifetime, 9);
        expect(lifetime).toBeLessThanOrEqual(caps.lifetime + 1e-9);
        const days = new Map<string, number>();
        const weeks = new Map<string, number>();
        const perQuestionWindow = new Map<string, number>();
        for (const r of outbox) {
          days.set(r.report.day, (days.get(r.report.day) ?? 0) + r.epsilon);
          const w = windowsOf(r.report.day);
          weeks.set(w.week, (weeks.get(w.week) ?? 0) + r.epsilon);
          const key = `${r.report.questionId}|${w[periodOf(Number(r.report.questionId.slice(1)))]}`;
          perQuestionWindow.set(key, (perQuestionWindow.get(key) ?? 0) + 1);
        }
        for (const [day, total] of days) {
          expect(total).toBeLessThanOrEqual(caps.perDay + 1e-9);
          expect((await readSpent(db.transaction('ledger').store, 'c', day)).day).toBeCloseTo(total, 9);
        }
        for (const total of weeks.values()) expect(total).toBeLessThanOrEqual(caps.perWeek + 1e-9);
        for (const count of perQuestionWindow.values()) expect(count).toBe(1);
        db.close();
      }),
      { numRuns: 60, seed: 20261123 },
    );
  }, 60_000);
});
