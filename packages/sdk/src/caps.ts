/**
 * Privacy-budget caps set by the app developer. The campaign may ask for less ε, never more: a
 * question whose ε exceeds its tier's cap is refused (TIER_CAP_EXCEEDED), so a server can never
 * raise the privacy loss of a device.
 */
import { PrivacyError, type Campaign, type Tier } from '@practical-privacy/core';

export interface Caps {
  /** Most ε one report of a question of this tier may cost. */
  perReport: Record<Tier, number>;
  /** Most ε per campaign in one UTC day, and in one week (Monday–Sunday, UTC). */
  perDay: number;
  perWeek: number;
  /** Most ε per campaign over the device's lifetime (until opt-out). */
  lifetime: number;
}

export const DEFAULT_CAPS: Caps = {
  perReport: { restricted: 0.5, high: 1, moderate: 2, low: 4 },
  perDay: 8,
  perWeek: 24,
  lifetime: 200,
};

export type CapsInput = Partial<Omit<Caps, 'perReport'>> & { perReport?: Partial<Record<Tier, number>> };

export function resolveCaps(input: CapsInput = {}): Caps {
  const caps: Caps = {
    perReport: { ...DEFAULT_CAPS.perReport, ...input.perReport },
    perDay: input.perDay ?? DEFAULT_CAPS.perDay,
    perWeek: input.perWeek ?? DEFAULT_CAPS.perWeek,
    lifetime: input.lifetime ?? DEFAULT_CAPS.lifetime,
  };
  const check = (value: number, path: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new PrivacyError('PARAMETER_INVALID', 'configuration', `caps.${path}: must be a positive finite number, got ${String(value)}`, { path: `caps.${path}` });
    }
  };
  for (const [tier, value] of Object.entries(caps.perReport)) check(value, `perReport.${tier}`);
  check(caps.perDay, 'perDay');
  check(caps.perWeek, 'perWeek');
  check(caps.lifetime, 'lifetime');
  return caps;
}

/**
 * Refuses a campaign any of whose questions asks for more than its tier's cap. `epsilonOf` gives the
 * ε the device will actually charge per report (the mechanism's implemented ε).
 */
export function checkCampaignAgainstCaps(campaign: Campaign, caps: Caps, epsilonOf: (questionId: string) => number): void {
  campaign.questions.forEach((question, i) => {
    const cap = caps.perReport[question.tier];
    const asked = Math.max(question.epsilon, epsilonOf(question.id));
    if (asked > cap) {
      const path = `questions.${i}.epsilon`;
      throw new PrivacyError('TIER_CAP_EXCEEDED', 'accounting', `${path}: question ${question.id} (tier ${question.tier}) asks for ε = ${asked}, above this app's cap of ${cap}`, { path });
    }
  });
}
