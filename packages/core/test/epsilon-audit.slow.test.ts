/**
 * Empirical ε audit of every categorical randomizer through the production code path (the real
 * `randomize` with a seeded RandomSampler), 10^6 samples per input, two inputs each, outputs
 * projected to a small event space (helpers/audit.ts explains the statistics):
 *  - binary RR, GRR, Hadamard response: the exact output;
 *  - SUE, OUE: the pair of bits (B_a, B_b) of the two inputs — the only bits whose law differs;
 *  - OLH: ([H_s(a) = y], [H_s(b) = y]) for the report (s, y).
 * RAPPOR's audit lives in rappor-epsilon-audit.slow.test.ts (slow: one HMAC per sample) and the
 * numeric and multiselect ones in numeric-epsilon-audit.slow.test.ts, so the files run in parallel.
 * All audits together may raise a false alarm with probability ≤ 10^-6: each file spends its share
 * (AUDIT_FALSE_ALARM_BUDGET; this one AUDIT_FALSE_ALARM_BUDGET.categorical = 5·10^-7), and every
 * one-sided Clopper–Pearson bound gets the share divided by the number of bounds in the file
 * (Bonferroni). A test fails if the lower bound on the log probability ratio of some event exceeds
 * the mechanism's implementedEpsilon.
 *
 * The audit must also be able to fail, so two deliberately broken randomizers are audited and must
 * be caught under the same budget:
 *  - an OUE whose true bit is reported with probability 1 − q = e^ε/(e^ε+1) instead of p = 1/2
 *    (keep/flip confusion). Its real loss is 2ε. (Keeping the true bit with probability q itself
 *    would make the report independent of the input — no leak for an audit to find.)
 *  - a GRR claiming ε = 2 but built with thresholds from ε = 2.06 (+3%), k = 4. Detectable because
 *    at 10^6 samples the Clopper–Pearson half-widths of ln p̂ (≈ 6e-4·z) and ln q̂ (≈ 3e-3·z, q ≈ 0.09)
 *    add up to ≈ 0.02 at z ≈ 5.75 (α per bound 4.4·10^-9), well under the 0.06 excess (seeded run:
 *    lower bound 2.044 against the claimed 2).
 * And for power: each correct mechanism's lower bound must come within 0.1 of its implementedEpsilon
 * (at ε = 2, where events have probabilities ≳ 0.05), so the audit is not vacuous.
 */
import { describe, expect, it } from 'vitest';
import {
  BinaryRandomizedResponse,
  GeneralizedRandomizedResponse,
  HadamardResponse,
  OptimizedLocalHashing,
  OptimizedUnaryEncoding,
  RandomSampler,
  SymmetricUnaryEncoding,
  seededRandomSource,
  type UnaryEncoding,
} from '../src/index.ts';
import { AUDIT_FALSE_ALARM_BUDGET, auditEpsilon, boundsUsed, clopperPearson, lnGamma, regularizedIncompleteBeta, type AuditResult } from './helpers/audit.ts';

const SAMPLES = 1_000_000;
const VERBOSE = process.env['PP_AUDIT_VERBOSE'] === '1';

interface AuditCase {
  name: string;
  claimedEpsilon: number;
  events: number;
  sampleA: (rng: RandomSampler) => number;
  sampleB: (rng: RandomSampler) => number;
}

/** Event index 2·B_a + B_b of the two audited bits of a packed unary report. */
function bitPair(bits: Uint8Array, a: number, b: number): number {
  return (((bits[a >> 3]! >> (a & 7)) & 1) << 1) | ((bits[b >> 3]! >> (b & 7)) & 1);
}

function unaryCase(name: string, m: UnaryEncoding): AuditCase {
  return { name, claimedEpsilon: m.implementedEpsilon, events: 4, sampleA: (rng) => bitPair(m.randomize(0, rng), 0, 1), sampleB: (rng) => bitPair(m.randomize(1, rng), 0, 1) };
}

function exactOutputCase(name: string, m: { implementedEpsilon: number; randomize(v: number, rng: RandomSampler): number }, events: number): AuditCase {
  return { name, claimedEpsilon: m.implementedEpsilon, events, sampleA: (rng) => m.randomize(0, rng), sampleB: (rng) => m.randomize(1, rng) };
}

function olhCase(name: string, m: OptimizedLocalHashing): AuditCase {
  const a = 3;
  const b = 11;
  const project = (r: { seed: number; y: number }): number => (Number(m.hash(r.seed, a) === r.y) << 1) | Number(m.hash(r.seed, b) === r.y);
  return { name, claimedEpsilon: m.implementedEpsilon, events: 4, sampleA: (rng) => project(m.randomize(a, rng)), sampleB: (rng) => project(m.randomize(b, rng)) };
}

/** OUE with the keep/flip bug: the true bit is 1 with probability 1 − q instead of 1/2. */
class KeepFlipConfusedOue extends OptimizedUnaryEncoding {
  override randomize(value: number, rng: RandomSampler): Uint8Array {
    const bits = new Uint8Array(this.byteLength);
    for (let j = 0; j < this.k; j++) {
      const threshold = j === value ? 2 ** 32 - this.otherBitThreshold : this.otherBitThreshold;
      if (rng.uint32() < threshold) bits[j >> 3]! |= 1 << (j & 7);
    }
    return bits;
  }
}

const CORRECT: AuditCase[] = [
  exactOutputCase('binary-rr ε=1', new BinaryRandomizedResponse({ epsilon: 1 }), 2),
  exactOutputCase('grr k=4 ε=2', new GeneralizedRandomizedResponse({ k: 4, epsilon: 2 }), 4),
  unaryCase('sue k=4 ε=2', new SymmetricUnaryEncoding({ k: 4, epsilon: 2 })),
  unaryCase('oue k=4 ε=2', new OptimizedUnaryEncoding({ k: 4, epsilon: 2 })),
  olhCase('olh k=16 ε=2 (g=8)', new OptimizedLocalHashing({ k: 16, epsilon: 2 })),
  exactOutputCase('hadamard k=6 ε=2 (K=8)', new HadamardResponse({ k: 6, epsilon: 2 }), 8),
];

const inflatedGrr = new GeneralizedRandomizedResponse({ k: 4, epsilon: 2.06 });
const BROKEN: AuditCase[] = [
  unaryCase('oue k=4 ε=1 with true bit kept at 1−q', new KeepFlipConfusedOue({ k: 4, epsilon: 1 })),
  { ...exactOutputCase('grr k=4 claiming ε=2, built from ε=2.06', inflatedGrr, 4), claimedEpsilon: new GeneralizedRandomizedResponse({ k: 4, epsilon: 2 }).implementedEpsilon },
];

const ALPHA_PER_BOUND = AUDIT_FALSE_ALARM_BUDGET.categorical / [...CORRECT, ...BROKEN].reduce((total, c) => total + boundsUsed(c.events), 0);

function run(c: AuditCase): AuditResult {
  const result = auditEpsilon({ ...c, samples: SAMPLES, alphaPerBound: ALPHA_PER_BOUND, rng: new RandomSampler(seededRandomSource(`epsilon-audit/${c.name}`)) });
  if (VERBOSE) {
    console.info(
      `${c.name}: claimed ε ${c.claimedEpsilon.toFixed(6)}, audit lower bound ${result.epsilonLowerBound.toFixed(4)} (event ${result.worstEvent}), ` +
        `point estimate ${result.epsilonPointEstimate.toFixed(4)}, α per bound ${ALPHA_PER_BOUND.toExponential(2)}`,
    );
  }
  return result;
}

describe('Clopper–Pearson bounds', () => {
  it('ln Γ matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3_628_800), 12);
    expect(lnGamma(1e6) / (1e6 * Math.log(1e6) - 1e6 - 0.5 * Math.log(1e6) + 0.5 * Math.log(2 * Math.PI) + 1 / 12e6)).toBeCloseTo(1, 14);
  });

  // ln B(a, b) from three ln Γ values near 1.3e7 (n = 10^6) loses ~1e-9 relative: irrelevant to a
  // bound at level 7e-9 (it moves the level by ~1e-17), so closed forms are checked to 1e-8.
  it('agree with closed forms at x = 0 and x = n', () => {
    for (const n of [10, 1000, 1_000_000]) {
      const alpha = 1e-8;
      expect(clopperPearson(0, n, alpha).upper / -Math.expm1(Math.log(alpha) / n)).toBeCloseTo(1, 8);
      expect(clopperPearson(n, n, alpha).lower / Math.exp(Math.log(alpha) / n)).toBeCloseTo(1, 8);
    }
  });

  it('solve the exact binomial tail equations', () => {
    const binomialTailAtLeast = (x: number, n: number, p: number): number => {
      let total = 0;
      for (let j = x; j <= n; j++) total += Math.exp(lnGamma(n + 1) - lnGamma(j + 1) - lnGamma(n - j + 1) + j * Math.log(p) + (n - j) * Math.log1p(-p));
      return total;
    };
    for (const [x, n] of [[1, 20], [7, 20], [19, 20], [50, 400]] as const) {
      const { lower, upper } = clopperPearson(x, n, 1e-3);
      expect(binomialTailAtLeast(x, n, lower) / 1e-3).toBeCloseTo(1, 6);
      expect((1 - binomialTailAtLeast(x + 1, n, upper)) / 1e-3).toBeCloseTo(1, 6);
    }
    expect(regularizedIncompleteBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 10);
  });
});

describe('empirical ε audit (10^6 samples per input, this file\'s share of the 10^-6 false-alarm budget)', () => {
  it.each(CORRECT.map((c) => [c.name, c] as const))('%s finds no violation and is tight', (_name, c) => {
    const result = run(c);
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(c.claimedEpsilon);
    expect(result.epsilonLowerBound).toBeGreaterThan(c.claimedEpsilon - 0.1);
  });

  it.each(BROKEN.map((c) => [c.name, c] as const))('catches the broken randomizer: %s', (_name, c) => {
    const result = run(c);
    expect(result.epsilonLowerBound).toBeGreaterThan(c.claimedEpsilon);
  });
});
