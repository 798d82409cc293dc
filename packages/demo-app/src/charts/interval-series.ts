/**
 * A daily time series with its 95% interval as a shaded band (uPlot `bands` between the upper
 * and lower series), plus an optional dashed truth line from the simulator.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { legend } from './legend.ts';
import { dayTicks, shortUtcDay, valueSpace } from './ticks.ts';

export interface SeriesPoint {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  estimate: number | null;
  low: number | null;
  high: number | null;
}

const LINE = '#3a6ea5';
const TRUTH = '#c2410c';

export function intervalSeriesChart(
  container: HTMLElement,
  points: SeriesPoint[],
  options: { format?: (x: number) => string; truth?: number | undefined; range?: [number, number] } = {},
): () => void {
  const format = options.format ?? ((x: number) => `${Math.round(x * 100)}%`);
  const xs = points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
  const data: (number | null)[][] = [xs, points.map((p) => p.estimate), points.map((p) => p.high), points.map((p) => p.low)];
  const series: uPlot.Series[] = [
    {},
    { label: 'Estimate', stroke: LINE, width: 2, points: { show: true, size: 6 }, value: (_u, v) => (v == null ? 'withheld' : format(v)) },
    { label: '95% upper', stroke: `${LINE}55`, width: 1, value: (_u, v) => (v == null ? '–' : format(v)) },
    { label: '95% lower', stroke: `${LINE}55`, width: 1, value: (_u, v) => (v == null ? '–' : format(v)) },
  ];
  if (options.truth !== undefined) {
    data.push(xs.map(() => options.truth!));
    series.push({ label: 'Simulated truth', stroke: TRUTH, width: 2, dash: [6, 4], points: { show: false }, value: (_u, v) => (v == null ? '–' : format(v)) });
  }
  const height = 220;
  const known = points.flatMap((p) => [p.low, p.high, p.estimate]).filter((x): x is number => x !== null);
  const valueLabels = known.length === 0 ? ['0'] : [format(Math.min(...known)), format(Math.max(...known))];
  const plot = new uPlot(
    {
      width: Math.max(260, container.clientWidth),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: options.range === undefined ? {} : { range: options.range } },
      // One label per UTC day at most, thinned by the plot's width (ticks.ts), never hours.
      axes: [
        {
          splits: (u) => dayTicks(points.map((p) => p.day), u.bbox.width / uPlot.pxRatio).map((d) => Date.parse(`${d}T00:00:00Z`) / 1000),
          values: (_u, splits) => splits.map((ts) => shortUtcDay(new Date(ts * 1000).toISOString().slice(0, 10))),
        },
        { values: (_u, splits) => splits.map(format), size: 56, space: valueSpace(valueLabels) },
      ],
      series,
      bands: [{ series: [2, 3], fill: `${LINE}22` }],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    },
    data as uPlot.AlignedData,
    container,
  );
  plot.root.setAttribute('aria-hidden', 'true');
  container.append(legend([['line', 'estimate per day'], ['band', '95% interval'], ...(options.truth === undefined ? [] : ([['truth-line', 'simulated truth']] as const))]));
  const resize = (): void => plot.setSize({ width: Math.max(260, container.clientWidth), height });
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    plot.destroy();
  };
}
