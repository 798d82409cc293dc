/**
 * Empirical ε audit of RAPPOR's one-report bound ε₁ (`implementedEpsilon`) through the production
 * path, `Rappor.randomize`, with a fresh random device secret per sample: the secret is the PRR's
 * randomness, so each sample is one report of a fresh device — the setting ε₁ is about (ε∞ is
 * about unlimited reports of one device and is not audited here).
 * Events: the IRR bits at the 2h Bloom positions of the two values (same cohort, positions
 * distinct); the other bits have the same law under both values. 10^6 samples per value;
 * Clopper–Pearson bounds at this file's share (AUDIT_FALSE_ALARM_BUDGET.rappor) of the 10^-6 that
 * all audits together may spend on false alarms (helpers/audit.ts).
 * Google-py mode with the reference client's parameters (k = 16, h = 2, f = 0.5, p = 0.5, q = 0.75).
 */
import { describe, expect, it } from 'vitest';
import { RandomSampler, Rappor, seededRandomSource } from '../src/index.ts';
import { AUDIT_FALSE_ALARM_BUDGET, auditEpsilon, boundsUsed } from './helpers/audit.ts';

const SAMPLES = 1_000_000;

describe('empirical ε audit of RAPPOR (one report, fresh device secret per sample)', () => {
  it('google-py k=16 h=2 f=0.5 p=0.5 q=0.75: no violation of ε₁, and the audit is tight', () => {
    const r = new Rappor({ k: 16, h: 2, m: 1, f: 0.5, p: 0.5, q: 0.75, mode: 'google-py' });
    const [a, b] = ['abc', 'def'];
    const positions = [...r.bloomIndices(a, 0), ...r.bloomIndices(b, 0)];
    expect(new Set(positions).size).toBe(positions.length);
    const events = 2 ** positions.length;
    const secret = new Uint8Array(16);
    const project = (bits: Uint8Array): number => positions.reduce((event, position, i) => event | (bits[position]! << i), 0);
    const sample = (value: string) => (rng: RandomSampler) => project(r.randomize({ value, cohort: 0, secret: rng.bytesInto(secret) }, rng).bits);
    const result = auditEpsilon({
      sampleA: sample(a),
      sampleB: sample(b),
      events,
      samples: SAMPLES,
      alphaPerBound: AUDIT_FALSE_ALARM_BUDGET.rappor / boundsUsed(events),
      rng: new RandomSampler(seededRandomSource('rappor-epsilon-audit')),
    });
    if (process.env['PP_AUDIT_VERBOSE'] === '1') {
      console.info(`rappor google-py: claimed ε₁ ${r.implementedEpsilon.toFixed(6)}, audit lower bound ${result.epsilonLowerBound.toFixed(4)}, point estimate ${result.epsilonPointEstimate.toFixed(4)}`);
    }
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(r.implementedEpsilon);
    expect(result.epsilonLowerBound).toBeGreaterThan(r.implementedEpsilon - 0.1);
  });
});
