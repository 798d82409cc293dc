/**
 * Mechanism.contribute is the one per-report aggregation primitive (aggregate/cells.ts): a report
 * names only the cells it changes. Checked for every registry mechanism: each index once, inside
 * the sum vector, integer deltas; sparseContribution is exactly those cells sorted; and stored
 * cells read back (Accumulator.addCells) into the same dense sums as adding the reports directly —
 * the collector's cell layout is the estimators' layout.
 */
import { describe, expect, it } from 'vitest';
import {
  Accumulator,
  MECHANISM_REGISTRY,
  RandomSampler,
  Rappor,
  addToSums,
  createQuestionMechanism,
  seededRandomSource,
  sparseContribution,
  validateCampaign,
  type CellSink,
  type MechanismName,
  type QuestionTypeName,
} from '../src/index.ts';

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));

function question(type: QuestionTypeName, mechanism: MechanismName, twoLevel: boolean): Record<string, unknown> {
  const base = { id: 'q', prompt: 'Q?', tier: 'low', epsilon: 1, ...(twoLevel ? { epsilonPermanent: 2 } : {}), type, mechanism };
  switch (type) {
    case 'boolean':
      return base;
    case 'categorical':
      return { ...base, domain: { categories: options(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) } };
    case 'multiselect':
      return { ...base, domain: { items: options(['a', 'b', 'c', 'd']), maxItems: 2 } };
    case 'numeric':
      return { ...base, domain: { low: 0, high: 10 } };
    case 'string':
      return { ...base, ...(mechanism === 'rappor' ? { epsilon: 4.5 } : {}), domain: { candidates: ['x', 'y', 'z'], ...(mechanism === 'rappor' ? { rappor: { k: 32, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } } : {}) } };
  }
}

function input(type: QuestionTypeName, name: MechanismName, i: number, rng: RandomSampler): unknown {
  switch (type) {
    case 'boolean':
      return i % 2;
    case 'categorical':
      return i % 10;
    case 'multiselect':
      return i % 3 === 0 ? [] : i % 3 === 1 ? [i % 4] : [0, 3];
    case 'numeric':
      return (i % 21) / 2;
    case 'string':
      return name === 'rappor' ? { value: ['x', 'y', 'w'][i % 3], cohort: i % 4, secret: rng.bytesInto(new Uint8Array(32)) } : i % 4;
  }
}

/** Records every add call. */
class Recorder implements CellSink {
  readonly calls: Array<[number, number]> = [];
  add(index: number, delta: number): void {
    this.calls.push([index, delta]);
  }
}

const entries = Object.entries(MECHANISM_REGISTRY) as Array<[MechanismName, (typeof MECHANISM_REGISTRY)[MechanismName]]>;

describe('Mechanism.contribute: the cells one report changes', () => {
  for (const [name, meta] of entries) {
    for (const type of meta.types) {
      it(`${name} (${type}): each index once, in range, integer deltas; stored cells read back to the same sums`, () => {
        const campaign = validateCampaign({ id: 'c', version: 1, title: 'C', questions: [question(type, name, meta.levels === 2)] });
        const m = createQuestionMechanism(campaign.questions[0]!, { campaignId: 'c' });
        const rng = new RandomSampler(seededRandomSource(`contribute ${name} ${type}`));
        const direct = new Accumulator(m);
        const stored = new Accumulator(m);
        for (let i = 0; i < 200; i++) {
          const report = m.decodeReport(m.encodeReport(m.randomize(input(type, name, i, rng) as never, rng)));
          const recorder = new Recorder();
          m.contribute(report, recorder);
          const indices = recorder.calls.map(([index]) => index);
          expect(new Set(indices).size).toBe(indices.length);
          for (const [index, delta] of recorder.calls) {
            expect(Number.isInteger(index) && index >= 0 && index < m.sumsLength).toBe(true);
            expect(Number.isSafeInteger(delta)).toBe(true);
          }
          expect(recorder.calls.find(([index]) => index === 0)?.[1]).toBe(1); // cell 0 counts the report
          const sparse = sparseContribution(m, report);
          expect([...sparse]).toEqual(recorder.calls.filter(([, delta]) => delta !== 0).sort((a, b) => a[0] - b[0]));
          direct.add(report);
          stored.addCells(sparse);
        }
        expect(Array.from(stored.sums)).toEqual(Array.from(direct.sums));
        expect(direct.n).toBe(200);
      });
    }
  }

  it('RAPPOR k = 4096, m = 4096 (16,781,313 cells): a report touches 2 + its set bits, at the cohort’s offset', () => {
    const rappor = new Rappor({ k: 4096, h: 2, m: 4096, f: 0.5, p: 0.5, q: 0.75, mode: 'hardened-v1', metricId: 'big' });
    expect(rappor.sumsLength).toBe(16_781_313);
    const bits = new Uint8Array(4096);
    for (const b of [0, 7, 4095]) bits[b] = 1;
    const cohort = 4095;
    const base = 1 + cohort * 4097;
    const recorder = new Recorder();
    rappor.contribute({ cohort, bits }, recorder);
    expect(recorder.calls).toEqual([
      [0, 1],
      [base, 1],
      [base + 1, 1],
      [base + 8, 1],
      [base + 4096, 1],
    ]);
    expect(sparseContribution(rappor, { cohort, bits: new Uint8Array(4096).fill(1) }).size).toBe(4098);
  });

  it('sparseContribution sorts and merges what a sink is given out of order, and refuses what cannot be stored exactly', () => {
    const base = createQuestionMechanism(validateCampaign({ id: 'c', version: 1, title: 'C', questions: [question('categorical', 'grr', false)] }).questions[0]!);
    const calls: Array<[number, number]> = [];
    const fake = Object.create(base, { contribute: { value: (_r: unknown, cells: CellSink) => calls.forEach(([i, d]) => cells.add(i, d)) } }) as typeof base;
    calls.push([3, 1], [0, 1], [3, 2], [2, 0]);
    expect([...sparseContribution(fake, 0)]).toEqual([
      [0, 1],
      [3, 3],
    ]);
    calls.splice(0, calls.length, [0, 0.5]);
    expect(() => sparseContribution(fake, 0)).toThrow(/exact integers/);
    calls.splice(0, calls.length, [base.sumsLength, 1]);
    expect(() => sparseContribution(fake, 0)).toThrow(/outside/);
  });

  it('addToSums (dense) and Accumulator.addCells agree; addCells refuses a bad cell and adds nothing', () => {
    const m = createQuestionMechanism(validateCampaign({ id: 'c', version: 1, title: 'C', questions: [question('categorical', 'oue', false)] }).questions[0]!);
    const rng = new RandomSampler(seededRandomSource('addCells'));
    const report = m.randomize(3 as never, rng);
    const sums = new Float64Array(m.sumsLength);
    addToSums(m, report, sums);
    const acc = new Accumulator(m);
    acc.addCells(sparseContribution(m, report));
    expect(Array.from(acc.sums)).toEqual(Array.from(sums));
    expect(() => acc.addCells([[1, 1], [m.sumsLength, 1]])).toThrow(/outside/);
    expect(() => acc.addCells([[1, 1], [2, 0.5]])).toThrow(/integer/);
    expect(Array.from(acc.sums)).toEqual(Array.from(sums));
  });
});
