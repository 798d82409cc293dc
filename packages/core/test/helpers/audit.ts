/**
 * Empirical ε audit: sample a randomizer many times on two inputs, project each output to a small
 * event space, and bound each event's probability under both inputs with one-sided
 * Clopper–Pearson intervals. If, for some event E, the lower bound of Pr[E|a]/Pr[E|b] exceeds
 * e^{claimed ε}, the randomizer is not ε-LDP (with probability ≥ 1 − α of a false alarm at most,
 * α the sum of the one-sided levels used). Post-processing (the projection) cannot increase the
 * privacy loss, so a violation of the projected mechanism is a violation of the real one.
 *
 * Clopper–Pearson (1934): for x successes in n trials the one-sided bounds at level α are
 *   lower = Beta⁻¹(α; x, n − x + 1)  (0 if x = 0),  upper = Beta⁻¹(1 − α; x + 1, n − x)  (1 if x = n),
 * computed here from the regularized incomplete beta function I_x(a, b) (continued fraction,
 * modified Lentz; Numerical Recipes 3rd ed. §6.4) and bisection, returning the conservative end
 * of the final bracket. ln Γ uses the Stirling series after shifting the argument above 15
 * (error < 1e-15); test/epsilon-audit.slow.test.ts checks the bounds against closed forms and exact
 * binomial tails.
 */
import type { RandomSampler } from '../../src/index.ts';

/** All empirical ε audits together raise a false alarm with probability ≤ 10^-6 (issue 2). */
export const AUDIT_TOTAL_FALSE_ALARM = 1e-6;

/**
 * Each audit file's share of AUDIT_TOTAL_FALSE_ALARM, which it splits evenly over every one-sided
 * bound it computes (broken cases included). By Bonferroni (a union bound needs no independence),
 * Pr[any false alarm in any file] ≤ Σ shares = 10^-6; test/audit-budget.test.ts checks the sum and
 * that every *audit*.slow.test.ts spends exactly its own share. Sizes: categorical
 * (epsilon-audit.slow.test.ts) carries the tightest check, a GRR with ε inflated by 3%; numeric
 * (numeric-epsilon-audit.slow.test.ts) catches +10%; RAPPOR (rappor-epsilon-audit.slow.test.ts)
 * only needs power; longitudinal (longitudinal-epsilon-audit.slow.test.ts) catches a chain built with
the permanent threshold at both levels and a permanent level +10% over ε∞. A bound at level α sits about √(2 ln(1/α)) standard errors out, so halving a
 * share widens the bounds by ~1–2%.
 */
export const AUDIT_FALSE_ALARM_BUDGET = { categorical: 0.5e-6, numeric: 0.3e-6, rappor: 0.1e-6, longitudinal: 0.1e-6 } as const;

const HALF_LN_TWO_PI = 0.5 * Math.log(2 * Math.PI);

export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma needs x > 0, got ${x}`);
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + HALF_LN_TWO_PI + series - shift;
}

/** Regularized incomplete beta I_x(a, b), a, b > 0, x ∈ [0, 1]. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = a * Math.log(x) + b * Math.log1p(-x) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b));
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** Bracket [lo, hi] of the x with I_x(a, b) = target after 1100 halvings (down to subnormal widths). */
function betaQuantileBracket(target: number, a: number, b: number): [number, number] {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 1100 && hi - lo > 0; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) break;
    if (regularizedIncompleteBeta(mid, a, b) < target) lo = mid;
    else hi = mid;
  }
  return [lo, hi];
}

/** One-sided Clopper–Pearson bounds, each at level alpha. */
export function clopperPearson(successes: number, trials: number, alpha: number): { lower: number; upper: number } {
  const lower = successes === 0 ? 0 : betaQuantileBracket(alpha, successes, trials - successes + 1)[0];
  const upper = successes === trials ? 1 : betaQuantileBracket(1 - alpha, successes + 1, trials - successes)[1];
  return { lower, upper };
}

export interface AuditConfig {
  /** Output of one randomization of the first / second input, projected to an event index in [0, events). */
  sampleA: (rng: RandomSampler) => number;
  sampleB: (rng: RandomSampler) => number;
  events: number;
  samples: number;
  /** Level of each one-sided bound. */
  alphaPerBound: number;
  rng: RandomSampler;
}

export interface AuditResult {
  countsA: number[];
  countsB: number[];
  /** max over events and both directions of ln(lower Pr[E|·]) − ln(upper Pr[E|other]). */
  epsilonLowerBound: number;
  worstEvent: number;
  /** Point estimate of the largest |log ratio| over events, for the report. */
  epsilonPointEstimate: number;
}

/** Number of one-sided bounds an audit with `events` events uses (2 directions × 2 bounds each). */
export function boundsUsed(events: number): number {
  return 4 * events;
}

export function auditEpsilon(config: AuditConfig): AuditResult {
  const { events, samples, rng } = config;
  const countsA = new Array<number>(events).fill(0);
  const countsB = new Array<number>(events).fill(0);
  for (let i = 0; i < samples; i++) countsA[config.sampleA(rng)]! += 1;
  for (let i = 0; i < samples; i++) countsB[config.sampleB(rng)]! += 1;
  let epsilonLowerBound = Number.NEGATIVE_INFINITY;
  let epsilonPointEstimate = 0;
  let worstEvent = -1;
  for (let e = 0; e < events; e++) {
    const a = clopperPearson(countsA[e]!, samples, config.alphaPerBound);
    const b = clopperPearson(countsB[e]!, samples, config.alphaPerBound);
    for (const bound of [Math.log(a.lower) - Math.log(b.upper), Math.log(b.lower) - Math.log(a.upper)]) {
      if (bound > epsilonLowerBound) {
        epsilonLowerBound = bound;
        worstEvent = e;
      }
    }
    if (countsA[e]! > 0 && countsB[e]! > 0) epsilonPointEstimate = Math.max(epsilonPointEstimate, Math.abs(Math.log(countsA[e]! / countsB[e]!)));
  }
  return { countsA, countsB, epsilonLowerBound, worstEvent, epsilonPointEstimate };
}
