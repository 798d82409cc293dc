/**
 * Issue #6 item 1: the planner's predicted 95% interval half-width against the empirical one.
 * Target: within ±10%.
 *
 * Each cell is a fixed population collected many times through the real randomizer → addToSums →
 * estimate path (seeded, reproducible) — so the plans asked for are the respondents' estimand
 * (`estimand: 'respondents'`; the population plans are checked on fresh samples of patients in
 * quality-planner-population.ts). With the truth known, two empirical half-widths:
 *  - quantile: the 95th percentile of |estimate − truth| — the half-width that really covers 95%;
 *  - 1.96·RMSE: 1.96 × the root mean squared error (= 1.96·SD, the estimator being unbiased).
 * Both are compared with the planner's prediction:
 *  - frequencies: plan().atZero.halfWidth95 for values nobody holds (pooled over all such values of
 *    the population; each trial contributes one error per value), plan().worstCase.halfWidth95 for
 *    a value everybody holds when the worst case is at f = 1;
 *  - means: planMean().halfWidth95, the worst case over the true answers — compared on populations
 *    where that worst case is attained (Duchi: every answer at the midpoint; Piecewise: at an end;
 *    Hybrid above ε* ≈ 0.61: any population, its paper variance is constant in t). One extra cell
 *    (marked "not worst case") shows how conservative the planner is on a spread-out population;
 *    it is reported but not held to the target.
 */
import {
  addToSums,
  DuchiMechanism,
  HybridMechanism,
  PiecewiseMechanism,
  plan,
  planMean,
  Z_95,
  type FrequencyMechanismName,
  type NumericMechanism,
  type NumericMechanismName,
} from '../src/index.ts';
import { atMost, isQuick, type Figure } from './results.ts';
import { populationPlannerRows, type PopulationPlannerRow } from './quality-planner-population.ts';
import { answersFromCounts, collect, frequencyOracle, meanAndSe, progress, quantile, seededSampler, zipfCounts } from './simulate.ts';

const TARGET = 0.1;
const scale = (full: number): number => (isQuick ? Math.max(200, Math.round(full / 10)) : full);

interface FrequencyCell {
  label: string;
  mechanism: FrequencyMechanismName | 'auto';
  k: number;
  epsilon: number;
  counts: number[];
  /** 'zero': values with count 0 against atZero; 'worst': value 0 held by everyone against worstCase (f = 1). */
  basis: 'zero' | 'worst';
  trials: number;
}

interface MeanCell {
  label: string;
  mechanism: NumericMechanismName;
  epsilon: number;
  low: number;
  high: number;
  answers: Float64Array;
  worstCase: boolean;
  trials: number;
}

export interface PlannerRow {
  family: 'frequency' | 'mean';
  label: string;
  mechanism: string;
  k?: number;
  epsilon: number;
  n: number;
  trials: number;
  /** Errors pooled (trials × tracked values). */
  samples: number;
  basis: string;
  heldToTarget: boolean;
  predicted: number;
  /** The implementation's own variance formula (implemented p*, q* or grid kernel), as a half-width. */
  implementationFormula: number;
  quantileHalfWidth: number;
  rmseHalfWidth: number;
  rmseHalfWidthStandardError: number;
  coverageOfPredicted: number;
  quantileRatio: number;
  rmseRatio: number;
}

function counts(k: number, shares: number[], n: number): number[] {
  return Array.from({ length: k }, (_, v) => Math.round((shares[v] ?? 0) * n));
}

const FREQUENCY_CELLS: FrequencyCell[] = [
  { label: 'clinic: 4 answers, n=300, rare answer', mechanism: 'auto', k: 4, epsilon: 1, counts: counts(4, [0, 0.5, 0.3, 0.2], 300), basis: 'zero', trials: scale(20_000) },
  { label: 'clinic: 4 answers, n=300, everyone one answer', mechanism: 'auto', k: 4, epsilon: 1, counts: counts(4, [1], 300), basis: 'worst', trials: scale(20_000) },
  { label: 'clinic yes/no, n=300, nobody yes', mechanism: 'binary-rr', k: 2, epsilon: 1, counts: [300, 0], basis: 'zero', trials: scale(20_000) },
  { label: 'k=16 n=2,000', mechanism: 'grr', k: 16, epsilon: 2, counts: zipfCounts(16, 2000, 1.1, 8), basis: 'zero', trials: scale(4000) },
  { label: 'k=32 n=1,000', mechanism: 'sue', k: 32, epsilon: 0.5, counts: zipfCounts(32, 1000, 1.1, 16), basis: 'zero', trials: scale(4000) },
  { label: 'k=16 n=2,000, everyone one answer', mechanism: 'oue', k: 16, epsilon: 2, counts: counts(16, [1], 2000), basis: 'worst', trials: scale(4000) },
  { label: 'k=64 n=10,000', mechanism: 'oue', k: 64, epsilon: 1, counts: zipfCounts(64, 10_000, 1.1, 16), basis: 'zero', trials: scale(1000) },
  { label: 'k=256 n=5,000', mechanism: 'olh', k: 256, epsilon: 2, counts: zipfCounts(256, 5000, 1.1, 32), basis: 'zero', trials: scale(1000) },
  { label: 'k=1000 n=20,000', mechanism: 'hadamard', k: 1000, epsilon: 1, counts: zipfCounts(1000, 20_000, 1.1, 100), basis: 'zero', trials: scale(1000) },
];

/** n answers cycling through `values`. */
function population(n: number, values: number[]): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => values[i % values.length]!);
}

const MEAN_CELLS: MeanCell[] = [
  { label: 'clinic pain 0–10, n=300', mechanism: 'hybrid', epsilon: 1, low: 0, high: 10, answers: population(300, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), worstCase: true, trials: scale(10_000) },
  { label: 'pain 0–10, n=1,000, all at 5 (ε ≤ ε*: Duchi)', mechanism: 'hybrid', epsilon: 0.5, low: 0, high: 10, answers: population(1000, [5]), worstCase: true, trials: scale(5000) },
  { label: 'pain 0–10, n=1,000, all at 5', mechanism: 'duchi', epsilon: 0.5, low: 0, high: 10, answers: population(1000, [5]), worstCase: true, trials: scale(5000) },
  { label: 'pain 0–10, n=1,000, all at 10', mechanism: 'piecewise', epsilon: 2, low: 0, high: 10, answers: population(1000, [10]), worstCase: true, trials: scale(5000) },
  { label: 'age 18–90, n=10,000', mechanism: 'hybrid', epsilon: 4, low: 18, high: 90, answers: population(10_000, Array.from({ length: 73 }, (_, i) => 18 + i)), worstCase: true, trials: scale(2000) },
  { label: 'pain 0–10, n=300, spread out (not worst case)', mechanism: 'piecewise', epsilon: 1, low: 0, high: 10, answers: population(300, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), worstCase: false, trials: scale(10_000) },
];

function summarize(errors: Float64Array, perTrialSquares: Float64Array, predicted: number, implementationVariance: number): Pick<PlannerRow, 'predicted' | 'implementationFormula' | 'quantileHalfWidth' | 'rmseHalfWidth' | 'rmseHalfWidthStandardError' | 'coverageOfPredicted' | 'quantileRatio' | 'rmseRatio'> {
  const absolute = errors.map(Math.abs).sort();
  const quantileHalfWidth = quantile(absolute, 0.95);
  const mse = meanAndSe(perTrialSquares);
  const rmseHalfWidth = Z_95 * Math.sqrt(mse.mean);
  let covered = 0;
  for (const e of absolute) if (e <= predicted) covered++;
  return {
    predicted,
    implementationFormula: Z_95 * Math.sqrt(implementationVariance),
    quantileHalfWidth,
    rmseHalfWidth,
    // d√x = dx/(2√x): half the relative SE of the mean squared error.
    rmseHalfWidthStandardError: (rmseHalfWidth * mse.se) / (2 * mse.mean),
    coverageOfPredicted: covered / absolute.length,
    quantileRatio: quantileHalfWidth / predicted,
    rmseRatio: rmseHalfWidth / predicted,
  };
}

function frequencyRow(cell: FrequencyCell): PlannerRow {
  const n = cell.counts.reduce((a, b) => a + b, 0);
  const planned = plan({ mechanism: cell.mechanism, k: cell.k, epsilon: cell.epsilon, n, estimand: 'respondents' });
  if (cell.basis === 'worst' && planned.worstCase.f !== 1) throw new Error(`${cell.label}: the worst case is not at f = 1`);
  const tracked = cell.basis === 'zero' ? cell.counts.flatMap((c, v) => (c === 0 ? [v] : [])) : [cell.counts.findIndex((c) => c === n)];
  const oracle = frequencyOracle(planned.mechanism, cell.k, cell.epsilon)!;
  const truth = cell.basis === 'zero' ? 0 : 1;
  const answers = answersFromCounts(cell.counts);
  const rng = seededSampler(`bench/quality/planner ${cell.label} ${planned.mechanism}`);
  const sums = new Float64Array(oracle.sumsLength);
  const errors = new Float64Array(cell.trials * tracked.length);
  const perTrialSquares = new Float64Array(cell.trials);
  for (let t = 0; t < cell.trials; t++) {
    const { values } = collect(oracle, answers, rng, sums);
    tracked.forEach((v, i) => {
      const error = values[v]! - truth;
      errors[t * tracked.length + i] = error;
      perTrialSquares[t]! += (error * error) / tracked.length;
    });
  }
  const predicted = cell.basis === 'zero' ? planned.atZero.halfWidth95 : planned.worstCase.halfWidth95;
  return {
    family: 'frequency',
    label: cell.label,
    mechanism: planned.mechanism,
    k: cell.k,
    epsilon: cell.epsilon,
    n,
    trials: cell.trials,
    samples: errors.length,
    basis: cell.basis === 'zero' ? `f = 0 (atZero), ${tracked.length} value(s) pooled` : 'f = 1 (worstCase)',
    heldToTarget: true,
    ...summarize(errors, perTrialSquares, predicted, oracle.variance(n, truth, 'respondents')),
  };
}

function numericMechanism(cell: MeanCell): NumericMechanism {
  const options = { epsilon: cell.epsilon, low: cell.low, high: cell.high };
  if (cell.mechanism === 'duchi') return new DuchiMechanism(options);
  if (cell.mechanism === 'piecewise') return new PiecewiseMechanism(options);
  return new HybridMechanism(options);
}

function meanRow(cell: MeanCell): PlannerRow {
  const n = cell.answers.length;
  const planned = planMean({ mechanism: cell.mechanism, epsilon: cell.epsilon, n, low: cell.low, high: cell.high, estimand: 'respondents' });
  const mechanism = numericMechanism(cell);
  const truth = cell.answers.reduce((a, b) => a + b, 0) / n;
  const rng = seededSampler(`bench/quality/planner ${cell.label} ${cell.mechanism} ε=${cell.epsilon}`);
  const sums = new Float64Array(mechanism.sumsLength);
  const errors = new Float64Array(cell.trials);
  const perTrialSquares = new Float64Array(cell.trials);
  for (let t = 0; t < cell.trials; t++) {
    sums.fill(0);
    for (let i = 0; i < n; i++) addToSums(mechanism, mechanism.randomize(cell.answers[i]!, rng), sums);
    const error = mechanism.estimate(sums).mean - truth;
    errors[t] = error;
    perTrialSquares[t] = error * error;
  }
  // Var[mean] for fixed respondents = (1/n²) Σ Var[v_i] = mean_i variance(n, x_i).
  const implementationVariance = cell.answers.reduce((s, x) => s + mechanism.variance(n, x), 0) / n;
  return {
    family: 'mean',
    label: cell.label,
    mechanism: cell.mechanism,
    epsilon: cell.epsilon,
    n,
    trials: cell.trials,
    samples: errors.length,
    basis: cell.worstCase ? 'worst case over answers' : 'not worst case (planner is an upper bound)',
    heldToTarget: cell.worstCase,
    ...summarize(errors, perTrialSquares, planned.halfWidth95, implementationVariance),
  };
}

export function plannerCheck(): { figures: Figure[]; details: unknown; notes: string[] } {
  const rows: PlannerRow[] = [];
  for (const cell of FREQUENCY_CELLS) rows.push(timed(cell.label, () => frequencyRow(cell)));
  for (const cell of MEAN_CELLS) rows.push(timed(`${cell.mechanism} ε=${cell.epsilon} ${cell.label}`, () => meanRow(cell)));
  const figures: Figure[] = [];
  for (const family of ['frequency', 'mean'] as const) {
    const held = rows.filter((r) => r.family === family && r.heldToTarget);
    for (const [key, label] of [
      ['quantileRatio', '95th percentile of the absolute error'],
      ['rmseRatio', '1.96·RMSE'],
    ] as const) {
      const worst = held.reduce((w, r) => (Math.abs(r[key] - 1) > Math.abs(w[key] - 1) ? r : w));
      const deviation = Math.abs(worst[key] - 1);
      figures.push({
        name: `planner ${family === 'frequency' ? 'plan()' : 'planMean()'} vs empirical 95% half-width (${label}), worst deviation of ${held.length} cells (${worst.mechanism} ε=${worst.epsilon} ${worst.label}: ratio ${worst[key].toFixed(3)})`,
        value: deviation,
        unit: 'abs(empirical / predicted − 1)',
        ...atMost(deviation, TARGET),
      });
    }
  }
  // Issue 14 §3: the population plans of the campaign planner, against fresh samples of patients.
  const population: PopulationPlannerRow[] = populationPlannerRows();
  for (const r of population) progress(`planner population ${r.mechanism} ${r.label}: f* ${r.worstShare}, quantile ratio ${r.quantileRatio.toFixed(3)}, 1.96·RMSE ratio ${r.rmseRatio.toFixed(3)}`);
  for (const [key, label] of [
    ['quantileRatio', '95th percentile of the absolute error'],
    ['rmseRatio', '1.96·RMSE'],
  ] as const) {
    const worst = population.reduce((w, r) => (Math.abs(r[key] - 1) > Math.abs(w[key] - 1) ? r : w));
    const deviation = Math.abs(worst[key] - 1);
    figures.push({
      name: `planner planCampaign() population estimand (fresh patients per trial) vs empirical 95% half-width (${label}), worst deviation of ${population.length} cells (${worst.mechanism} ε=${worst.epsilon} ${worst.label}: ratio ${worst[key].toFixed(3)})`,
      value: deviation,
      unit: 'abs(empirical / predicted − 1)',
      ...atMost(deviation, TARGET),
    });
  }
  const info = rows.filter((r) => !r.heldToTarget);
  const notes = [
    `Planner: ${rows.length} cells, seeded simulations through the real mechanisms (per-cell empirical/predicted ratios, coverage of the predicted interval and the mechanism's own formula in quality.json). ` +
      'With n = 300 an estimated frequency takes few distinct values (report counts are integers), so the 95th percentile of the error sits on that lattice, a few per cent from the normal-approximation half-width. ' +
      info.map((r) => `Not held to the target: ${r.mechanism} ε=${r.epsilon} ${r.label} — empirical/predicted ${r.quantileRatio.toFixed(2)} (the planner's worst case over answers is an upper bound).`).join(' '),
  ];
  return { figures, details: { respondents: rows, population }, notes };
}

function timed(label: string, run: () => PlannerRow): PlannerRow {
  const started = performance.now();
  const row = run();
  progress(`planner ${label}: quantile ratio ${row.quantileRatio.toFixed(3)}, 1.96·RMSE ratio ${row.rmseRatio.toFixed(3)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return row;
}
