/**
 * Privacy-budget caps set by the app developer. The campaign may ask for less ε, never more: a
 * question whose ε exceeds its tier's cap is refused (TIER_CAP_EXCEEDED), so a server can never
 * raise the privacy loss of a device.
 *
 * The tier that picks the cap is the app's, not the server's: a fetched campaign's questions take
 * the tier the app pinned for them (`tiers`, by question id), and a question the app has not pinned
 * counts as `restricted`, the strictest, unless the app opts in to server-declared tiers
 * (`trustServerTiers`). Otherwise a server could relabel a `high` question `low` and buy the `low`
 * cap. A campaign that declares a laxer tier than the app pinned is refused outright: either the
 * server or the app is wrong about what the question is, and nothing is sent until they agree.
 * A campaign defined in code is the app's own, so its declared tiers count as pinned.
 */
import { PrivacyError, TIERS, type Campaign, type Tier } from '@practical-privacy/core';

export interface Caps {
  /** Most ε₁ one report of a question of this tier may reveal. */
  perReport: Record<Tier, number>;
  /**
   * Most ε∞ a two-level question of this tier may have: what ALL its reports about one answer may
   * reveal (RAPPOR's ε∞ counts too). One report is held to `perReport` (its ε₁).
   */
  perPermanent: Record<Tier, number>;
  /** Most ε per campaign in one UTC day, and in one week (Monday–Sunday, UTC). */
  perDay: number;
  perWeek: number;
  /** Most ε per campaign over the device's lifetime (until opt-out). A campaign under a new id starts a new ledger. */
  lifetime: number;
  /**
   * Most ε across every campaign on this device (until opt-out): what no campaign id can reset.
   * Default 200, twice a campaign's lifetime cap.
   */
  deviceLifetime: number;
}

/**
 * Defaults sized for a daily check-in: a two-level question costs ε∞ on each of its first D reports
 * and nothing after (worker/charges.ts), so the first days of a check-in cost the most. The demo's
 * check-in plus a restricted question costs ε = 9.0 on its first day and 30.4 over its lifetime
 * (SDK README, "A year of daily check-ins").
 */
export const DEFAULT_CAPS: Caps = {
  perReport: { restricted: 0.5, high: 1, moderate: 2, low: 4 },
  perPermanent: { restricted: 1, high: 2, moderate: 4, low: 8 },
  perDay: 12,
  perWeek: 40,
  lifetime: 100,
  deviceLifetime: 200,
};

export type CapsInput = Partial<Omit<Caps, 'perReport' | 'perPermanent'>> & { perReport?: Partial<Record<Tier, number>>; perPermanent?: Partial<Record<Tier, number>> };

export function resolveCaps(input: CapsInput = {}): Caps {
  const caps: Caps = {
    perReport: { ...DEFAULT_CAPS.perReport, ...input.perReport },
    perPermanent: { ...DEFAULT_CAPS.perPermanent, ...input.perPermanent },
    deviceLifetime: input.deviceLifetime ?? DEFAULT_CAPS.deviceLifetime,
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
  for (const [tier, value] of Object.entries(caps.perPermanent)) check(value, `perPermanent.${tier}`);
  check(caps.deviceLifetime, 'deviceLifetime');
  check(caps.perDay, 'perDay');
  check(caps.perWeek, 'perWeek');
  check(caps.lifetime, 'lifetime');
  return caps;
}

/** Which tier each question of a campaign is held to, as the app decides (see the file comment). */
export interface TierPolicy {
  /** The app's tier for each question id it knows. */
  tiers?: Record<string, Tier>;
  /** Use the tier a fetched campaign declares for questions the app has not pinned (off by default). */
  trustServerTiers?: boolean;
  /** The campaign was defined in the app's code: its declared tiers are the app's. */
  definedInCode?: boolean;
}

/** Index in TIERS: 0 is the strictest. */
const strictness = (tier: Tier): number => TIERS.indexOf(tier);

export function checkTierPins(tiers: unknown): Record<string, Tier> {
  if (tiers === undefined) return {};
  if (typeof tiers !== 'object' || tiers === null || Array.isArray(tiers)) {
    throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'tiers: must be an object mapping question ids to a tier', { path: 'tiers' });
  }
  for (const [id, tier] of Object.entries(tiers)) {
    if (!(TIERS as readonly unknown[]).includes(tier)) {
      throw new PrivacyError('PARAMETER_INVALID', 'configuration', `tiers.${id}: must be one of ${TIERS.join(', ')}, got ${String(tier)}`, { path: `tiers.${id}` });
    }
  }
  return tiers as Record<string, Tier>;
}

/**
 * The tier each question is held to. Refuses (TIER_CAP_EXCEEDED) a question whose declared tier is
 * laxer than the one the app pinned for it.
 */
export function effectiveTiers(campaign: Campaign, policy: TierPolicy): Map<string, Tier> {
  const pins = checkTierPins(policy.tiers);
  const result = new Map<string, Tier>();
  campaign.questions.forEach((question, i) => {
    const pinned = Object.hasOwn(pins, question.id) ? pins[question.id] : undefined;
    if (pinned !== undefined && strictness(question.tier) > strictness(pinned)) {
      const path = `questions.${i}.tier`;
      throw new PrivacyError('TIER_CAP_EXCEEDED', 'accounting', `${path}: question ${question.id} is declared ${question.tier}, laxer than the tier ${pinned} this app pinned for it`, { path });
    }
    const trusted = policy.definedInCode === true || policy.trustServerTiers === true;
    result.set(question.id, pinned ?? (trusted ? question.tier : 'restricted'));
  });
  return result;
}

/**
 * Refuses a campaign any of whose questions asks for more than the cap of the tier the app holds it
 * to (`tierOf`, from effectiveTiers). `epsilonOf` gives the ε the device will actually charge per
 * report (the mechanism's implemented ε).
 */
export function checkCampaignAgainstCaps(
  campaign: Campaign,
  caps: Caps,
  tierOf: (questionId: string) => Tier,
  epsilonOf: (questionId: string) => number,
  permanentEpsilonOf: (questionId: string) => number | undefined = () => undefined,
): void {
  campaign.questions.forEach((question, i) => {
    const tier = tierOf(question.id);
    const held = tier === question.tier ? `tier ${tier}` : `held to tier ${tier} by this app, declared ${question.tier}`;
    const cap = caps.perReport[tier];
    // With privacy levels, epsilonOf is the level the device will use (the highest within this cap).
    const asked = question.levels === undefined ? Math.max(question.epsilon, epsilonOf(question.id)) : epsilonOf(question.id);
    if (asked > cap) {
      const path = `questions.${i}.epsilon`;
      throw new PrivacyError('TIER_CAP_EXCEEDED', 'accounting', `${path}: question ${question.id} (${held}) asks for ε = ${asked} per report, above this app's cap of ${cap}`, { path });
    }
    const implemented = permanentEpsilonOf(question.id);
    if (question.epsilonPermanent !== undefined || implemented !== undefined) {
      const permanentCap = caps.perPermanent[tier];
      const permanent = Math.max(question.epsilonPermanent ?? 0, implemented ?? 0);
      if (permanent > permanentCap) {
        const path = question.epsilonPermanent === undefined ? `questions.${i}.domain` : `questions.${i}.epsilonPermanent`;
        throw new PrivacyError('TIER_CAP_EXCEEDED', 'accounting', `${path}: question ${question.id} (${held}) asks for ε∞ = ${permanent} over all reports of an answer, above this app's cap of ${permanentCap}`, { path });
      }
    }
  });
}
