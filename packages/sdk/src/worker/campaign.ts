/**
 * The campaign a worker runs: defined in code or fetched, validated (core's schema and mechanism
 * checks), held to the app's tiers and caps on both levels (caps.ts), and each question's charge
 * rule (charges.ts). Nothing here touches storage.
 */
import { PrivacyError, createCampaignRandomizers, isTwoLevel, validateCampaign, type AnyRandomizer, type Campaign } from '@practical-privacy/core';
import { checkCampaignAgainstCaps, effectiveTiers, type Caps } from '../caps.ts';
import { chargeRule, type ChargeRule } from './charges.ts';
import type { WorkerConfig } from './types.ts';

export interface LoadedCampaign {
  campaign: Campaign;
  mechanisms: Map<string, AnyRandomizer>;
  rules: Map<string, ChargeRule>;
}

/** ε∞ of a mechanism that has one (two-level, RAPPOR); ε₁ otherwise. */
export function permanentOf(mechanism: AnyRandomizer): number {
  return 'permanentEpsilon' in mechanism ? (mechanism as { permanentEpsilon: number }).permanentEpsilon : mechanism.implementedEpsilon;
}

export async function loadCampaign(config: WorkerConfig, caps: Caps, doFetch: typeof fetch): Promise<LoadedCampaign> {
  const raw = config.campaign ?? (await fetchCampaign(config, doFetch));
  const campaign = validateCampaign(raw);
  const mechanisms = createCampaignRandomizers(campaign);
  const tiers = effectiveTiers(campaign, { tiers: config.tiers, trustServerTiers: config.trustServerTiers, definedInCode: config.campaign !== undefined });
  checkCampaignAgainstCaps(
    campaign,
    caps,
    (id) => tiers.get(id)!,
    (id) => mechanisms.get(id)!.implementedEpsilon,
    (id) => {
      const m = mechanisms.get(id)!;
      return isTwoLevel(m) || m.name === 'rappor' ? permanentOf(m) : undefined;
    },
  );
  const rules = new Map([...mechanisms].map(([id, m]) => [id, chargeRule(m)]));
  return { campaign, mechanisms, rules };
}

async function fetchCampaign(config: WorkerConfig, doFetch: typeof fetch): Promise<unknown> {
  if (config.campaignId === undefined && config.campaignUrl === undefined) throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'campaign or campaignId: one is required', { path: 'campaign' });
  const url = config.campaignUrl ?? `${config.collectorUrl.replace(/\/$/, '')}/v1/campaigns/${encodeURIComponent(config.campaignId!)}`;
  const response = await doFetch(url, { credentials: 'omit' });
  if (!response.ok) throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `fetching the campaign from ${url} failed: HTTP ${response.status}`);
  const body = (await response.json()) as { campaign?: unknown };
  return body !== null && typeof body === 'object' && 'campaign' in body && !('questions' in body) ? body.campaign : body;
}
