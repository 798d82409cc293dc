/**
 * Exactness of the two-level mechanisms (src/mechanisms/longitudinal/): from each mechanism's
 * integer thresholds ONLY, recomputed here in BigInt without the mechanism's own ratio helpers,
 *  - ε∞: the permanent level's worst output ratio is ≤ e^epsilonPermanent and ≤ e^permanentEpsilon;
 *  - ε₁: the CHAINED distribution of one report (permanent then instantaneous, summed over the
 *    permanent response) has worst ratio ≤ e^epsilon and ≤ e^implementedEpsilon;
 *  - tightness: one more step of the instantaneous threshold towards less noise breaks ε₁ (the
 *    threshold is the least noisy one allowed, not a loose float formula).
 * Ratios are compared with rational bounds of e^x (exact/rational.ts), as in exactness.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  addToSums,
  AlphaOneBitRandomizer,
  LgrrRandomizer,
  LolohaRandomizer,
  LueRandomizer,
  expLowerBound,
  expUpperBound,
  rationalLessOrEqual,
  type LueName,
  type Rational,
} from '../src/index.ts';

const O = 1n << 32n;
const LEVEL_GRID: Array<[number, number]> = [
  [0.25, 0.5],
  [0.5, 1],
  [1, 2],
  [0.5, 2],
  [2, 4],
  [4, 8],
  [1, 1.2],
];

function max(a: Rational, b: Rational): Rational {
  return a.num * b.den >= b.num * a.den ? a : b;
}

function assertBound(ratio: Rational, requested: number, implemented: number): void {
  expect(ratio.den > 0n).toBe(true);
  expect(rationalLessOrEqual(ratio, expUpperBound(requested))).toBe(true);
  expect(rationalLessOrEqual(ratio, expLowerBound(implemented))).toBe(true);
  expect(implemented).toBeLessThanOrEqual(requested);
}

/**
 * GRR over [k] with keep threshold T as integer weights over O·(k−1): w(y|x) = T(k−1) if y = x,
 * else O − T. Worst ratio of a chain of GRR steps with keep thresholds `steps`, over two inputs and
 * every output, by summing over the intermediate values (k ≤ 31 here).
 */
function grrChainWorstRatio(k: number, steps: readonly number[]): Rational {
  const K = BigInt(k - 1);
  const distribution = (input: number): bigint[] => {
    let current: bigint[] = Array.from({ length: k }, (_, y) => (y === input ? 1n : 0n));
    for (const t of steps) {
      const T = BigInt(t);
      const next = new Array<bigint>(k).fill(0n);
      for (let z = 0; z < k; z++) {
        if (current[z] === 0n) continue;
        for (let y = 0; y < k; y++) next[y]! += current[z]! * (y === z ? T * K : O - T);
      }
      current = next;
    }
    return current;
  };
  // By symmetry inputs 0 and 1 give the worst pair.
  const a = distribution(0);
  const b = distribution(1);
  let worst: Rational = { num: 1n, den: 1n };
  for (let y = 0; y < k; y++) worst = max(worst, max({ num: a[y]!, den: b[y]! }, { num: b[y]!, den: a[y]! }));
  return worst;
}

describe('L-GRR', () => {
  for (const k of [2, 3, 5, 11, 16]) {
    for (const [epsilon, epsilonPermanent] of LEVEL_GRID) {
      it(`k=${k} ε₁=${epsilon} ε∞=${epsilonPermanent}`, () => {
        const m = new LgrrRandomizer({ k, epsilon, epsilonPermanent });
        assertBound(grrChainWorstRatio(k, [m.permanentKeep]), epsilonPermanent, m.permanentEpsilon);
        assertBound(grrChainWorstRatio(k, [m.permanentKeep, m.instantKeep]), epsilon, m.implementedEpsilon);
        // Tight: one unit less noise at the instantaneous level exceeds ε₁.
        expect(rationalLessOrEqual(grrChainWorstRatio(k, [m.permanentKeep, m.instantKeep + 1]), expUpperBound(epsilon))).toBe(false);
        // ε_inst really bounds the instantaneous level alone (any two permanent responses).
        expect(rationalLessOrEqual(grrChainWorstRatio(k, [m.instantKeep]), expLowerBound(m.instantaneousEpsilon))).toBe(true);
        expect(m.permanentCount).toBe(k);
      });
    }
  }
});

describe('LOLOHA', () => {
  for (const k of [4, 13, 100, 1000]) {
    for (const [epsilon, epsilonPermanent] of LEVEL_GRID) {
      it(`k=${k} ε₁=${epsilon} ε∞=${epsilonPermanent}`, () => {
        let m: LolohaRandomizer;
        try {
          m = new LolohaRandomizer({ k, epsilon, epsilonPermanent });
        } catch (error) {
          // Only a typed refusal is acceptable (levels too close for any g at 2^-32).
          expect((error as { code?: string }).code).toBe('PARAMETER_INVALID');
          return;
        }
        // Per fixed hash, a report is L-GRR over [g] of h(v): the worst pair has h(v) ≠ h(v').
        assertBound(grrChainWorstRatio(m.g, [m.permanentKeep]), epsilonPermanent, m.permanentEpsilon);
        assertBound(grrChainWorstRatio(m.g, [m.permanentKeep, m.instantKeep]), epsilon, m.implementedEpsilon);
        expect(m.permanentCount).toBe(m.g);
        expect(m.hashCount).toBeGreaterThanOrEqual(k);
        expect(m.linkageBits).toBeCloseTo(m.digits * Math.log2(m.g), 12);
      });
    }
  }

  it('the hash family collides every pair of distinct values in exactly 1/g of its members', () => {
    for (const [k, g] of [[13, 7], [30, 5], [9, 3], [16, 2]] as const) {
      const m = new LolohaRandomizer({ k, epsilon: 1, epsilonPermanent: 2, g });
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          let collisions = 0;
          for (let h = 0; h < m.hashCount; h++) if (m.hash(h, a) === m.hash(h, b)) collisions++;
          expect(collisions * g).toBe(m.hashCount);
        }
      }
    }
  });
});

describe('L-UE family', () => {
  const names: LueName[] = ['l-sue', 'l-oue', 'l-osue', 'l-soue'];
  for (const name of names) {
    for (const [epsilon, epsilonPermanent] of LEVEL_GRID) {
      it(`${name} ε₁=${epsilon} ε∞=${epsilonPermanent}`, () => {
        const m = new LueRandomizer(name, { k: 8, epsilon, epsilonPermanent });
        const T1 = BigInt(m.trueBit);
        const T0 = BigInt(m.otherBit);
        // Inputs v, v' differ only in bits v and v': the worst ratio over the two bits' outcomes.
        const pairRatio = (p: bigint, q: bigint, one: bigint): Rational => {
          // Pr[(b_v, b_v') | v] / Pr[(b_v, b_v') | v'] for (1,0) and (0,1) are the extremes.
          const r = { num: p * (one - q), den: q * (one - p) };
          return max(r, { num: r.den, den: r.num });
        };
        assertBound(pairRatio(T1, T0, O), epsilonPermanent, m.permanentEpsilon);
        const chained = (A: bigint, B: bigint) => ({ P: T1 * A + (O - T1) * B, Q: T0 * A + (O - T0) * B });
        const { P, Q } = chained(BigInt(m.keepOne), BigInt(m.flipZero));
        assertBound(pairRatio(P, Q, O * O), epsilon, m.implementedEpsilon);
        // Tight: the next less noisy instantaneous pair breaks ε₁ (unless the search's end, t = 1, is
        // already within ε₁: an optimized second round halves the ones and can be within ε₁ with
        // almost no noise on the zeros when ε∞ is close to ε₁).
        if (m.flipZero === 1) return;
        const symmetric = name === 'l-sue' || name === 'l-osue';
        const t = BigInt(m.flipZero) - 1n;
        const looser = chained(symmetric ? O - t : BigInt(m.keepOne), t);
        expect(rationalLessOrEqual(pairRatio(looser.P, looser.Q, O * O), expUpperBound(epsilon))).toBe(false);
      });
    }
  }
});

describe('alpha-1bit', () => {
  for (const levels of [2, 3, 5]) {
    for (const [epsilon, epsilonPermanent] of LEVEL_GRID) {
      it(`levels=${levels} ε₁=${epsilon} ε∞=${epsilonPermanent}`, () => {
        const m = new AlphaOneBitRandomizer({ epsilon, epsilonPermanent, low: 0, high: 10, levels });
        const thresholds = Array.from({ length: levels }, (_, l) => BigInt(m.bottom + l * m.step));
        const bitRatio = (a: bigint, b: bigint, one: bigint): Rational => max(max({ num: a, den: b }, { num: b, den: a }), max({ num: one - a, den: one - b }, { num: one - b, den: one - a }));
        let permanent: Rational = { num: 1n, den: 1n };
        let chained: Rational = { num: 1n, den: 1n };
        const K = BigInt(m.keep);
        const c = (t: bigint) => t * K + (O - t) * (O - K);
        for (const a of thresholds) {
          for (const b of thresholds) {
            permanent = max(permanent, bitRatio(a, b, O));
            chained = max(chained, bitRatio(c(a), c(b), O * O));
          }
        }
        assertBound(permanent, epsilonPermanent, m.permanentEpsilon);
        assertBound(chained, epsilon, m.implementedEpsilon);
        expect(m.permanentCount).toBe(levels);
      });
    }
  }
});

describe('refusals', () => {
  it('ε∞ must exceed ε₁, with a typed error naming epsilonPermanent', () => {
    for (const make of [
      () => new LgrrRandomizer({ k: 4, epsilon: 2, epsilonPermanent: 2 }),
      () => new LueRandomizer('l-oue', { k: 4, epsilon: 2, epsilonPermanent: 1 }),
      () => new LolohaRandomizer({ k: 40, epsilon: 1, epsilonPermanent: 0.5 }),
      () => new AlphaOneBitRandomizer({ epsilon: 1, epsilonPermanent: 1, low: 0, high: 1 }),
    ]) {
      expect(make).toThrow(expect.objectContaining({ code: 'PARAMETER_INVALID', path: 'epsilonPermanent' }));
    }
  });

  it('bad answers are INPUT_INVALID and draw nothing', () => {
    const m = new LgrrRandomizer({ k: 4, epsilon: 1, epsilonPermanent: 2 });
    for (const bad of [-1, 4, 1.5, Number.NaN, '1' as unknown as number]) expect(() => m.slotOf(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('LOLOHA aggregation', () => {
  it('adds exactly the values whose hash is the report\'s bucket, for every hash index', async () => {
    const { Loloha } = await import('../src/index.ts');
    for (const [k, g] of [[13, 3], [100, 7], [30, 2], [1000, 31]] as const) {
      const m = new Loloha({ k, epsilon: 1, epsilonPermanent: 2, g });
      const step = Math.max(1, Math.floor(m.hashCount / 97));
      for (let hash = 0; hash < m.hashCount; hash += step) {
        for (let value = 0; value < g; value++) {
          const fast = new Float64Array(m.sumsLength);
          addToSums(m, { hash, value }, fast);
          const naive = new Float64Array(m.sumsLength);
          naive[0] = 1;
          for (let v = 0; v < k; v++) if (m.hash(hash, v) === value) naive[1 + v]! += 1;
          expect(Array.from(fast)).toEqual(Array.from(naive));
        }
      }
    }
  });
});

describe('L-UE bulk aggregation', () => {
  it('addAllToSums equals addToSums report by report', async () => {
    const { LongitudinalUnaryEncoding, RandomSampler, seededRandomSource } = await import('../src/index.ts');
    const rng = new RandomSampler(seededRandomSource('l-ue bulk'));
    for (const k of [5, 64, 100]) {
      const m = new LongitudinalUnaryEncoding('l-oue', { k, epsilon: 1, epsilonPermanent: 2 });
      const reports = Array.from({ length: 300 }, (_, i) => m.randomize(i % k, rng));
      const one = new Float64Array(m.sumsLength);
      for (const r of reports) addToSums(m, r, one);
      const bulk = new Float64Array(m.sumsLength);
      m.addAllToSums(reports, bulk);
      expect(Array.from(bulk)).toEqual(Array.from(one));
    }
  });
});
