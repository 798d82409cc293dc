/**
 * Seeded statistical checks of the numeric mechanisms through the production path
 * (randomize → addToSums → estimate):
 *  1. the sampler draws exactly the distribution the exactness proof is about (χ² of output
 *     indices against GridKernel.probability, on and between grid points);
 *  2. fixed respondents: the estimate is unbiased (|mean error| < 4 SE over R repetitions), the
 *     empirical variance of the estimates is within ±10% of the exact implemented variance
 *     (`variance`), and the reported SE² averages to its expectation (the empirical-variance SE
 *     overstates by exactly the respondents' spread/(n(n−1)), see numeric.ts);
 *  3. respondents sampled from a population: unbiased for the population mean, and the empirical
 *     variance of the estimates is within ±10% of the reported SE².
 * With R = 4000 repetitions the relative SD of an empirical variance is √(2/R) ≈ 2.2%, so ±10% is
 * a ≈ 4.5σ band (safe across the 18 configurations) that a wrong variance (e.g. a missing term) fails.
 */
import { describe, expect, it } from 'vitest';
import { addToSums, DuchiMechanism, HybridMechanism, PiecewiseMechanism, RandomSampler, seededRandomSource, type GridNumericMechanism, type NumericOptions } from '../src/index.ts';

const MECHANISMS: Array<[string, new (options: NumericOptions) => GridNumericMechanism]> = [
  ['duchi', DuchiMechanism],
  ['piecewise', PiecewiseMechanism],
  ['hybrid', HybridMechanism],
];
const EPSILONS = [0.5, 2, 6];
const REPETITIONS = 4000;
const N = 200;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sampleVariance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

function run(m: GridNumericMechanism, answers: readonly number[], rng: RandomSampler): { mean: number; standardError: number } {
  const sums = new Float64Array(m.sumsLength);
  for (const x of answers) addToSums(m, m.decodeReport(m.encodeReport(m.randomize(x, rng))), sums);
  return m.estimate(sums);
}

/** Upper 10^-6 quantile of χ²_df (Wilson–Hilferty; z = 4.753). */
function chiSquareCritical(df: number): number {
  const z = 4.753;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function probabilityAsNumber(r: { num: bigint; den: bigint }): number {
  return Number((r.num * 10n ** 18n) / r.den) / 1e18;
}

describe('numeric samplers draw exactly the distribution the exactness test checks', () => {
  for (const [name, Mechanism] of MECHANISMS) {
    it.each([1, 4])(`${name}, ε = %s, on and between grid points (χ², α = 10^-6)`, (epsilon) => {
      const m = new Mechanism({ epsilon, low: 0, high: 20, gridSize: 20 });
      const rng = new RandomSampler(seededRandomSource(`chi2-${name}-${epsilon}`));
      const draws = 200_000;
      // 7 is grid point 7; 12.3 mixes grid points 12 (0.7) and 13 (0.3).
      for (const [answer, mixture] of [[7, [[7, 1]]], [12.3, [[12, 0.7], [13, 0.3]]]] as const) {
        const counts = new Array<number>(m.outputCount).fill(0);
        for (let r = 0; r < draws; r++) counts[m.randomize(answer, rng)]! += 1;
        let chi2 = 0;
        let cells = 0;
        for (let i = 0; i < m.outputCount; i++) {
          const p = mixture.reduce((a, [j, w]) => a + w * probabilityAsNumber(m.kernel.probability(i, j)), 0);
          if (p === 0) {
            expect(counts[i]).toBe(0);
            continue;
          }
          cells += 1;
          chi2 += (counts[i]! - draws * p) ** 2 / (draws * p);
        }
        expect(chi2, `${name} ε=${epsilon} answer ${answer}: χ² = ${chi2.toFixed(1)} on ${cells - 1} df`).toBeLessThan(chiSquareCritical(cells - 1));
      }
    });
  }
});

describe('numeric estimators: unbiased, with honest variance', () => {
  for (const [name, Mechanism] of MECHANISMS) {
    it.each(EPSILONS)(`${name}, ε = %s, fixed respondents`, (epsilon) => {
      const m = new Mechanism({ epsilon, low: 0, high: 10 });
      // Integer pain scores (on the grid) and off-grid values, skewed towards low pain.
      const answers = Array.from({ length: N }, (_, u) => (u % 3 === 0 ? u % 11 : 10 * ((u * 0.618034) % 1) ** 2));
      const truth = mean(answers);
      const exactVariance = answers.reduce((a, x) => a + m.variance(1, x), 0) / (N * N);
      const spread = answers.reduce((a, x) => a + (x - truth) ** 2, 0);
      const expectedReported = exactVariance + spread / (N * (N - 1));
      const rng = new RandomSampler(seededRandomSource(`fixed-${name}-${epsilon}`));
      const estimates: number[] = [];
      const reported: number[] = [];
      for (let r = 0; r < REPETITIONS; r++) {
        const e = run(m, answers, rng);
        estimates.push(e.mean);
        reported.push(e.standardError ** 2);
      }
      const error = mean(estimates) - truth;
      expect(Math.abs(error), `bias ${error}`).toBeLessThan(4 * Math.sqrt(exactVariance / REPETITIONS));
      const ratio = sampleVariance(estimates) / exactVariance;
      expect(ratio, `empirical/exact variance ${ratio}`).toBeGreaterThan(0.9);
      expect(ratio, `empirical/exact variance ${ratio}`).toBeLessThan(1.1);
      const reportedRatio = mean(reported) / expectedReported;
      expect(reportedRatio, `mean reported SE² / its expectation ${reportedRatio}`).toBeGreaterThan(0.97);
      expect(reportedRatio, `mean reported SE² / its expectation ${reportedRatio}`).toBeLessThan(1.03);
      expect(mean(reported)).toBeGreaterThanOrEqual(exactVariance * 0.97);
    });

    it.each(EPSILONS)(`${name}, ε = %s, respondents sampled from a population`, (epsilon) => {
      const m = new Mechanism({ epsilon, low: 0, high: 10 });
      const rng = new RandomSampler(seededRandomSource(`population-${name}-${epsilon}`));
      // x = 10·U² (U uniform): population mean 10/3; every fourth respondent answers a whole number.
      const truth = 10 / 3;
      const draw = (): number => {
        const u = rng.uint32() / 2 ** 32;
        return rng.uniformInt(4) === 0 ? Math.round(10 * u * u) : 10 * u * u;
      };
      const roundedMean = (() => {
        // E[round(10U²)] differs from 10/3; compute it exactly: Pr[round(10U²) = k] = √((k+½)/10) − √((k−½)/10).
        let s = 0;
        for (let k = 0; k <= 10; k++) s += k * (Math.sqrt(Math.min(1, (k + 0.5) / 10)) - Math.sqrt(Math.max(0, (k - 0.5) / 10)));
        return s;
      })();
      const populationMean = 0.75 * truth + 0.25 * roundedMean;
      const estimates: number[] = [];
      const reported: number[] = [];
      for (let r = 0; r < REPETITIONS; r++) {
        const answers = Array.from({ length: N }, draw);
        const e = run(m, answers, rng);
        estimates.push(e.mean);
        reported.push(e.standardError ** 2);
      }
      const se = Math.sqrt(mean(reported) / REPETITIONS);
      const error = mean(estimates) - populationMean;
      expect(Math.abs(error), `bias ${error}, SE ${se}`).toBeLessThan(4 * se);
      const ratio = sampleVariance(estimates) / mean(reported);
      expect(ratio, `empirical variance / reported SE² ${ratio}`).toBeGreaterThan(0.9);
      expect(ratio, `empirical variance / reported SE² ${ratio}`).toBeLessThan(1.1);
    });
  }

  it('95% intervals cover the truth about 95% of the time (piecewise, ε = 1)', () => {
    const m = new PiecewiseMechanism({ epsilon: 1, low: 0, high: 10 });
    const rng = new RandomSampler(seededRandomSource('coverage'));
    const answers = Array.from({ length: 500 }, (_, u) => u % 11);
    const truth = mean(answers);
    let covered = 0;
    const trials = 1000;
    for (let r = 0; r < trials; r++) {
      const sums = new Float64Array(3);
      for (const x of answers) addToSums(m, m.randomize(x, rng), sums);
      const { ci95 } = m.estimate(sums);
      if (ci95[0] <= truth && truth <= ci95[1]) covered += 1;
    }
    // Binomial SD at 95% over 1000 trials ≈ 0.7%; the SE is slightly conservative here (spread term).
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.985);
  });
});
