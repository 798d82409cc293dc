/**
 * Horizontal bars with 95% whiskers (one bar per category or item), drawn with uPlot, plus a
 * reference marker when the host has a figure to compare with (the demo's simulated truth).
 * Horizontal so that long labels ("Shortness of breath") stay readable on a phone; first value at
 * the top.
 *
 * The bar must be the estimate the whiskers belong to (the caller passes the unbiased estimate
 * clipped to [0, 1]); a post-processed value, if given as `consistent`, is a separate hollow circle.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { legend } from './legend.ts';
import { valueSpace } from './ticks.ts';

export interface IntervalBar {
  label: string;
  /** The estimate the interval [low, high] belongs to. */
  estimate: number;
  low: number;
  high: number;
  /** The consistent (post-processed) estimate, drawn as a hollow circle when it differs. */
  consistent?: number | undefined;
  reference?: number | undefined;
}

const BAR = '#3a6ea5';
const WHISKER = '#1d2733';
const REFERENCE = '#c2410c';
const CONSISTENT = '#111827';
/** Below this gap (0.05 percentage points) the consistent marker would only hide the bar's end. */
const SAME = 5e-4;

export function intervalBarChart(container: HTMLElement, bars: IntervalBar[], options: { format?: (x: number) => string; referenceLabel?: string } = {}): () => void {
  const format = options.format ?? ((x: number) => `${Math.round(x * 100)}%`);
  const xs = bars.map((_, i) => i);
  const hasReference = bars.some((b) => b.reference !== undefined);
  const differs = (b: IntervalBar) => b.consistent !== undefined && Math.abs(b.consistent - b.estimate) > SAME;
  const hasConsistent = bars.some(differs);
  const top = Math.max(...bars.map((b) => b.high), ...bars.map((b) => b.reference ?? 0), ...bars.map((b) => b.consistent ?? 0), 0.01);

  // Whiskers and reference markers are drawn on the canvas after the bars (canvas pixels).
  const drawOverlay = (u: uPlot): void => {
    const ctx = u.ctx;
    const px = devicePixelRatio;
    ctx.save();
    bars.forEach((bar, i) => {
      const y = u.valToPos(i, 'x', true);
      const x0 = u.valToPos(Math.max(0, bar.low), 'y', true);
      const x1 = u.valToPos(bar.high, 'y', true);
      const cap = 6 * px;
      ctx.strokeStyle = WHISKER;
      ctx.lineWidth = 2 * px;
      ctx.beginPath();
      ctx.moveTo(x0, y);
      ctx.lineTo(x1, y);
      ctx.moveTo(x0, y - cap);
      ctx.lineTo(x0, y + cap);
      ctx.moveTo(x1, y - cap);
      ctx.lineTo(x1, y + cap);
      ctx.stroke();
      if (differs(bar)) {
        const xc = u.valToPos(bar.consistent!, 'y', true);
        ctx.strokeStyle = CONSISTENT;
        ctx.fillStyle = '#ffffff';
        ctx.lineWidth = 2 * px;
        ctx.beginPath();
        ctx.arc(xc, y, 4.5 * px, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
      if (bar.reference !== undefined) {
        const xt = u.valToPos(bar.reference, 'y', true);
        const r = 5 * px;
        ctx.fillStyle = REFERENCE;
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 1.5 * px;
        ctx.beginPath();
        ctx.moveTo(xt, y - r);
        ctx.lineTo(xt + r, y);
        ctx.lineTo(xt, y + r);
        ctx.lineTo(xt - r, y);
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }
    });
    ctx.restore();
  };

  const height = Math.max(140, 34 * bars.length + 50);
  const labelWidth = Math.min(140, Math.max(60, 7.5 * Math.max(...bars.map((b) => b.label.length))));
  // Never wider than its container: a 390 px phone must not scroll sideways (e2e checks it).
  const size = () => ({ width: Math.max(160, container.clientWidth), height });
  const plot = new uPlot(
    {
      ...size(),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, ori: 1, dir: -1, range: [-0.6, bars.length - 0.4] }, y: { ori: 0, range: [0, top * 1.08] } },
      axes: [
        { side: 3, splits: () => xs, values: (_u, splits) => splits.map((i) => bars[i]?.label ?? ''), size: labelWidth, gap: 4, grid: { show: false }, ticks: { show: false } },
        // Spaced by the widest label (ticks.ts), so "100%" never touches its neighbour on a phone.
        { side: 2, values: (_u, splits) => splits.map(format), grid: { stroke: '#e5e7eb' }, size: 36, space: valueSpace([format(0), format(top)]) },
      ],
      series: [{}, { label: 'Estimate', fill: `${BAR}aa`, stroke: BAR, width: 1, paths: uPlot.paths.bars!({ size: [0.6, 36] }), points: { show: false } }],
      hooks: { draw: [drawOverlay] },
    },
    [xs, bars.map((b) => b.estimate)],
    container,
  );
  plot.root.setAttribute('aria-hidden', 'true');
  container.append(
    legend([
      ['bar', 'unbiased estimate'],
      ['whisker', 'its 95% interval'],
      ...(hasConsistent ? ([['consistent-dot', 'consistent estimate']] as const) : []),
      ...(hasReference ? ([['reference-dot', options.referenceLabel ?? 'reference']] as const) : []),
    ]),
  );
  const resize = (): void => plot.setSize(size());
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    plot.destroy();
  };
}
