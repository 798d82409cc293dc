/**
 * Empirical ε audit of the numeric and multiselect randomizers through the production path (the
 * real `randomize` with a seeded RandomSampler), 10^6 samples per input, with helpers/audit.ts
 * (one-sided Clopper–Pearson bounds). Events are the exact output index (or reported value), on a
 * small grid (gridSize 10) so every event is frequent enough to bound tightly; inputs are the ends
 * of the range, where the log ratio is largest. This file spends AUDIT_FALSE_ALARM_BUDGET.numeric,
 * its share of the 10^-6 that all audits together may spend on false alarms, split evenly over all
 * its bounds (Bonferroni; helpers/audit.ts). Fails if a lower bound on a log probability ratio
 * exceeds the claimed ε; also must catch a Piecewise mechanism built for ε = 2.2 but claiming 2,
 * and must come within 0.15 of the claimed ε on the correct ones (power).
 */
import { describe, expect, it } from 'vitest';
import { DuchiMechanism, HybridMechanism, PaddingAndSampling, PiecewiseMechanism, RandomSampler, seededRandomSource } from '../src/index.ts';
import { AUDIT_FALSE_ALARM_BUDGET, auditEpsilon, boundsUsed, type AuditResult } from './helpers/audit.ts';

const SAMPLES = 1_000_000;
const VERBOSE = process.env['PP_AUDIT_VERBOSE'] === '1';

interface Case {
  name: string;
  claimedEpsilon: number;
  events: number;
  sampleA: (rng: RandomSampler) => number;
  sampleB: (rng: RandomSampler) => number;
  /** Whether the true worst ratio is attained by the audited inputs (then the power check applies). */
  tight: boolean;
}

function numericCase(name: string, m: DuchiMechanism | PiecewiseMechanism | HybridMechanism, claimedEpsilon = m.implementedEpsilon): Case {
  return { name, claimedEpsilon, events: m.outputCount, sampleA: (rng) => m.randomize(m.low, rng), sampleB: (rng) => m.randomize(m.high, rng), tight: true };
}

const multiselect = new PaddingAndSampling({ k: 4, maxItems: 2, epsilon: 2 });
const CORRECT: Case[] = [
  numericCase('duchi ε=2', new DuchiMechanism({ epsilon: 2, low: 0, high: 10, gridSize: 10 })),
  numericCase('piecewise ε=2', new PiecewiseMechanism({ epsilon: 2, low: 0, high: 10, gridSize: 10 })),
  numericCase('hybrid ε=2', new HybridMechanism({ epsilon: 2, low: 0, high: 10, gridSize: 10 })),
  {
    // Sets {0} vs {}: value 0 is reported with (p + q)/2 vs q — below e^ε by design (one of L slots).
    name: 'padding-sampling (GRR) ε=2',
    claimedEpsilon: multiselect.implementedEpsilon,
    events: 6,
    sampleA: (rng) => multiselect.randomize([0], rng) as number,
    sampleB: (rng) => multiselect.randomize([], rng) as number,
    tight: false,
  },
];
const BROKEN = numericCase('piecewise built for ε=2.2, claiming 2', new PiecewiseMechanism({ epsilon: 2.2, low: 0, high: 10, gridSize: 10 }), 2);
const ALPHA_PER_BOUND = AUDIT_FALSE_ALARM_BUDGET.numeric / [...CORRECT, BROKEN].reduce((a, c) => a + boundsUsed(c.events), 0);

function run(c: Case, seed: string): AuditResult {
  const result = auditEpsilon({ ...c, samples: SAMPLES, alphaPerBound: ALPHA_PER_BOUND, rng: new RandomSampler(seededRandomSource(seed)) });
  if (VERBOSE) {
    console.info(
      `${c.name}: claimed ε ${c.claimedEpsilon.toFixed(6)}, audit lower bound ${result.epsilonLowerBound.toFixed(4)} (event ${result.worstEvent}), ` +
        `point estimate ${result.epsilonPointEstimate.toFixed(4)}, α per bound ${ALPHA_PER_BOUND.toExponential(2)}`,
    );
  }
  return result;
}

describe('empirical ε audit of numeric and multiselect randomizers (10^6 samples per input)', () => {
  it.each(CORRECT.map((c) => [c.name, c] as const))('%s stays within its implemented ε', (_, c) => {
    const result = run(c, `audit-${c.name}`);
    expect(result.epsilonLowerBound, `lower bound ${result.epsilonLowerBound} vs claimed ${c.claimedEpsilon}`).toBeLessThanOrEqual(c.claimedEpsilon);
    if (c.tight) expect(result.epsilonLowerBound).toBeGreaterThan(c.claimedEpsilon - 0.15);
  });

  it('catches a mechanism whose real ε is 10% above its claim', () => {
    const result = run(BROKEN, 'audit-broken');
    expect(result.epsilonLowerBound).toBeGreaterThan(BROKEN.claimedEpsilon);
  });
});
