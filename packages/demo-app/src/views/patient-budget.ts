/**
 * The patient's privacy budget: one plain sentence (a share of the app's lifetime limit), and the
 * ε tables behind "Details" — per question today, so far and at most ever; what is left today,
 * this week and for the campaign's lifetime. Windows are the SDK's UTC days and weeks.
 */
import { utcDay } from '@practical-privacy/core';
import type { BudgetSummary } from '@practical-privacy/sdk';
import { campaign } from '../campaign.ts';
import { formatNumber, h } from '../dom.ts';
import { budgetPlain } from './patient-text.ts';

export function budgetTables(summary: BudgetSummary): HTMLElement {
  const today = `day:${utcDay(new Date())}`;
  const spentToday = (questionId: string) => summary.lines.filter((l) => l.questionId === questionId && l.window === today).reduce((a, l) => a + l.spent, 0);
  const perQuestion = (questionId: string) => summary.questions.find((q) => q.questionId === questionId);
  return h(
    'div',
    { 'data-testid': 'budget' },
    h('p', { 'data-testid': 'budget-plain' }, budgetPlain(summary.spent.lifetime, summary.caps.lifetime)),
    h(
      'details',
      { class: 'small' },
      h('summary', {}, 'Details: privacy budget in ε (the privacy loss parameter)'),
      h(
        'table',
        { class: 'data-table' },
        h('caption', {}, 'Spent per question'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col', class: 'num' }, 'ε today'), h('th', { scope: 'col', class: 'num' }, 'ε so far'), h('th', { scope: 'col', class: 'num' }, 'ε at most, ever'))),
        h(
          'tbody',
          {},
          ...campaign.questions.map((q) => {
            const line = perQuestion(q.id);
            return h(
              'tr',
              { 'data-testid': `budget-${q.id}` },
              h('th', { scope: 'row' }, q.label ?? q.id),
              h('td', { class: 'num' }, formatNumber(spentToday(q.id))),
              h('td', { class: 'num' }, line === undefined ? '–' : formatNumber(line.spent)),
              h('td', { class: 'num' }, line === undefined ? '–' : Number.isFinite(line.lifetimeBound) ? formatNumber(line.lifetimeBound) : 'no limit'),
            );
          }),
        ),
      ),
      h(
        'table',
        { class: 'data-table' },
        h('caption', {}, 'Left for this check-in campaign'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), h('th', { scope: 'col', class: 'num' }, 'ε left'), h('th', { scope: 'col', class: 'num' }, 'cap'))),
        h(
          'tbody',
          {},
          h('tr', {}, h('th', { scope: 'row' }, 'today (UTC day)'), h('td', { class: 'num', 'data-testid': 'budget-left-today' }, formatNumber(Math.max(0, summary.remaining.day))), h('td', { class: 'num' }, formatNumber(summary.caps.perDay))),
          h('tr', {}, h('th', { scope: 'row' }, 'this week (UTC)'), h('td', { class: 'num' }, formatNumber(Math.max(0, summary.remaining.week))), h('td', { class: 'num' }, formatNumber(summary.caps.perWeek))),
          h('tr', {}, h('th', { scope: 'row' }, 'lifetime'), h('td', { class: 'num' }, formatNumber(Math.max(0, summary.remaining.lifetime))), h('td', { class: 'num' }, formatNumber(summary.caps.lifetime))),
        ),
      ),
    ),
  );
}
