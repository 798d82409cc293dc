/** A small HTML legend under a chart (uPlot's own legend is hidden: it tracks a cursor we do not use). */
import { h } from '../dom.ts';

export type LegendMark = 'bar' | 'whisker' | 'consistent-dot' | 'reference-dot';

export function legend(entries: ReadonlyArray<readonly [LegendMark, string]>): HTMLElement {
  return h('ul', { class: 'legend', 'aria-hidden': 'true' }, ...entries.map(([mark, label]) => h('li', {}, h('span', { class: `mark mark-${mark}` }), label)));
}
