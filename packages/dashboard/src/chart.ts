/**
 * A question's estimate over time with its 95% band (uPlot, the library the demo uses): one line
 * per value for the released cells of a day or week bucket. Decorative for screen readers — the
 * table next to it has the same numbers.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DisplayRow } from './model.ts';

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
  const width = Math.max(280, container.clientWidth);
  const plot = new uPlot(
    {
      width,
      height: 220,
      series,
      // UTC days on the axis, thinned by uPlot to the width available.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [{ space: 80 }, { label: share ? '%' : 'mean', size: 50 }],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    data as uPlot.AlignedData,
    container,
  );
  return () => plot.destroy();
}
