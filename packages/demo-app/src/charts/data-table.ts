/**
 * The accessible alternative to every chart: the same numbers as an HTML table, inside a
 * disclosure so the page stays short. Cells carry `data-*` copies of the raw numbers so that
 * tests and copy-paste get full precision while people read rounded values.
 */
import { h } from '../dom.ts';

export interface Column {
  header: string;
  /** Right-align numbers. */
  numeric?: boolean;
}

export interface Row {
  cells: string[];
  data?: Record<string, string | number>;
}

export function dataTable(caption: string, columns: Column[], rows: Row[], options: { open?: boolean; testId?: string } = {}): HTMLDetailsElement {
  const table = h(
    'table',
    { class: 'data-table', 'data-testid': options.testId },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header)))),
  );
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr');
    for (const [name, value] of Object.entries(row.data ?? {})) tr.dataset[name] = String(value);
    row.cells.forEach((cell, i) => tr.appendChild(i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: columns[i]?.numeric ? 'num' : undefined }, cell)));
    body.appendChild(tr);
  }
  table.appendChild(body);
  return h('details', { class: 'table-disclosure', open: options.open ?? false }, h('summary', {}, 'Data table'), h('div', { class: 'table-scroll' }, table));
}
