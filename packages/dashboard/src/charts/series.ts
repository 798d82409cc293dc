/**
 * A question's estimate over time with its 95% band (uPlot, the library the demo uses): one line
 * per value for the released cells of a day or week bucket. Decorative for screen readers — the
 * table next to it has the same numbers.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DisplayRow } from '../model.ts';
import { dayTicks, shortUtcDay } from './ticks.ts';

const COLORS = ['#2f5f93', '#c2410c', '#0f766e', '#7c3aed', '#a16207', '#be123c'];

export function drawSeries(container: HTMLElement, rows: readonly DisplayRow[], share: boolean): () => void {
  const released = rows.filter((r) => r.status === 'released' && r.estimate !== undefined);
  const days = [...new Set(released.map((r) => r.period))].sort();
  if (days.length < 2) return () => undefined;
  const values = [...new Set(released.map((r) => r.value))].slice(0, COLORS.length);
  const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const at = (value: string, key: 'estimate' | 'ciLow' | 'ciHigh') => days.map((d) => released.find((r) => r.period === d && r.value === value)?.[key] ?? null);
  const scale = share ? 100 : 1;
  const data: (number | null)[][] = [x];
  const series: uPlot.Series[] = [{}];
  for (const [i, value] of values.entries()) {
    const label = released.find((r) => r.value === value)?.valueLabel ?? value;
    for (const [key, dash] of [
      ['estimate', undefined],
      ['ciLow', [4, 4]],
      ['ciHigh', [4, 4]],
    ] as const) {
      data.push(at(value, key).map((y) => (y === null ? null : y * scale)));
      series.push({ label: key === 'estimate' ? label : `${label} 95% ${key === 'ciLow' ? 'low' : 'high'}`, stroke: COLORS[i]!, width: key === 'estimate' ? 2 : 1, ...(dash === undefined ? {} : { dash: [...dash] }) });
    }
  }
  // Never wider than its container, and resized with it: drawn at desktop width, the chart
  // overflowed a window narrowed to 390 px (the e2e test checks the page's scroll width).
  const width = () => Math.max(160, container.clientWidth);
  container.replaceChildren(legend(values.map((value, i) => ({ color: COLORS[i]!, label: released.find((r) => r.value === value)?.valueLabel ?? value }))));
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      series,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // One label per cell's first UTC day at most ("Dec 4"), thinned by the plot's width so
      // that labels never collide, the latest always labelled, never an hour (ticks.ts).
      axes: [
        {
          splits: (u) => dayTicks(days, u.bbox.width / uPlot.pxRatio).map((d) => Date.parse(`${d}T00:00:00Z`) / 1000),
          values: (_u, splits) => splits.map((ts) => shortUtcDay(new Date(ts * 1000).toISOString().slice(0, 10))),
        },
        { label: share ? '%' : 'mean', size: 50 },
      ],
      // The table below names every line; uPlot's own legend would repeat it.
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    },
    data as uPlot.AlignedData,
    container,
  );
  const resize = (): void => plot.setSize({ width: width(), height: 220 });
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    plot.destroy();
  };
}

/** Colour key: solid line the estimate, dashed lines its 95% interval. */
function legend(entries: { color: string; label: string }[]): HTMLElement {
  const key = document.createElement('p');
  key.className = 'muted small';
  key.textContent = 'Solid: estimate; dashed: its 95% interval. ';
  for (const entry of entries) {
    const swatch = document.createElement('span');
    swatch.textContent = `■ ${entry.label}  `;
    swatch.style.color = entry.color;
    key.append(swatch);
  }
  return key;
}
