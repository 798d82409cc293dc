/**
 * The cells of sum vectors, built from each mechanism's one per-report primitive,
 * `Mechanism.contribute` (mechanisms/types.ts):
 *
 * - `DenseSums` / `addToSums`: into a dense `Float64Array` of `sumsLength` (what `estimate` reads,
 *   and what `Accumulator` holds);
 * - `sparseContribution`: the cells of one report, sorted by index, integers checked, 12 bytes a
 *   cell — what the collector stores per report, in memory proportional to the cells it touches.
 *   (A RAPPOR question with k = 4096 bits and m = 4096 cohorts has 16,781,313 cells; one report
 *   touches at most 4,098 of them. The collector used to add each report into a dense vector of
 *   all cells and scan it: 128 MiB and 16.8 M reads per report.)
 *
 * Both give the same layout, so cells stored by one read back the same into the other.
 */
import type { CellSink, Mechanism } from '../mechanisms/types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMechanism = Mechanism<any, any, any>;
type ReportOf<M> = M extends Mechanism<unknown, infer R, unknown> ? R : never;

/** A dense sum vector as a CellSink. */
export class DenseSums implements CellSink {
  constructor(readonly sums: Float64Array) {}

  add(index: number, delta: number): void {
    this.sums[index]! += delta;
  }
}

/** Adds one decoded report to dense `sums` (length `mechanism.sumsLength`). */
export function addToSums<M extends AnyMechanism>(mechanism: M, report: ReportOf<M>, sums: Float64Array): void {
  mechanism.contribute(report, new DenseSums(sums));
}

/** Adds many decoded reports to dense `sums`: the mechanism's bulk path when it has one, else one at a time. */
export function addAllToSums<M extends AnyMechanism>(mechanism: M, reports: ReadonlyArray<ReportOf<M>>, sums: Float64Array): void {
  if (mechanism.addAllToSums !== undefined) return mechanism.addAllToSums(reports, sums);
  const dense = new DenseSums(sums);
  for (const report of reports) mechanism.contribute(report, dense);
}

/**
 * One report's non-zero cells, sorted by index: 12 bytes a cell (a Uint32 index and a Float64
 * delta), iterable as [index, delta] pairs.
 */
export class SparseCells implements Iterable<[number, number]> {
  constructor(
    readonly indices: Uint32Array,
    readonly deltas: Float64Array,
  ) {}

  get size(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.indices.length; i++) yield [this.indices[i]!, this.deltas[i]!];
  }
}

class SparseCollector implements CellSink {
  readonly indices: number[] = [];
  readonly deltas: number[] = [];
  sorted = true;
  private last = -1;

  add(index: number, delta: number): void {
    if (delta === 0) return;
    if (index <= this.last) this.sorted = false;
    this.last = index;
    this.indices.push(index);
    this.deltas.push(delta);
  }
}

/**
 * The cells one decoded report changes, as sorted [index, delta] pairs with non-zero integer
 * deltas: memory and time in proportion to those cells, never to `sumsLength`. Throws (a
 * mechanism bug, not bad input: the report is already decoded; a plain Error, not a PrivacyError) when an index is outside
 * [0, sumsLength) or a delta is not a safe integer — such sums could not be stored exactly.
 */
export function sparseContribution<M extends AnyMechanism>(mechanism: M, report: ReportOf<M>): SparseCells {
  const collector = new SparseCollector();
  mechanism.contribute(report, collector);
  let { indices, deltas } = collector;
  if (!collector.sorted) [indices, deltas] = mergeUnsorted(indices, deltas);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    const delta = deltas[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= mechanism.sumsLength) throw new Error(`${mechanism.name} contributed to cell ${index}, outside its ${mechanism.sumsLength} cells`);
    if (!Number.isSafeInteger(delta)) throw new Error(`${mechanism.name} contributed ${delta} to cell ${index}: cells hold exact integers`);
  }
  return new SparseCells(Uint32Array.from(indices), Float64Array.from(deltas));
}

/** Sorts by index and adds up repeats (contribute promises each index once; this keeps the result right if one does not). */
function mergeUnsorted(indices: number[], deltas: number[]): [number[], number[]] {
  const order = indices.map((_, i) => i).sort((a, b) => indices[a]! - indices[b]!);
  const outIndices: number[] = [];
  const outDeltas: number[] = [];
  for (const i of order) {
    const last = outIndices.length - 1;
    if (last >= 0 && outIndices[last] === indices[i]) outDeltas[last]! += deltas[i]!;
    else {
      outIndices.push(indices[i]!);
      outDeltas.push(deltas[i]!);
    }
  }
  const kept = outDeltas.map((d, i) => (d === 0 ? -1 : i)).filter((i) => i >= 0);
  return [kept.map((i) => outIndices[i]!), kept.map((i) => outDeltas[i]!)];
}
