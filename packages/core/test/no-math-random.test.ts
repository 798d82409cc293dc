/**
 * No mechanism touches Math.random: with Math.random replaced by a function that throws, every
 * mechanism exported from src/index.ts is constructed, randomizes (with the seeded sampler and
 * with the default crypto-backed one), goes through the wire format and is estimated.
 * To cover a new mechanism, append one `exercise(...)` line to MECHANISMS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToSums,
  BinaryRandomizedResponse,
  DuchiMechanism,
  GeneralizedRandomizedResponse,
  HadamardResponse,
  HybridMechanism,
  OptimizedLocalHashing,
  OptimizedUnaryEncoding,
  PaddingAndSampling,
  PiecewiseMechanism,
  RandomSampler,
  Rappor,
  SymmetricUnaryEncoding,
  seededRandomSource,
  type Mechanism,
} from '../src/index.ts';

type Exercise = [string, () => void];

/** Construct with `make`, then randomize → encode → decode → addToSums each input, estimate and describe. */
function exercise<I, R, E>(name: string, make: () => Mechanism<I, R, E>, inputs: readonly I[]): Exercise {
  return [
    name,
    () => {
      const m = make();
      for (const rng of [new RandomSampler(seededRandomSource(`no-math-random/${name}`)), new RandomSampler()]) {
        const sums = new Float64Array(m.sumsLength);
        for (const input of inputs) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(input, rng))), sums);
        expect(m.estimate(sums)).toBeDefined();
      }
      expect(m.describe().summary.length).toBeGreaterThan(0);
    },
  ];
}

const MECHANISMS: Exercise[] = [
  exercise('binary-rr', () => new BinaryRandomizedResponse({ epsilon: 1 }), [0, 1, 1]),
  exercise('grr', () => new GeneralizedRandomizedResponse({ k: 5, epsilon: 1 }), [0, 4, 2]),
  exercise('sue', () => new SymmetricUnaryEncoding({ k: 12, epsilon: 1 }), [0, 11, 5]),
  exercise('oue', () => new OptimizedUnaryEncoding({ k: 12, epsilon: 1 }), [0, 11, 5]),
  exercise('olh', () => new OptimizedLocalHashing({ k: 100, epsilon: 2 }), [0, 99, 50]),
  exercise('hadamard', () => new HadamardResponse({ k: 100, epsilon: 2 }), [0, 99, 50]),
  exercise('duchi', () => new DuchiMechanism({ epsilon: 1, low: 0, high: 10 }), [0, 10, 3.3]),
  exercise('piecewise', () => new PiecewiseMechanism({ epsilon: 1, low: 0, high: 10 }), [0, 10, 3.3]),
  exercise('hybrid', () => new HybridMechanism({ epsilon: 1, low: 0, high: 10 }), [0, 10, 3.3]),
  exercise('rappor google-py', () => new Rappor({ k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' }), [
    { value: 'abc', cohort: 0, secret: new TextEncoder().encode('secret') },
    { value: 'def', cohort: 3, secret: new TextEncoder().encode('other secret') },
  ]),
  exercise('rappor hardened-v1', () => new Rappor({ k: 64, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75, mode: 'hardened-v1', metricId: 'symptom' }), [
    { value: 'fever', cohort: 1, secret: new Uint8Array(32).fill(7) },
  ]),
  exercise('padding-sampling', () => new PaddingAndSampling({ k: 6, maxItems: 2, epsilon: 1 }), [[], [1], [0, 5]]),
];

describe('no mechanism calls Math.random', () => {
  const original = Math.random;
  beforeAll(() => {
    Math.random = () => {
      throw new Error('Math.random must never be called');
    };
  });
  afterAll(() => {
    Math.random = original;
  });

  it('Math.random really throws in this suite', () => {
    expect(() => Math.random()).toThrow(/never/);
  });

  it.each(MECHANISMS)('%s', (_name, run) => run());
});
