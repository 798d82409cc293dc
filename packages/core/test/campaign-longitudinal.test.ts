/**
 * Campaign questions with a permanent level (`epsilonPermanent`): what `auto` resolves to, that
 * the device half and the full mechanism agree, and that a mismatch (a one-level mechanism with
 * ε∞, a two-level one without it, ε∞ ≤ ε₁) is CAMPAIGN_INVALID naming the field.
 */
import { describe, expect, it } from 'vitest';
import {
  createCampaignMechanisms,
  createCampaignRandomizers,
  isTwoLevel,
  resolvedMechanismName,
  selectLongitudinalMechanism,
  stringIndex,
  validateCampaign,
  type StringQuestion,
} from '../src/index.ts';
import { validCampaign } from './hostile-inputs.ts';

function longitudinalCampaign(extra: (q: Record<string, unknown>) => Record<string, unknown> = (q) => q): Record<string, unknown> {
  const c = validCampaign();
  const questions = (c['questions'] as Record<string, unknown>[]).map((q) => {
    const { domain, ...rest } = q as { domain?: Record<string, unknown> };
    const base: Record<string, unknown> = { ...rest, epsilonPermanent: (q['epsilon'] as number) * 2 };
    if (domain !== undefined) base['domain'] = q['type'] === 'string' ? { candidates: domain['candidates'] } : domain;
    return extra(base);
  });
  return { ...c, questions };
}

describe('auto with epsilonPermanent', () => {
  it('resolves every question type to its two-level form', () => {
    const campaign = validateCampaign(longitudinalCampaign());
    expect(campaign.questions.map((q) => resolvedMechanismName(q))).toEqual([
      'l-grr',
      selectLongitudinalMechanism(3, 1, 2),
      'padding-sampling',
      'alpha-1bit',
      'loloha',
    ]);
    const randomizers = createCampaignRandomizers(campaign);
    const mechanisms = createCampaignMechanisms(campaign);
    for (const q of campaign.questions) {
      const r = randomizers.get(q.id)!;
      const m = mechanisms.get(q.id)!;
      expect(isTwoLevel(r), q.id).toBe(true);
      expect(isTwoLevel(m), q.id).toBe(true);
      // The device and the collector build the same levels.
      expect((r as unknown as { parameterKey: string }).parameterKey).toBe((m as unknown as { parameterKey: string }).parameterKey);
      expect(r.implementedEpsilon).toBeLessThanOrEqual(q.epsilon);
    }
  });

  it('strings: loloha over the candidates plus "other"', () => {
    const campaign = validateCampaign(longitudinalCampaign());
    const q = campaign.questions[4] as StringQuestion;
    expect(stringIndex(q, 'paracetamol')).toBe(1);
    expect(stringIndex(q, 'something else')).toBe(2);
    expect((createCampaignRandomizers(campaign).get(q.id) as { k: number }).k).toBe(3);
  });
});

describe('mismatches are CAMPAIGN_INVALID', () => {
  const rejects = (campaign: Record<string, unknown>, path: RegExp) =>
    expect(() => validateCampaign(campaign)).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID', path: expect.stringMatching(path) }));

  it('a one-level mechanism with epsilonPermanent', () => {
    rejects(longitudinalCampaign((q) => (q['id'] === 'fever' ? { ...q, mechanism: 'binary-rr' } : q)), /^questions\.0\.epsilonPermanent$/);
  });

  it('a two-level mechanism without it', () => {
    rejects(longitudinalCampaign((q) => (q['id'] === 'pain-site' ? { ...q, mechanism: 'l-oue', epsilonPermanent: undefined } : q)), /^questions\.1\.epsilonPermanent$/);
  });

  it('ε∞ not above ε₁', () => {
    rejects(longitudinalCampaign((q) => (q['id'] === 'pain' ? { ...q, epsilonPermanent: q['epsilon'] } : q)), /^questions\.3\.epsilonPermanent$/);
  });

  it('RAPPOR without its parameters', () => {
    rejects(longitudinalCampaign((q) => (q['type'] === 'string' ? { ...q, mechanism: 'rappor', epsilonPermanent: undefined } : q)), /^questions\.4\.domain\.rappor$/);
  });
});

describe('strings under loloha', () => {
  it('refuses a candidate spelled like the "other" label', () => {
    const c = longitudinalCampaign((q) => (q['type'] === 'string' ? { ...q, domain: { candidates: ['a', '(other)'] } } : q));
    expect(() => validateCampaign(c)).toThrow(expect.objectContaining({ code: 'CAMPAIGN_INVALID', path: 'questions.4.domain.candidates' }));
  });
});
