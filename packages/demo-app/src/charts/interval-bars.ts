/**
 * Horizontal bars with 95% whiskers (one bar per category or item), drawn with uPlot, plus an
 * optional "truth" tick when a simulation knows the true value. Horizontal so that long labels
 * ("Shortness of breath") stay readable on a phone.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface IntervalBar {
  label: string;
  estimate: number;
  low: number;
  high: number;
  truth?: number | undefined;
}

const BAR = '#3a6ea5';
const WHISKER = '#1d2733';
const TRUTH = '#c2410c';

export function intervalBarChart(container: HTMLElement, bars: IntervalBar[], options: { max?: number; format?: (x: number) => string } = {}): () => void {
  const format = options.format ?? ((x: number) => `${Math.round(x * 100)}%`);
  const xs = bars.map((_, i) => i);
  const estimates = bars.map((b) => b.estimate);
  const hasTruth = bars.some((b) => b.truth !== undefined);
  const truths = bars.map((b) => b.truth ?? null);
  const top = Math.max(options.max ?? 0, ...bars.map((b) => b.high), ...bars.map((b) => b.truth ?? 0)) || 1;

  const drawWhiskers = (u: uPlot): void => {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = WHISKER;
    ctx.lineWidth = 2 * devicePixelRatio;
    const cap = 6 * devicePixelRatio;
    bars.forEach((bar, i) => {
      const y = u.valToPos(i, 'x', true);
      const x0 = u.valToPos(Math.max(0, bar.low), 'y', true);
      const x1 = u.valToPos(bar.high, 'y', true);
      ctx.beginPath();
      ctx.moveTo(x0, y);
      ctx.lineTo(x1, y);
      ctx.moveTo(x0, y - cap);
      ctx.lineTo(x0, y + cap);
      ctx.moveTo(x1, y - cap);
      ctx.lineTo(x1, y + cap);
      ctx.stroke();
    });
    ctx.restore();
  };

  const series: uPlot.Series[] = [
    {},
    { label: 'Estimate', fill: `${BAR}99`, stroke: BAR, width: 1, paths: uPlot.paths.bars!({ size: [0.6, 40] }), points: { show: false }, value: (_u, v) => (v == null ? '–' : format(v)) },
  ];
  if (hasTruth) series.push({ label: 'Simulated truth', stroke: TRUTH, width: 0, paths: () => null, points: { show: true, size: 11, fill: TRUTH, stroke: '#fff', width: 2 }, value: (_u, v) => (v == null ? '–' : format(v)) });

  const height = Math.max(160, 38 * bars.length + 60);
  const plot = new uPlot(
    {
      width: Math.max(280, container.clientWidth),
      height,
      legend: { show: hasTruth },
      cursor: { show: false },
      scales: { x: { time: false, ori: 1, dir: 1, range: [-0.6, bars.length - 0.4] }, y: { ori: 0, range: [0, top * 1.05] } },
      axes: [
        { side: 3, values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (bars[i]?.label ?? '') : '')), splits: () => xs, size: 130, gap: 6, grid: { show: false }, ticks: { show: false } },
        { side: 2, values: (_u, splits) => splits.map(format), grid: { stroke: '#e5e7eb' } },
      ],
      series,
      hooks: { draw: [drawWhiskers] },
    },
    (hasTruth ? [xs, estimates, truths] : [xs, estimates]) as uPlot.AlignedData,
    container,
  );
  plot.root.setAttribute('aria-hidden', 'true');
  const resize = (): void => plot.setSize({ width: Math.max(280, container.clientWidth), height });
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    plot.destroy();
  };
}
