/**
 * Shared by every benchmark step: one figure = a measured value with its unit and, where the
 * issue sets one, a target and a verdict. Written to $PP_BENCH_RESULTS/<step>.json (default:
 * the repository's bench/results), then rendered into docs/benchmarks.md by scripts/bench.mjs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  /** Human-readable target, e.g. "≥ 20,000,000" or "[0.95, 1.05]". */
  target?: string;
  /** true = met, false = missed, undefined = no target. */
  pass?: boolean;
}

export interface StepResult {
  step: string;
  quick: boolean;
  generatedAt: string;
  figures: Figure[];
  notes?: string[];
  details?: unknown;
}

export const isQuick = process.argv.includes('--quick');

export function resultsDirectory(): string {
  const fromEnv = process.env.PP_BENCH_RESULTS;
  if (fromEnv) return fromEnv;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/results');
}

export function writeStep(step: string, figures: Figure[], extra: { notes?: string[]; details?: unknown } = {}): string {
  const directory = resultsDirectory();
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${step}.json`);
  const result: StepResult = { step, quick: isQuick, generatedAt: new Date().toISOString(), figures, ...extra };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function atLeast(value: number, target: number): Pick<Figure, 'target' | 'pass'> {
  return { target: `≥ ${target.toLocaleString('en-US')}`, pass: value >= target };
}

export function atMost(value: number, target: number): Pick<Figure, 'target' | 'pass'> {
  return { target: `≤ ${target.toLocaleString('en-US')}`, pass: value <= target };
}

export function within(value: number, low: number, high: number): Pick<Figure, 'target' | 'pass'> {
  return { target: `[${low}, ${high}]`, pass: value >= low && value <= high };
}

/** Prints a compact table of figures to stdout. */
export function printFigures(figures: Figure[]): void {
  for (const f of figures) {
    const verdict = f.pass === undefined ? '' : f.pass ? '  ok' : '  MISSED';
    const value = typeof f.value === 'number' ? (Number.isInteger(f.value) ? f.value.toLocaleString('en-US') : f.value.toPrecision(4)) : f.value;
    console.log(`${f.name.padEnd(60)} ${String(value).padStart(14)} ${f.unit}${f.target ? ` (target ${f.target})` : ''}${verdict}`);
  }
}

/** Median of repeated timings, to damp noise from other processes. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
