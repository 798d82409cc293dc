/**
 * The mechanism registry is the one list: every entry builds, for every question type it names, a
 * mechanism of that name whose level count and estimate shape are what the registry says — so the
 * schema, `auto`, the SDK's charges and the collector's estimates (which read the registry) agree.
 */
import { describe, expect, it } from 'vitest';
import {
  MECHANISM_REGISTRY,
  createQuestionMechanism,
  createQuestionRandomizer,
  isTwoLevel,
  mechanismsFor,
  paddingInners,
  resolvedMechanismName,
  validateCampaign,
  type MechanismName,
  type QuestionTypeName,
} from '../src/index.ts';

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));

function question(type: QuestionTypeName, mechanism: MechanismName, twoLevel: boolean): Record<string, unknown> {
  const base = { id: 'q', prompt: 'Q?', tier: 'low', epsilon: 1, ...(twoLevel ? { epsilonPermanent: 2 } : {}), type, mechanism };
  switch (type) {
    case 'boolean':
      return base;
    case 'categorical':
      return { ...base, domain: { categories: options(['a', 'b', 'c', 'd']) } };
    case 'multiselect':
      return { ...base, domain: { items: options(['a', 'b', 'c']), maxItems: 2 } };
    case 'numeric':
      return { ...base, domain: { low: 0, high: 10 } };
    case 'string':
      return { ...base, ...(mechanism === 'rappor' ? { epsilon: 4.5 } : {}), domain: { candidates: ['x', 'y'], ...(mechanism === 'rappor' ? { rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } } : {}) } };
  }
}

const entries = Object.entries(MECHANISM_REGISTRY) as Array<[MechanismName, (typeof MECHANISM_REGISTRY)[MechanismName]]>;

describe('mechanism registry', () => {
  for (const [name, meta] of entries) {
    for (const type of meta.types) {
      it(`${name} for ${type}: builds, with ${meta.levels} level(s) and a ${meta.estimate} estimate`, () => {
        const campaign = validateCampaign({ id: 'c', version: 1, title: 'C', questions: [question(type, name, meta.levels === 2)] });
        const q = campaign.questions[0]!;
        expect(resolvedMechanismName(q)).toBe(name);
        const m = createQuestionMechanism(q, { campaignId: 'c' });
        expect(m.name).toBe(name);
        expect(createQuestionRandomizer(q, { campaignId: 'c' }).name).toBe(name);
        expect(isTwoLevel(m)).toBe(meta.levels === 2);
        const estimate = m.estimate(new Float64Array(m.sumsLength).fill(3)) as Record<string, unknown>;
        if (meta.estimate === 'mean') expect(typeof estimate['mean']).toBe('number');
        else if (meta.estimate === 'rappor') expect(estimate).toHaveProperty('cohorts');
        else expect(Array.isArray(estimate['values'])).toBe(true);
      });
    }
  }

  it('padding-and-sampling wraps exactly the registry inner oracles, one- and two-level', () => {
    for (const inner of paddingInners()) {
      const twoLevel = MECHANISM_REGISTRY[inner].levels === 2;
      const campaign = validateCampaign({ id: 'c', version: 1, title: 'C', questions: [{ ...question('multiselect', 'padding-sampling', twoLevel), domain: { items: options(['a', 'b', 'c']), maxItems: 2, inner } }] });
      expect(isTwoLevel(createQuestionMechanism(campaign.questions[0]!))).toBe(twoLevel);
    }
  });

  it('a type refuses a mechanism the registry does not list for it', () => {
    expect(mechanismsFor('boolean')).not.toContain('oue');
    expect(() => validateCampaign({ id: 'c', version: 1, title: 'C', questions: [question('boolean', 'oue', false)] })).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID' }));
  });
});
