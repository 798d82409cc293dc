/**
 * An accumulator holds a mechanism's dense sum vector (types.ts: index 0 = report count), filled
 * through the mechanism's one per-report primitive, `contribute` (cells.ts), and nothing else, so its memory is `sumsLength` doubles whatever the number of reports. Sums merge by
 * element-wise addition — collector instances, days and cohorts combine without raw reports.
 *
 * Merging or restoring sums is only meaningful for the very same mechanism parameters, so each
 * accumulator carries a fingerprint of its mechanism (name and every primitive parameter the
 * instance exposes: k, ε, thresholds, p*, q*, h, m, metric id, …). Sums are integers; they stay
 * exact in a Float64Array up to 2^53, which `merge` and `fromJSON` check.
 */
import { parameterError, PrivacyError } from '../errors.ts';
import type { EncodedReport, Mechanism } from '../mechanisms/types.ts';
import { addAllToSums, DenseSums } from './cells.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMechanism = Mechanism<any, any, any>;

export interface AccumulatorJson {
  mechanism: string;
  fingerprint: string;
  sums: number[];
}

/** A stable description of a mechanism's parameters (own enumerable primitive properties, sorted). */
export function mechanismFingerprint(mechanism: AnyMechanism): string {
  const entries: Array<[string, string | number | boolean]> = [];
  for (const key of Object.keys(mechanism).sort()) {
    const value = (mechanism as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') entries.push([key, value]);
  }
  return JSON.stringify([mechanism.name, entries]);
}

export class Accumulator<M extends AnyMechanism> {
  readonly mechanism: M;
  readonly fingerprint: string;
  readonly sums: Float64Array;
  private readonly dense: DenseSums;

  constructor(mechanism: M) {
    this.mechanism = mechanism;
    this.fingerprint = mechanismFingerprint(mechanism);
    this.sums = new Float64Array(mechanism.sumsLength);
    this.dense = new DenseSums(this.sums);
  }

  /** Number of reports added. */
  get n(): number {
    return this.sums[0]!;
  }

  /** Adds a decoded report (the mechanism's own report type). */
  add(report: M extends Mechanism<unknown, infer R, unknown> ? R : never): void {
    this.mechanism.contribute(report, this.dense);
  }

  /** Adds many decoded reports: the mechanism's bulk path when it has one, else one at a time. */
  addAll(reports: ReadonlyArray<M extends Mechanism<unknown, infer R, unknown> ? R : never>): void {
    addAllToSums(this.mechanism, reports, this.sums);
  }

  /** Adds stored cells ([index, delta] pairs, e.g. sparseContribution's or a database's); throws PARAMETER_INVALID on a bad index or delta, adding nothing. */
  addCells(cells: Iterable<readonly [number, number]>): void {
    const checked: Array<readonly [number, number]> = [];
    for (const cell of cells) {
      const [index, delta] = cell;
      if (!Number.isInteger(index) || index < 0 || index >= this.sums.length) throw parameterError('cells', `index ${String(index)} is outside the ${this.sums.length} cells of ${this.mechanism.name}`);
      if (!Number.isSafeInteger(delta) || !Number.isSafeInteger(this.sums[index]! + delta)) throw parameterError('cells', `cell ${index}: ${String(delta)} is not an integer that keeps the sum exact`);
      checked.push(cell);
    }
    for (const [index, delta] of checked) this.sums[index]! += delta;
  }

  /** Validates an encoded report with the mechanism's decoder (throws PAYLOAD_INVALID), then adds it. */
  addEncoded(encoded: EncodedReport): void {
    this.mechanism.contribute(this.mechanism.decodeReport(encoded), this.dense);
  }

  /** Adds another accumulator's sums; throws PARAMETER_INVALID if its mechanism differs. */
  merge(other: Accumulator<AnyMechanism>): this {
    if (other.fingerprint !== this.fingerprint) throw parameterError('other', `cannot merge sums of ${other.mechanism.name} with different parameters into ${this.mechanism.name}`);
    addSums(this.sums, other.sums);
    return this;
  }

  estimate(): ReturnType<M['estimate']> {
    return this.mechanism.estimate(this.sums) as ReturnType<M['estimate']>;
  }

  toJSON(): AccumulatorJson {
    return { mechanism: this.mechanism.name, fingerprint: this.fingerprint, sums: Array.from(this.sums) };
  }

  /** Restores sums saved by toJSON for the same mechanism; throws on any mismatch or bad number. */
  static fromJSON<M extends AnyMechanism>(mechanism: M, json: unknown): Accumulator<M> {
    const accumulator = new Accumulator(mechanism);
    if (typeof json !== 'object' || json === null) throw parameterError('json', 'must be an object');
    const { fingerprint, sums } = json as Partial<AccumulatorJson>;
    if (fingerprint !== accumulator.fingerprint) throw parameterError('json.fingerprint', `does not match ${mechanism.name} with these parameters`);
    if (!Array.isArray(sums) || sums.length !== mechanism.sumsLength) throw parameterError('json.sums', `must be an array of ${mechanism.sumsLength} numbers`);
    addSums(accumulator.sums, sums);
    return accumulator;
  }
}

function addSums(target: Float64Array, source: ArrayLike<unknown>): void {
  const next = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const value = source[i];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw parameterError(`sums.${i}`, `must be a non-negative integer, got ${String(value)}`);
    next[i] = target[i]! + value;
    if (next[i]! > Number.MAX_SAFE_INTEGER) throw new PrivacyError('NOT_SUPPORTED', 'runtime', `sums.${i}: exceeds 2^53 and would lose exactness`, { path: `sums.${i}` });
  }
  target.set(next);
}
