/**
 * `pnpm bench` step "quality" (issue #6, item 1 beyond bench:accuracy): is `auto` the best
 * mechanism, how much does consistency post-processing help, and does the planner predict the
 * interval widths one really gets? Three parts, each in its own file:
 *  - quality-auto.ts: auto against the least-variance frequency oracle (target ≤ 1.02);
 *  - quality-consistency.ts: MSE of raw and Norm-Sub estimates, Zipf(1.1), k = 1024 (no target;
 *    Norm-Sub should not be worse);
 *  - quality-planner.ts: planner-predicted against empirical 95% half-widths (target ±10%).
 * All simulations use the real randomizers with seeded random sources (simulate.ts), so a run is
 * reproducible. Writes bench/results/quality.json; `--quick` uses fewer trials and smaller n.
 */
import { autoSelection } from './quality-auto.ts';
import { consistency } from './quality-consistency.ts';
import { plannerCheck } from './quality-planner.ts';
import { isQuick, printFigures, writeStep, type Figure } from './results.ts';

const started = performance.now();
const figures: Figure[] = [];
const notes: string[] = [];
const details: Record<string, unknown> = {};
for (const [name, part] of [
  ['auto', autoSelection],
  ['consistency', consistency],
  ['planner', plannerCheck],
] as const) {
  process.stderr.write(`quality: ${name}${isQuick ? ' (quick)' : ''}\n`);
  const result = part();
  figures.push(...result.figures);
  notes.push(...result.notes);
  details[name] = result.details;
}
notes.push(`Seeded ChaCha20 streams (core's seededRandomSource, computed natively by bench/simulate.ts); total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
printFigures(figures);
console.log(`wrote ${writeStep('quality', figures, { notes, details })}`);
