/**
 * Exactness of the many-Bernoulli sampler behind SUE/OUE (src/random/bernoulli-bits.ts).
 *
 * 1. Exhaustive: the real sampling code is driven by a "tape" sampler whose words the test
 *    chooses, and every path of the random digits is enumerated (depth-first; a path ends when the
 *    code stops drawing). Each path of d digits of D bits has probability 2^(−dD), so the exact
 *    output distribution is a sum of powers of two, compared in BigInt with the product of the
 *    implemented per-bit probabilities T/2^32. Done for one draw of the inverse-CDF table
 *    (DyadicTable) and for whole bit strings (BernoulliBits.fill) at small k, with small
 *    dictionaries and 4-bit digits so that every path can be visited — including thresholds with
 *    all 32 bits significant and the recompute-exactly path for late digits.
 * 2. The production-size table (1,024 leaves, 16-bit digits) for real OUE/SUE thresholds, in
 *    BigInt: the dictionary is a complete prefix code with the exact product weights; every one of
 *    the 65,536 cells is inside the interval it names (or names the interval of its first value);
 *    at every boundary N_j the sampler switches from leaf j to the next exactly (U = N_j − 1 and
 *    U = N_j, driven through the real fallback).
 * 3. Statistical (seeded, so reproducible, but it can fail): χ² of whole OUE reports at k = 4 and
 *    of the bytes and report weights of OUE at k = 1024 through `randomize`, against the exact
 *    product distribution.
 */
import { describe, expect, it } from 'vitest';
import { BernoulliBits, DyadicTable, runDictionary, runWeights, type BernoulliBitsOptions } from '../src/random/bernoulli-bits.ts';
import { OptimizedUnaryEncoding, RandomSampler, SymmetricUnaryEncoding, THRESHOLD_ONE, scriptedRandomSource, seededRandomSource } from '../src/index.ts';

const ONE = BigInt(THRESHOLD_ONE);

/** What the code was drawing when the tape ran out: first digits of leaves, or a boundary's further digits. */
type Phase = 'first' | 'fallback';

class TapeExhausted extends Error {
  constructor(readonly phase: Phase) {
    super('tape exhausted');
  }
}

/** A sampler that returns chosen words, then throws: the enumerator extends the tape and reruns. */
class TapeSampler extends RandomSampler {
  position = 0;
  phase: Phase = 'first';
  constructor(private readonly tape: readonly number[]) {
    super(scriptedRandomSource([]));
  }
  override uint32(): number {
    if (this.position === this.tape.length) throw new TapeExhausted(this.phase);
    return this.tape[this.position++]!;
  }
}

const MAX_RUNS = 2_000_000;

/** One draw of a table, its first digit from the low D bits of a word (as fill takes the low slot). */
function sampleOne(table: DyadicTable, rng: RandomSampler): number {
  const first = rng.uint32() & (2 ** table.digitBits - 1);
  const cell = table.cells[first]!;
  return cell >= 0 ? cell : table.resolve(first, cell, rng);
}

/** Marks the words a table's fallback draws (its phase), by wrapping that one instance's resolve. */
function instrument(table: DyadicTable): void {
  const resolve = table.resolve.bind(table);
  table.resolve = (first, hint, rng) => {
    const tape = rng as TapeSampler;
    const before = tape.phase;
    tape.phase = 'fallback';
    try {
      return resolve(first, hint, rng);
    } finally {
      tape.phase = before;
    }
  };
}

interface WordValues {
  /** Every value the next word takes (its meaningful bits vary, the others are fixed). */
  values: number[];
  /** Meaningful bits: each value has probability 2^−bits. */
  bits: number;
}

/**
 * Enumerates every tape the code can read, depth first: when the code asks for a word past the
 * tape, the tape is extended by each value of that word in turn and the code rerun. Returns, per
 * outcome, Σ over tapes of 2^(denominatorBits − meaningful bits of the tape): the exact
 * probability as a numerator over 2^denominatorBits.
 */
function enumerate(run: (rng: RandomSampler) => string, next: (phase: Phase) => WordValues, denominatorBits: number): Map<string, bigint> {
  const result = new Map<string, bigint>();
  let runs = 0;
  const visit = (tape: number[], bits: number): void => {
    // A wrong table can make boundaries long and the tree huge: fail instead of running for hours.
    if (++runs > MAX_RUNS) throw new Error(`more than ${MAX_RUNS} paths`);
    const rng = new TapeSampler(tape);
    let key: string;
    try {
      key = run(rng);
    } catch (error) {
      if (!(error instanceof TapeExhausted)) throw error;
      const word = next(error.phase);
      for (const value of word.values) visit([...tape, value], bits + word.bits);
      return;
    }
    expect(rng.position).toBe(tape.length); // every enumerated word was read
    expect(bits).toBeLessThanOrEqual(denominatorBits);
    result.set(key, (result.get(key) ?? 0n) + (1n << BigInt(denominatorBits - bits)));
  };
  visit([], 0);
  return result;
}

/** Product probability numerator over 2^(32·n) of lanes `pattern` (n lanes), P(1) = t/2^32. */
function productNumerator(pattern: number, n: number, threshold: number): bigint {
  const t = BigInt(threshold);
  let p = 1n;
  for (let i = 0; i < n; i++) p *= (pattern >> i) & 1 ? t : ONE - t;
  return p;
}

const OUE2 = new OptimizedUnaryEncoding({ k: 8, epsilon: 2 }).otherBitThreshold; // 32 significant bits
const SUE1 = new SymmetricUnaryEncoding({ k: 8, epsilon: 1 }).otherBitThreshold;
const THRESHOLDS = [OUE2, SUE1, 2 ** 31, 3 * 2 ** 28, 1, THRESHOLD_ONE - 1, 0x9e3779b9];
void ONE;

describe('DyadicTable: one inverse-CDF draw, every digit path enumerated', () => {
  const cases: Array<{ name: string; weights: bigint[]; weight?: (j: number) => bigint; totalBits: number; digitBits: number; storedDigits: number }> = [];
  for (const threshold of THRESHOLDS) {
    for (const [leaves, maxRun] of [[4, 2], [6, 3]] as const) {
      const d = runDictionary(threshold, leaves, maxRun);
      // Computed here from each leaf's lanes, not with runWeights: the table is driven with
      // runWeights' values and must give these.
      const weights = Array.from(d.lengths, (len, j) => productNumerator(d.patterns[j]!, len, threshold) << BigInt(32 * (maxRun - len)));

      cases.push({ name: `run dictionary T=${threshold} leaves=${leaves} maxRun=${maxRun}, D=4, all digits stored`, weights, weight: runWeights(d), totalBits: 32 * maxRun, digitBits: 4, storedDigits: 99 });
      cases.push({ name: `run dictionary T=${threshold} leaves=${leaves} maxRun=${maxRun}, D=4, 1 digit stored`, weights, weight: runWeights(d), totalBits: 32 * maxRun, digitBits: 4, storedDigits: 1 });
    }
  }
  // Weights that are not from a dictionary: zeros, a boundary on a cell edge, 10 bits with D = 4 (padded last digit).
  cases.push({ name: 'zero weights and edge boundaries', weights: [0n, 256n, 0n, 255n, 1n, 512n, 0n], totalBits: 10, digitBits: 4, storedDigits: 1 });
  cases.push({ name: 'one outcome', weights: [1n << 12n], totalBits: 12, digitBits: 4, storedDigits: 2 });

  for (const c of cases) {
    it(c.name, () => {
      const table = new DyadicTable(c.weights.length, c.weight ?? ((j) => c.weights[j]!), c.totalBits, c.digitBits, c.storedDigits);
      const D = c.digitBits;
      const denominatorBits = table.digits * D;
      const filler = 0x5a5a5a50 & ~(2 ** D - 1);
      const word = { values: Array.from({ length: 2 ** D }, (_, v) => (filler | v) >>> 0), bits: D };
      const distribution = enumerate((rng) => String(sampleOne(table, rng)), () => word, denominatorBits);
      for (let j = 0; j < c.weights.length; j++) {
        // Pr[j] = count / 2^(digits·D) must equal w_j / 2^totalBits.
        expect(((distribution.get(String(j)) ?? 0n) << BigInt(c.totalBits)) === c.weights[j]! << BigInt(denominatorBits)).toBe(true);
      }
    });
  }
});

/**
 * Words of the fill tape, with 2-bit digits: a word drawn for first digits carries two (bits 0–1
 * and 16–17), a word drawn by the fallback one (bits 0–1); the other bits are `filler`.
 */
function fillWords(filler: number): (phase: Phase) => WordValues {
  const first: number[] = [];
  for (let lo = 0; lo < 4; lo++) for (let hi = 0; hi < 4; hi++) first.push(((filler & 0xfffcfffc) | lo | (hi << 16)) >>> 0);
  const fallback = Array.from({ length: 4 }, (_, lo) => ((filler & 0xfffffffc) | lo) >>> 0);
  return (phase) => (phase === 'first' ? { values: first, bits: 4 } : { values: fallback, bits: 2 });
}

describe('BernoulliBits.fill: whole bit strings, every digit path enumerated', () => {
  // Short thresholds keep the trees small (boundaries have few significant digits, so a fallback
  // reads one or two more; with one digit stored the second goes through the exact recompute);
  // 32-bit thresholds are enumerated one draw at a time above, with the same resolve code.
  const cases: Array<[number, BernoulliBitsOptions, number[]]> = [
    [2 ** 31, { leaves: 3, maxRun: 2, digitBits: 2 }, [1, 3, 5]],
    [0xc0000000, { leaves: 4, maxRun: 2, digitBits: 2, storedDigits: 1 }, [3, 4]],
    [0x40000000, { leaves: 3, maxRun: 3, digitBits: 2, storedDigits: 1 }, [2]],
  ];
  for (const [threshold, options, sizes] of cases) {
    for (const bits of sizes) {
      it(`T=${threshold} ${JSON.stringify(options)}, ${bits} bits`, () => {
        const sampler = new BernoulliBits(threshold, options);
        const table = sampler.tables().table;
        instrument(table);
        const run = (rng: RandomSampler) => {
          const out = new Uint8Array(Math.ceil(bits / 8));
          sampler.fill(out, bits, rng);
          return String(out.reduce((acc, b, i) => acc | (b << (8 * i)), 0));
        };
        const denominatorBits = 4 * bits * table.digits + 8;
        const distribution = enumerate(run, fillWords(0xa5c3f0f0), denominatorBits);
        let total = 0n;
        for (const v of distribution.values()) total += v;
        expect(total).toBe(1n << BigInt(denominatorBits)); // every path ends, probabilities sum to 1
        // Pr[x] = count / 2^denominatorBits must equal Π lanes, a numerator over 2^(32·bits).
        for (let x = 0; x < 2 ** bits; x++) {
          const count = distribution.get(String(x)) ?? 0n;
          expect(count << BigInt(32 * bits) === productNumerator(x, bits, threshold) << BigInt(denominatorBits)).toBe(true);
        }
      });
    }
  }

  it('does not depend on the bits of a word it does not use', () => {
    const distribution = (filler: number) => {
      const sampler = new BernoulliBits(0xc0000000, { leaves: 4, maxRun: 2, digitBits: 2, storedDigits: 1 });
      instrument(sampler.tables().table);
      return enumerate((rng) => String(sampler.fill(new Uint8Array(1), 3, rng)[0]), fillWords(filler), 200);
    };
    expect(distribution(0)).toEqual(distribution(0xffffffff));
  });
});

describe('the production table (1,024 leaves, 16-bit digits), checked in BigInt', () => {
  const thresholds = [OUE2, SUE1, new OptimizedUnaryEncoding({ k: 8, epsilon: 0.5 }).otherBitThreshold, new OptimizedUnaryEncoding({ k: 8, epsilon: 6 }).otherBitThreshold];
  for (const threshold of thresholds) {
    it(`T = ${threshold}`, () => {
      const sampler = new BernoulliBits(threshold);
      const { dictionary, table } = sampler.tables();
      const m = dictionary.lengths.length;
      expect(m).toBe(1024);
      // Complete prefix code: as strings, no leaf is a prefix of another, and Σ 2^(−length) = 1.
      const strings = Array.from(dictionary.lengths, (len, j) => Array.from({ length: len }, (_, i) => (dictionary.patterns[j]! >> i) & 1).join('')).sort();
      for (let i = 1; i < strings.length; i++) expect(strings[i]!.startsWith(strings[i - 1]!)).toBe(false);
      expect(Array.from(dictionary.lengths).reduce((s, len) => s + (1n << BigInt(32 - len)), 0n)).toBe(1n << 32n);
      // Exact product weights over 2^(32·maxRun).
      const weight = runWeights(dictionary);
      const N: bigint[] = [];
      let cumulative = 0n;
      for (let j = 0; j < m; j++) {
        const w = weight(j);
        expect(w).toBe(productNumerator(dictionary.patterns[j]!, dictionary.lengths[j]!, threshold) << BigInt(32 * (dictionary.maxRun - dictionary.lengths[j]!)));
        cumulative += w;
        N.push(cumulative);
      }
      const B = BigInt(32 * dictionary.maxRun);
      expect(cumulative).toBe(1n << B);
      // Every cell: inside the interval it names, or (negative) it names the interval of its first value.
      const S = B - 16n;
      let j = 0;
      for (let d = 0; d < 65_536; d++) {
        const start = BigInt(d) << S;
        const end = BigInt(d + 1) << S;
        while (N[j]! <= start) j++; // j: the interval of the cell's first value
        const cell = table.cells[d]!;
        if (cell >= 0) {
          expect(cell).toBe(j);
          expect(end <= N[j]!).toBe(true);
        } else {
          expect(-1 - cell).toBe(j);
          expect(end > N[j]!).toBe(true);
        }
      }
      // At every boundary the real fallback switches exactly: U = N_j − 1 gives j, U = N_j the next non-empty leaf.
      const digitsOf = (u: bigint) => Array.from({ length: table.digits }, (_, t) => Number((u >> BigInt(16 * (table.digits - 1 - t))) & 0xffffn));
      const drive = (u: bigint) => {
        const [first, ...rest] = digitsOf(u);
        const rng = new TapeSampler(rest);
        const cell = table.cells[first!]!;
        return cell >= 0 ? cell : table.resolve(first!, cell, rng);
      };
      for (let b = 0; b < m - 1; b++) {
        expect(drive(N[b]! - 1n)).toBe(b);
        let next = b + 1;
        while (N[next] === N[b]) next++;
        expect(drive(N[b]!)).toBe(next);
      }
    });
  }
});

/** Upper 10^−6 point of χ² with df degrees of freedom (Wilson–Hilferty; within 1% for df ≥ 10). */
function chiSquareCritical(df: number): number {
  const z = 4.753424; // standard normal upper 10^−6 point
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): { statistic: number; df: number } {
  let statistic = 0;
  let df = -1;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (let i = 0; i < observed.length; i++) {
    // Cells expected below 5 are pooled into one.
    if (expected[i]! < 5) {
      pooledObserved += observed[i]!;
      pooledExpected += expected[i]!;
      continue;
    }
    statistic += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
    df++;
  }
  if (pooledExpected >= 5) {
    statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    df++;
  }
  return { statistic, df };
}

describe('statistical: χ² against the product distribution, through randomize (seeded)', () => {
  it('OUE k = 4, ε = 1: all 16 reports for answer 2', () => {
    const m = new OptimizedUnaryEncoding({ k: 4, epsilon: 1 });
    const rng = new RandomSampler(seededRandomSource('bernoulli-bits chi2 k=4'));
    const n = 200_000;
    const observed = new Float64Array(16);
    for (let i = 0; i < n; i++) observed[m.randomize(2, rng)[0]!]! += 1;
    const expected = Array.from({ length: 16 }, (_, x) => {
      let p = 1;
      for (let j = 0; j < 4; j++) {
        const one = j === 2 ? m.p : m.q;
        p *= (x >> j) & 1 ? one : 1 - one;
      }
      return n * p;
    });
    const { statistic, df } = chiSquare(observed, expected);
    expect(df).toBe(15);
    expect(statistic).toBeLessThan(chiSquareCritical(df));
  });

  it('OUE k = 1024, ε = 2: byte values, ones per report, and the true bit', () => {
    const m = new OptimizedUnaryEncoding({ k: 1024, epsilon: 2 });
    const rng = new RandomSampler(seededRandomSource('bernoulli-bits chi2 k=1024'));
    const n = 20_000;
    const value = 517; // byte 64, bit 5
    const bytes = new Float64Array(256);
    const others = new Float64Array(1024);
    let trueOnes = 0;
    for (let i = 0; i < n; i++) {
      const report = m.randomize(value, rng);
      let ones = 0;
      for (let b = 0; b < report.length; b++) {
        let x = report[b]!;
        if (b === value >> 3) {
          trueOnes += (x >> (value & 7)) & 1;
          x &= ~(1 << (value & 7));
        } else bytes[x]! += 1;
        for (; x !== 0; x &= x - 1) ones++;
      }
      others[ones]! += 1;
    }
    const q = m.q;
    const byteExpected = Array.from({ length: 256 }, (_, x) => {
      let p = 1;
      for (let j = 0; j < 8; j++) p *= (x >> j) & 1 ? q : 1 - q;
      return n * 127 * p;
    });
    const byteTest = chiSquare(bytes, byteExpected);
    expect(byteTest.statistic).toBeLessThan(chiSquareCritical(byteTest.df));
    // Ones among the 1,023 other bits: Binomial(1023, q).
    const binomial = new Float64Array(1024);
    let log = 1023 * Math.log1p(-q);
    for (let c = 0; c <= 1023; c++) {
      binomial[c] = n * Math.exp(log);
      log += Math.log((1023 - c) / (c + 1)) + Math.log(q / (1 - q));
    }
    const countTest = chiSquare(others, binomial);
    expect(countTest.statistic).toBeLessThan(chiSquareCritical(countTest.df));
    expect(Math.abs(trueOnes - n * m.p)).toBeLessThan(5 * Math.sqrt(n * m.p * (1 - m.p)));
  });
});

describe('randomizeInto and the fast path', () => {
  it('randomize and randomizeInto consume the same draws and give the same report', () => {
    const m = new OptimizedUnaryEncoding({ k: 100, epsilon: 2 });
    const a = new RandomSampler(seededRandomSource('into'));
    const b = new RandomSampler(seededRandomSource('into'));
    const out = new Uint8Array(20).fill(0xff);
    for (let i = 0; i < 50; i++) {
      const expected = m.randomize(i % 100, a);
      const got = m.randomizeInto(i % 100, b, out);
      expect(got).toBe(out);
      expect(Array.from(out.subarray(0, 13))).toEqual(Array.from(expected));
      expect(expected[12]! >> 4).toBe(0); // padding bits
    }
    expect(a.uint32()).toBe(b.uint32());
    expect(() => m.randomizeInto(0, a, new Uint8Array(12))).toThrow(/out/);
  });

  it('refuses bad parameters with the parameter named', () => {
    expect(() => new BernoulliBits(-1)).toThrow(/threshold/);
    expect(() => new BernoulliBits(2 ** 32 + 1)).toThrow(/threshold/);
    expect(() => new BernoulliBits(5, { leaves: 1 })).toThrow(/leaves/);
    expect(() => new BernoulliBits(5, { maxRun: 33 })).toThrow(/maxRun/);
    expect(() => new BernoulliBits(5, { digitBits: 17 })).toThrow(/digitBits/);
    expect(() => new BernoulliBits(5).fill(new Uint8Array(1), 9, new RandomSampler(seededRandomSource(1)))).toThrow(/bits/);
  });

  it('thresholds 0 and 2^32 give all zeros and all ones', () => {
    const rng = new RandomSampler(seededRandomSource('edges'));
    expect(Array.from(new BernoulliBits(0).fill(new Uint8Array(3), 20, rng))).toEqual([0, 0, 0]);
    expect(Array.from(new BernoulliBits(THRESHOLD_ONE).fill(new Uint8Array(3), 20, rng))).toEqual([255, 255, 15]);
  });
});
