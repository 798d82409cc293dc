import { describe, expect, it } from 'vitest';
import {
  addToSums,
  BinaryRandomizedResponse,
  GeneralizedRandomizedResponse,
  HybridMechanism,
  isPrivacyError,
  PaddingAndSampling,
  PiecewiseMechanism,
  RandomSampler,
  MAX_QUESTION_CELLS,
  MAX_RAPPOR_CANDIDATE_POSITIONS,
  type PrivacyError,
  seededRandomSource,
} from '../src/index.ts';
import { createQuestionMechanism, createQuestionRandomizer, multiselectInner, resolvedMechanismName } from '../src/campaign/mechanism.ts';
import { createCampaignMechanisms, createCampaignRandomizers, validateCampaign } from '../src/campaign/validate.ts';
import { Rappor as RapporMechanism, RapporRandomizer } from '../src/mechanisms/rappor.ts';
import type { Randomizer } from '../src/mechanisms/types.ts';
import type { Question } from '../src/campaign/schema.ts';
import { OptimizedLocalHashing } from '../src/mechanisms/olh.ts';
import { OptimizedUnaryEncoding } from '../src/mechanisms/oue.ts';
import { HadamardResponse } from '../src/mechanisms/hadamard.ts';
import { Rappor } from '../src/mechanisms/rappor.ts';
import { toWireReport, validateReport, decodeWithMechanism } from '../src/wire/validate.ts';
import { FIXED_NOW, hostileCampaigns, materialize, validCampaign } from './hostile-inputs.ts';

function categorical(k: number, epsilon: number, extra: Record<string, unknown> = {}): Question {
  const campaign = validCampaign();
  const questions = campaign.questions as Record<string, unknown>[];
  const categories = Array.from({ length: k }, (_, i) => ({ code: `c${i}`, label: `Choice ${i}` }));
  return validateCampaign({ ...campaign, questions: [{ ...questions[1], epsilon, domain: { categories }, ...extra }] }).questions[0]!;
}

describe('validateCampaign', () => {
  it('accepts the fixture and applies defaults', () => {
    const campaign = validateCampaign(validCampaign());
    expect(campaign.questions.map((q) => q.mechanism)).toEqual(['auto', 'auto', 'auto', 'auto', 'auto']);
    expect(campaign.questions.every((q) => q.period === 'day' && q.minBatch === 20)).toBe(true);
    const string = campaign.questions[4]!;
    expect(string.type === 'string' && string.domain.rappor?.mode).toBe('hardened-v1');
  });

  it.each(hostileCampaigns().map((c) => [c.name, c] as const))('rejects: %s', (_name, c) => {
    let error: unknown;
    try {
      validateCampaign(materialize(c));
    } catch (e) {
      error = e;
    }
    expect(isPrivacyError(error, 'CAMPAIGN_INVALID'), String(error)).toBe(true);
  });

  it('names the path', () => {
    const campaign = validCampaign();
    const questions = campaign.questions as Record<string, unknown>[];
    questions[3] = { ...questions[3], domain: { low: 3, high: 1 } };
    expect(() => validateCampaign(campaign)).toThrow(expect.objectContaining({ path: 'questions.3.domain.high' }));
    questions[3] = { ...questions[3], domain: { low: 0, high: 10 }, epsilon: 'x' };
    expect(() => validateCampaign(campaign)).toThrow(expect.objectContaining({ path: 'questions.3.epsilon' }));
  });
});

describe('createQuestionMechanism', () => {
  it('builds each type with the question parameters', () => {
    const campaign = validateCampaign(validCampaign());
    const mechanisms = createCampaignMechanisms(campaign);
    expect(mechanisms.get('fever')).toBeInstanceOf(BinaryRandomizedResponse);
    expect(mechanisms.get('pain-site')).toBeInstanceOf(GeneralizedRandomizedResponse);
    expect(mechanisms.get('symptoms')).toBeInstanceOf(PaddingAndSampling);
    expect(mechanisms.get('pain')).toBeInstanceOf(HybridMechanism);
    const rappor = mechanisms.get('medication') as Rappor;
    expect(rappor).toBeInstanceOf(Rappor);
    expect(rappor.metricId).toBe('symptoms/medication');
    expect(rappor.implementedEpsilon).toBeLessThanOrEqual(2.1);
    for (const question of campaign.questions) expect(mechanisms.get(question.id)!.epsilon).toBeLessThanOrEqual(question.epsilon);
  });

  it('resolves auto through selectMechanism, honouring maxBits, and explicit names as given', () => {
    expect(createQuestionMechanism(categorical(5, 1))).toBeInstanceOf(GeneralizedRandomizedResponse);
    expect(createQuestionMechanism(categorical(40, 1))).toBeInstanceOf(OptimizedUnaryEncoding);
    expect(createQuestionMechanism(categorical(40, 1, { maxBits: 38 }))).toBeInstanceOf(OptimizedLocalHashing);
    expect(createQuestionMechanism(categorical(40, 1, { maxBits: 6 }))).toBeInstanceOf(HadamardResponse);
    expect(createQuestionMechanism(categorical(40, 1, { mechanism: 'grr' }))).toBeInstanceOf(GeneralizedRandomizedResponse);
    expect(resolvedMechanismName(categorical(40, 1, { mechanism: 'sue' }))).toBe('sue');
    const numeric = validateCampaign(validCampaign()).questions[3]!;
    expect(createQuestionMechanism({ ...numeric, mechanism: 'piecewise' } as Question)).toBeInstanceOf(PiecewiseMechanism);
  });

  it('is deterministic: device and collector build identical mechanisms from the same JSON', () => {
    const a = createCampaignMechanisms(validateCampaign(JSON.parse(JSON.stringify(validCampaign()))));
    const b = createCampaignMechanisms(validateCampaign(validCampaign()));
    for (const [id, m] of a) {
      const other = b.get(id)!;
      expect(other.name).toBe(m.name);
      expect(other.implementedEpsilon).toBe(m.implementedEpsilon);
      expect(other.sumsLength).toBe(m.sumsLength);
    }
  });

  it('multiselect auto picks GRR for small k + L and OLH for large', () => {
    const campaign = validateCampaign(validCampaign());
    const multi = campaign.questions[2]!;
    if (multi.type !== 'multiselect') throw new Error('fixture');
    expect(multiselectInner(multi)).toBe('grr');
    const items = Array.from({ length: 200 }, (_, i) => ({ code: `i${i}`, label: `Item ${i}` }));
    expect(multiselectInner({ ...multi, epsilon: 1, domain: { items, maxItems: 5, inner: 'auto' } })).toBe('olh');
  });

  it('a device report travels to the collector and decodes with the same mechanism', () => {
    const campaign = validateCampaign(validCampaign());
    const device = createCampaignMechanisms(campaign);
    const collector = createCampaignMechanisms(validateCampaign(JSON.parse(JSON.stringify(campaign))));
    const rng = new RandomSampler(seededRandomSource('campaign-trip'));
    const answers: Record<string, unknown> = {
      fever: 1,
      'pain-site': 2,
      symptoms: [0, 2],
      pain: 7,
      medication: { value: 'ibuprofen', cohort: 3, secret: new Uint8Array(32).fill(7) },
    };
    let i = 0;
    for (const question of campaign.questions) {
      const mechanism = device.get(question.id)!;
      const encoded = mechanism.encodeReport(mechanism.randomize(answers[question.id], rng));
      const id = (i++).toString(16).padStart(32, '0');
      const wire = validateReport(JSON.parse(JSON.stringify(toWireReport({ id, campaignId: campaign.id, campaignVersion: campaign.version, questionId: question.id, day: '2026-03-15' }, encoded))), { now: FIXED_NOW });
      const target = collector.get(question.id)!;
      const sums = new Float64Array(target.sumsLength);
      addToSums(target, decodeWithMechanism(wire, target), sums);
      expect(sums[0]).toBe(1);
    }
  });
});

describe('createQuestionRandomizer (the device half)', () => {
  const answers: Record<string, unknown> = { fever: 1, 'pain-site': 2, symptoms: [0, 2], pain: 7 };

  it('has the full mechanism\'s name, ε and explanation, and draws the same reports from the same coins', () => {
    const campaign = validateCampaign(validCampaign());
    const full = createCampaignMechanisms(campaign);
    const device = createCampaignRandomizers(campaign);
    const categoricals = ['grr', 'sue', 'oue', 'olh', 'hadamard'].map((mechanism) => categorical(40, 1, { mechanism }));
    const numerics = ['duchi', 'piecewise', 'hybrid'].map((mechanism) => ({ ...campaign.questions[3]!, mechanism }) as Question);
    const olhMulti = { ...campaign.questions[2]!, domain: { ...(campaign.questions[2] as { domain: object }).domain, inner: 'olh' } } as Question;
    const pairs: Array<[string, unknown, ReturnType<typeof createQuestionRandomizer>, ReturnType<typeof createQuestionMechanism>]> = [
      ...campaign.questions.filter((q) => q.type !== 'string').map((q) => [q.id, answers[q.id], device.get(q.id)!, full.get(q.id)!] as [string, unknown, ReturnType<typeof createQuestionRandomizer>, ReturnType<typeof createQuestionMechanism>]),
      ...categoricals.map((q) => [q.mechanism, 17, createQuestionRandomizer(q), createQuestionMechanism(q)] as [string, unknown, ReturnType<typeof createQuestionRandomizer>, ReturnType<typeof createQuestionMechanism>]),
      ...numerics.map((q) => [q.mechanism, 3.5, createQuestionRandomizer(q), createQuestionMechanism(q)] as [string, unknown, ReturnType<typeof createQuestionRandomizer>, ReturnType<typeof createQuestionMechanism>]),
      ['multiselect-olh', [0, 2], createQuestionRandomizer(olhMulti), createQuestionMechanism(olhMulti)],
    ];
    for (const [label, answer, randomizer, mechanism] of pairs) {
      expect(randomizer.name, label).toBe(mechanism.name);
      expect(randomizer.implementedEpsilon, label).toBe(mechanism.implementedEpsilon);
      expect(randomizer.describe(), label).toEqual(mechanism.describe());
      const a = new RandomSampler(seededRandomSource(`halves-${label}`));
      const b = new RandomSampler(seededRandomSource(`halves-${label}`));
      const r = randomizer as Randomizer<unknown, unknown>;
      for (let i = 0; i < 20; i++) expect(r.encodeReport(r.randomize(answer, a)), label).toEqual(mechanism.encodeReport(mechanism.randomize(answer, b)));
      expect('estimate' in randomizer, label).toBe(false);
    }
  });

  it('RAPPOR: same encoding parameters, IRR, ε₁, ε∞ and explanation as the full mechanism', () => {
    const campaign = validateCampaign(validCampaign());
    const device = createCampaignRandomizers(campaign).get('medication')!;
    const full = createCampaignMechanisms(campaign).get('medication') as RapporMechanism;
    expect(device).toBeInstanceOf(RapporRandomizer);
    expect(device).not.toBeInstanceOf(RapporMechanism);
    const rappor = device as RapporRandomizer;
    expect(rappor.implementedEpsilon).toBe(full.implementedEpsilon);
    expect(rappor.permanentEpsilon).toBe(full.permanentEpsilon);
    expect(rappor.describe()).toEqual(full.describe());
    expect(rappor.encoding).toEqual({ mode: full.mode, k: full.k, h: full.h, fThreshold: full.fThreshold, fBits: full.fBits, metricId: full.metricId });
    const bloom = full.bloom('ibuprofen', 3);
    const prr = full.permanentResponse(bloom, new Uint8Array(32).fill(7));
    const a = new RandomSampler(seededRandomSource('halves-rappor'));
    const b = new RandomSampler(seededRandomSource('halves-rappor'));
    expect(rappor.encodeReport({ cohort: 3, bits: rappor.instantaneousResponse(prr, a) })).toEqual(full.encodeReport({ cohort: 3, bits: full.instantaneousResponse(prr, b) }));
  });

  it('refuses the same parameters as the full mechanism (validateCampaign checks with it)', () => {
    expect(() => createQuestionRandomizer(categorical(40, 1, { mechanism: 'sue' }))).not.toThrow();
    for (const c of hostileCampaigns()) {
      let error: unknown;
      try {
        validateCampaign(materialize(c));
      } catch (e) {
        error = e;
      }
      expect(isPrivacyError(error, 'CAMPAIGN_INVALID'), c.name).toBe(true);
    }
  });
});

describe('RAPPOR sizes a collector can serve (MAX_QUESTION_CELLS, MAX_RAPPOR_CANDIDATE_POSITIONS)', () => {
  const rapporCampaign = (rappor: Record<string, number>, candidates = 2) => ({
    id: 'c',
    version: 1,
    title: 'C',
    questions: [
      {
        id: 'q',
        prompt: 'Q?',
        tier: 'low',
        epsilon: 5,
        type: 'string',
        domain: { candidates: Array.from({ length: candidates }, (_, i) => `s${i}`), rappor: { h: 2, f: 0.5, p: 0.5, q: 0.75, ...rappor } },
      },
    ],
  });
  const refusal = (input: unknown) => {
    try {
      validateCampaign(input);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses k = 4096, m = 4096 (16,781,313 cells a day), which the schema alone accepts', () => {
    const error = refusal(rapporCampaign({ k: 4096, m: 4096 }));
    expect(isPrivacyError(error, 'CAMPAIGN_INVALID')).toBe(true);
    expect((error as PrivacyError).path).toBe('questions.0.domain.rappor.m');
    expect((error as Error).message).toMatch(/16781313 cells per day exceeds the 131073.*m ≤ 31/);
  });

  it('accepts up to m·(k + 1) + 1 = MAX_QUESTION_CELLS, one cohort more is refused', () => {
    expect(MAX_QUESTION_CELLS).toBe(131_073);
    const largest = validateCampaign(rapporCampaign({ k: 4096, m: 31 }));
    expect(createQuestionMechanism(largest.questions[0]!, { campaignId: 'c' }).sumsLength).toBeLessThanOrEqual(MAX_QUESTION_CELLS);
    expect(refusal(rapporCampaign({ k: 4096, m: 32 }))).toBeDefined();
    expect(() => validateCampaign(rapporCampaign({ k: 128, m: 1016 }))).not.toThrow();
    expect(refusal(rapporCampaign({ k: 128, m: 1017 }))).toBeDefined();
  });

  it('refuses a candidate map above MAX_RAPPOR_CANDIDATE_POSITIONS (candidates × m × h)', () => {
    expect(MAX_RAPPOR_CANDIDATE_POSITIONS).toBe(2_097_152);
    expect(() => validateCampaign(rapporCampaign({ k: 128, m: 64, h: 2 }, 10_000))).not.toThrow(); // the rappor-decode bench: 1,280,000
    const error = refusal(rapporCampaign({ k: 128, m: 128, h: 2 }, 10_000));
    expect((error as Error).message).toMatch(/2560000 Bloom positions/);
  });

  it('no other question type exceeds MAX_QUESTION_CELLS at the schema’s largest domain', () => {
    const categories = Array.from({ length: 65_536 }, (_, i) => ({ code: `c${i}`, label: `c${i}` }));
    for (const mechanism of ['hadamard', 'oue', 'olh', 'grr'] as const) {
      const campaign = validateCampaign({ id: 'c', version: 1, title: 'C', questions: [{ id: 'q', prompt: 'Q?', tier: 'low', epsilon: 2, type: 'categorical', mechanism, domain: { categories } }] });
      expect(createQuestionMechanism(campaign.questions[0]!).sumsLength, mechanism).toBeLessThanOrEqual(MAX_QUESTION_CELLS);
    }
  });
});

describe('hostile catalogue: the servability cases are refused for their size, not for something else', () => {
  it.each(hostileCampaigns().filter((c) => /cell|to decode/.test(c.name)).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(() => validateCampaign(materialize(c))).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID', path: 'questions.4.domain.rappor.m' }));
  });
});
