/**
 * Empirical ε audit of the two-level mechanisms, both levels, through their own code paths
 * (`permanent`, `instantaneous`, `slotOf`, `device` with a seeded RandomSampler), 10^6 samples per
 * input (helpers/audit.ts explains the statistics; this file spends AUDIT_FALSE_ALARM_BUDGET.longitudinal):
 *  - ε₁: one report with a FRESH permanent response each sample (the chained distribution), for two
 *    answers in different slots; LOLOHA with a fixed device hash under which the two answers hash
 *    apart (ε₁ holds for every hash: the hash is public), alpha-1bit at the two extreme answers;
 *  - ε∞: the permanent response alone, for two slots.
 * Projections: L-GRR / LOLOHA the exact output; L-OUE the two answers' bits; alpha-1bit the bit.
 *
 * Seeded bugs that must be caught under the same budget:
 *  - an L-GRR (k = 4, ε₁ = 1, ε∞ = 2) whose instantaneous level reuses the permanent threshold:
 *    the chain of two GRR(ε∞ = 2) steps is ≈ 1.23 > ε₁ = 1 (a wrong-threshold bug the chained BigInt
 *    check exists to prevent);
 *  - an L-OUE whose permanent level is built from 1.1·ε∞ but claims ε∞ (2 → 2.2).
 * Power: each correct case's lower bound comes within 0.15 of its claim.
 */
import { describe, expect, it } from 'vitest';
import { AlphaOneBitRandomizer, LgrrRandomizer, LolohaRandomizer, LueRandomizer, RandomSampler, grrStep, seededRandomSource } from '../src/index.ts';
import { AUDIT_FALSE_ALARM_BUDGET, auditEpsilon, boundsUsed, type AuditResult } from './helpers/audit.ts';

const SAMPLES = 1_000_000;
const VERBOSE = process.env['PP_AUDIT_VERBOSE'] === '1';

interface AuditCase {
  name: string;
  claimedEpsilon: number;
  events: number;
  sampleA: (rng: RandomSampler) => number;
  sampleB: (rng: RandomSampler) => number;
}

const bit = (bits: Uint8Array, j: number): number => (bits[j >> 3]! >> (j & 7)) & 1;

const lgrr = new LgrrRandomizer({ k: 4, epsilon: 1, epsilonPermanent: 2 });
const loloha = new LolohaRandomizer({ k: 20, epsilon: 1, epsilonPermanent: 2, g: 5 });
const lolohaHash = (() => {
  for (let h = 0; h < loloha.hashCount; h++) if (loloha.hash(h, 3) !== loloha.hash(h, 11)) return h;
  throw new Error('no separating hash');
})();
const loue = new LueRandomizer('l-oue', { k: 4, epsilon: 1, epsilonPermanent: 2 });
const lsue = new LueRandomizer('l-sue', { k: 4, epsilon: 1, epsilonPermanent: 2 });
const alpha = new AlphaOneBitRandomizer({ epsilon: 1, epsilonPermanent: 2, low: 0, high: 10, levels: 3 });

const ueChained = (m: LueRandomizer, v: number) => (rng: RandomSampler) => {
  const r = m.instantaneous(m.permanent(m.slotOf(v), rng), null, rng);
  return (bit(r, 0) << 1) | bit(r, 1);
};
const uePermanent = (m: LueRandomizer, v: number) => (rng: RandomSampler) => {
  const r = m.permanent(v, rng);
  return (bit(r, 0) << 1) | bit(r, 1);
};
// alpha-1bit: answers at the ends of the range use levels 0 and top on every device.
const alphaChained = (x: number) => (rng: RandomSampler) => {
  const offset = alpha.device(rng);
  return alpha.instantaneous(alpha.permanent(alpha.slotOf(x, offset), rng), offset, rng);
};

const CORRECT: AuditCase[] = [
  { name: 'l-grr ε₁ k=4', claimedEpsilon: lgrr.implementedEpsilon, events: 4, sampleA: (rng) => lgrr.randomize(0, rng), sampleB: (rng) => lgrr.randomize(1, rng) },
  { name: 'l-grr ε∞ k=4', claimedEpsilon: lgrr.permanentEpsilon, events: 4, sampleA: (rng) => lgrr.permanent(0, rng), sampleB: (rng) => lgrr.permanent(1, rng) },
  {
    name: 'loloha ε₁ k=20 g=5 (fixed hash)',
    claimedEpsilon: loloha.implementedEpsilon,
    events: 5,
    sampleA: (rng) => loloha.instantaneous(loloha.permanent(loloha.slotOf(3, lolohaHash), rng), lolohaHash, rng).value,
    sampleB: (rng) => loloha.instantaneous(loloha.permanent(loloha.slotOf(11, lolohaHash), rng), lolohaHash, rng).value,
  },
  { name: 'loloha ε∞ g=5', claimedEpsilon: loloha.permanentEpsilon, events: 5, sampleA: (rng) => loloha.permanent(0, rng), sampleB: (rng) => loloha.permanent(1, rng) },
  { name: 'l-oue ε₁ k=4', claimedEpsilon: loue.implementedEpsilon, events: 4, sampleA: ueChained(loue, 0), sampleB: ueChained(loue, 1) },
  { name: 'l-oue ε∞ k=4', claimedEpsilon: loue.permanentEpsilon, events: 4, sampleA: uePermanent(loue, 0), sampleB: uePermanent(loue, 1) },
  { name: 'l-sue ε₁ k=4', claimedEpsilon: lsue.implementedEpsilon, events: 4, sampleA: ueChained(lsue, 0), sampleB: ueChained(lsue, 1) },
  { name: 'alpha-1bit ε₁ levels=3', claimedEpsilon: alpha.implementedEpsilon, events: 2, sampleA: alphaChained(0), sampleB: alphaChained(10) },
  {
    name: 'alpha-1bit ε∞ levels=3',
    claimedEpsilon: alpha.permanentEpsilon,
    events: 2,
    sampleA: (rng) => alpha.permanent(0, rng),
    sampleB: (rng) => alpha.permanent(alpha.steps, rng),
  },
];

const inflatedLoue = new LueRandomizer('l-oue', { k: 4, epsilon: 1, epsilonPermanent: 2.2 });
const BROKEN: AuditCase[] = [
  {
    name: 'l-grr whose instantaneous level reuses the permanent threshold',
    claimedEpsilon: lgrr.implementedEpsilon,
    events: 4,
    sampleA: (rng) => grrStep(grrStep(0, 4, lgrr.permanentKeep, rng), 4, lgrr.permanentKeep, rng),
    sampleB: (rng) => grrStep(grrStep(1, 4, lgrr.permanentKeep, rng), 4, lgrr.permanentKeep, rng),
  },
  { name: 'l-oue permanent level built from 1.1·ε∞', claimedEpsilon: loue.permanentEpsilon, events: 4, sampleA: uePermanent(inflatedLoue, 0), sampleB: uePermanent(inflatedLoue, 1) },
];

const ALPHA_PER_BOUND = AUDIT_FALSE_ALARM_BUDGET.longitudinal / [...CORRECT, ...BROKEN].reduce((total, c) => total + boundsUsed(c.events), 0);

function run(c: AuditCase): AuditResult {
  const result = auditEpsilon({ ...c, samples: SAMPLES, alphaPerBound: ALPHA_PER_BOUND, rng: new RandomSampler(seededRandomSource(`longitudinal-audit/${c.name}`)) });
  if (VERBOSE) console.info(`${c.name}: claimed ${c.claimedEpsilon.toFixed(4)}, lower bound ${result.epsilonLowerBound.toFixed(4)}, point ${result.epsilonPointEstimate.toFixed(4)}`);
  return result;
}

describe('empirical ε audit of both levels (10^6 samples per input)', () => {
  it.each(CORRECT.map((c) => [c.name, c] as const))('%s finds no violation and is tight', (_name, c) => {
    const result = run(c);
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(c.claimedEpsilon);
    expect(result.epsilonLowerBound).toBeGreaterThan(c.claimedEpsilon - 0.15);
  });

  it.each(BROKEN.map((c) => [c.name, c] as const))('catches the broken randomizer: %s', (_name, c) => {
    expect(run(c).epsilonLowerBound).toBeGreaterThan(c.claimedEpsilon);
  });
});
