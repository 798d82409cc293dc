/**
 * ε audit through the SDK's own device path (issue 13 §8), in Node with WebCrypto: every sample is
 * a NEW device — a fresh non-extractable HMAC key, as optIn creates — whose report goes through
 * the worker's encode.ts and levels.ts with campaign.ts's permanent key (device constant and permanent response derived with the key, instantaneous
 * level from the CSPRNG) and the wire encoding (toWireReport, then the
 * collector-side decoder, decodeWithMechanism), so a bug in the SDK's derivation or encoding shows as leaked ε. Two
 * answers of the demo's low-mood question (L-GRR, k = 2, ε₁ = 1) are compared on the decoded
 * report value; one-sided Clopper–Pearson bounds at a total false-alarm 10^-6 for this file.
 *
 * Seeded bug it must catch under the same budget: permanent responses derived from a constant
 * instead of the device key (every device shares them), so one report only carries the
 * instantaneous level's noise: ε_inst = 1.41 > ε₁ = 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  RandomSampler,
  createCampaignMechanisms,
  createCampaignRandomizers,
  cryptoRandomSource,
  decodeWithMechanism,
  derivedRandomSource,
  seededRandomSource,
  toWireReport,
  validateCampaign,
  type AnyTwoLevelRandomizer,
  type CampaignInput,
  type EncodedReport,
} from '@practical-privacy/core';
import { clopperPearson } from '../../core/test/helpers/audit.ts';
import { permanentKeyOf } from '../src/worker/campaign.ts';
import { encodeAnswer } from '../src/worker/encode.ts';

const demo = JSON.parse(readFileSync(new URL('../../demo-app/campaign/daily-checkin.json', import.meta.url), 'utf8')) as CampaignInput;
const campaign = validateCampaign(demo);
const QUESTION = 'low-mood';
const randomizer = createCampaignRandomizers(campaign).get(QUESTION)! as AnyTwoLevelRandomizer;
const collector = createCampaignMechanisms(campaign).get(QUESTION)!;
const SAMPLES = 60_000;
const EVENTS = 2;
const CASES = 2;
const ALPHA_PER_BOUND = 1e-6 / (CASES * 4 * EVENTS);

type Report = (input: number, fresh: RandomSampler) => Promise<EncodedReport>;

const question = campaign.questions.find((q) => q.id === QUESTION)!;
const permanentKey = await permanentKeyOf(question, randomizer);
/** The worker's own encoding step (encode.ts → levels.ts), with the key campaign.ts derives. */
const sdkPath: Report = async (input, fresh) => {
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  return encodeAnswer({ question, mechanism: randomizer, input, secret: key, campaignId: campaign.id, permanentKey, fresh, cohortOf: async () => 0 });
};

/** The seeded bug: permanent responses from a constant, not the device key. */
const sharedPermanent: Report = async (input, fresh) => {
  const constant = new RandomSampler(derivedRandomSource(new Uint8Array(32).fill(7)));
  const permanent = randomizer.permanent(randomizer.slotOf(input, null, fresh), constant);
  return randomizer.encodeReport(randomizer.instantaneous(permanent, null, fresh));
};

async function audit(report: Report, seed: string): Promise<number> {
  const fresh = new RandomSampler(process.env['PP_AUDIT_CRYPTO'] === '1' ? cryptoRandomSource() : seededRandomSource(seed));
  const counts = [new Array<number>(EVENTS).fill(0), new Array<number>(EVENTS).fill(0)];
  for (const input of [0, 1]) {
    for (let i = 0; i < SAMPLES; i++) {
      const encoded = await report(input, fresh);
      const wire = toWireReport({ id: '0'.repeat(32), campaignId: campaign.id, campaignVersion: campaign.version, questionId: QUESTION, day: '2027-01-04' }, encoded);
      counts[input]![decodeWithMechanism(wire, collector) as number]! += 1;
    }
  }
  let lower = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < EVENTS; e++) {
    const a = clopperPearson(counts[0]![e]!, SAMPLES, ALPHA_PER_BOUND);
    const b = clopperPearson(counts[1]![e]!, SAMPLES, ALPHA_PER_BOUND);
    lower = Math.max(lower, Math.log(a.lower) - Math.log(b.upper), Math.log(b.lower) - Math.log(a.upper));
  }
  return lower;
}

describe('ε audit of the SDK device path (fresh WebCrypto key per device)', () => {
  it('one report of the real path leaks no more than ε₁', { timeout: 300_000 }, async () => {
    const lower = await audit(sdkPath, 'device-path-audit/correct');
    expect(lower).toBeLessThanOrEqual(randomizer.implementedEpsilon);
    // Power: the bound comes near the claim.
    expect(lower).toBeGreaterThan(randomizer.implementedEpsilon - 0.15);
  });

  it('catches permanent responses shared by every device', { timeout: 300_000 }, async () => {
    expect(await audit(sharedPermanent, 'device-path-audit/broken')).toBeGreaterThan(randomizer.implementedEpsilon);
  });
});
