/**
 * The campaign a worker runs: defined in code or fetched, validated (core's schema and mechanism
 * checks), held to the app's tiers and caps on both levels (caps.ts), and each question's charge
 * rule (charges.ts). Nothing here touches storage.
 */
import { PrivacyError, createCampaignRandomizers, isTwoLevel, validateCampaign, type AnyRandomizer, type AnyTwoLevelRandomizer, type Campaign, type Question } from '@practical-privacy/core';
import { framed, subtle, toHex } from './secret.ts';
import { checkCampaignAgainstCaps, effectiveTiers, type Caps } from '../caps.ts';
import { chargeRule, type ChargeRule } from './charges.ts';
import { levelsWithin, mayUseLevels } from './privacy-level.ts';
import type { WorkerConfig } from './types.ts';
import { cachedCampaign, campaignClosed, isCampaignClosed } from '../store/campaign-cache.ts';
import type { SdkDatabase } from '../store/db.ts';

export interface LoadedCampaign {
  campaign: Campaign;
  mechanisms: Map<string, AnyRandomizer>;
  rules: Map<string, ChargeRule>;
  /** Two-level questions: what their permanent responses and their charge window are keyed by. */
  permanentKeys: Map<string, string>;
  /** Questions with privacy levels: the levels within the app's per-report cap and their randomizers (privacy-level.ts). */
  levels: Map<string, Map<number, AnyRandomizer>>;
}

/**
 * What a slot MEANS, besides the mechanism's numeric parameters: the question's type and prompt and
 * its ordered options with their labels (or candidates, or items and L, or the numeric range). Without it a server could republish a question with its options
 * reordered — same parameterKey, so the same permanent responses, but slot s now stands for another
 * answer: a patient whose answer did not change would move to a new slot, and the server would learn
 * which answers it moved, for free. With it, a relabelled question is a new key: new permanent
 * responses and a new charge in the ledger. A republished version that changes only campaign-level
 * text (title, description) or release settings (minBatch, period) keeps the key.
 */
function domainOf(question: Question): unknown {
  // What the patient is shown counts too: swapping two options' labels, or negating a yes/no
  // prompt, changes what a slot means as surely as reordering the codes.
  const shown = [question.type, question.prompt];
  switch (question.type) {
    case 'boolean':
      return shown;
    case 'numeric':
      return [...shown, question.domain.low, question.domain.high];
    case 'categorical':
      return [...shown, question.domain.categories.map((c) => [c.code, c.label])];
    case 'multiselect':
      return [...shown, question.domain.items.map((i) => [i.code, i.label]), question.domain.maxItems];
    case 'string':
      return [...shown, question.domain.candidates];
  }
}

/** parameterKey ‖ SHA-256 of the question's domain (hex), for a two-level question. */
export async function permanentKeyOf(question: Question, mechanism: AnyTwoLevelRandomizer): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', framed([JSON.stringify(domainOf(question))])));
  return `${mechanism.parameterKey}|${toHex(digest)}`;
}

/** ε∞ of a mechanism that has one (two-level, RAPPOR); ε₁ otherwise. */
function permanentOf(mechanism: AnyRandomizer): number {
  return 'permanentEpsilon' in mechanism ? (mechanism as { permanentEpsilon: number }).permanentEpsilon : mechanism.implementedEpsilon;
}

/**
 * The campaign the worker runs: the app's own (`config.campaign`), else fetched, else — only when
 * the collector cannot be reached — the last one this device validated (store/campaign-cache.ts).
 * Whichever it is, the same checks follow, against the caps and pins the app passes now.
 * `fetched`: it came from the collector just now (so it may be cached).
 */
export async function loadCampaign(config: WorkerConfig, caps: Caps, doFetch: typeof fetch, db?: SdkDatabase): Promise<LoadedCampaign & { fetched: boolean }> {
  const fetched = config.campaign === undefined ? await fetchCampaign(config, doFetch, db) : undefined;
  const campaign = validateCampaign(config.campaign ?? fetched!.raw);
  // The ledger and the permanent responses are keyed by the campaign id: a server that could rename
  // its campaign at will would start a fresh ledger and fresh permanent responses every day. A
  // fetched (or cached) campaign must carry the id the app asked for.
  if (fetched !== undefined && campaign.id !== config.campaignId) {
    throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `id: the collector served campaign ${JSON.stringify(campaign.id)} for ${JSON.stringify(config.campaignId)}; a campaign under another id would start a new ledger`, { path: 'id' });
  }
  const mechanisms = createCampaignRandomizers(campaign);
  const tiers = effectiveTiers(campaign, { tiers: config.tiers, trustServerTiers: config.trustServerTiers, definedInCode: config.campaign !== undefined });
  // Budget-aware levels: a question with levels is held to the highest level within its tier's cap
  // (only its default, when the campaign forbids the step-down or assigns levels at random).
  const levels = new Map<string, Map<number, AnyRandomizer>>();
  for (const q of campaign.questions) {
    if (q.levels === undefined) continue;
    const fitting = levelsWithin(q, caps.perReport[tiers.get(q.id)!], campaign.id);
    if (mayUseLevels(q, fitting)) levels.set(q.id, fitting);
  }
  const reportLevel = (id: string) => {
    const fitting = levels.get(id);
    return fitting === undefined ? undefined : Math.max(...fitting.keys());
  };
  checkCampaignAgainstCaps(
    campaign,
    caps,
    (id) => tiers.get(id)!,
    (id) => {
      const level = reportLevel(id);
      const question = campaign.questions.find((q) => q.id === id)!;
      // A question with levels asks for the level it will report at; with none fitting, its default.
      if (level === undefined) return Math.max(question.epsilon, mechanisms.get(id)!.implementedEpsilon);
      return Math.max(level, levels.get(id)!.get(level)!.implementedEpsilon);
    },
    (id) => {
      const m = mechanisms.get(id)!;
      return isTwoLevel(m) || m.name === 'rappor' ? permanentOf(m) : undefined;
    },
  );
  const permanentKeys = new Map<string, string>();
  for (const q of campaign.questions) {
    const m = mechanisms.get(q.id)!;
    if (isTwoLevel(m)) permanentKeys.set(q.id, await permanentKeyOf(q, m));
  }
  const rules = new Map([...mechanisms].map(([id, m]) => [id, chargeRule(m, permanentKeys.get(id))]));
  checkLifetimeBounds(campaign, rules, caps);
  return { campaign, mechanisms, rules, permanentKeys, levels, fetched: fetched?.fresh === true };
}

/**
 * A two-level question whose lifetime bound D·ε∞ alone passes the lifetime cap would be refused
 * part-way through its life (BUDGET_EXCEEDED on some later day). Refuse it up front instead, saying
 * what fits: a form with fewer permanent responses (LOLOHA: g ≤ 31) or a smaller ε∞.
 */
function checkLifetimeBounds(campaign: Campaign, rules: Map<string, ChargeRule>, caps: Caps): void {
  campaign.questions.forEach((question, i) => {
    const rule = rules.get(question.id)!;
    if (rule.kind !== 'permanent' || rule.count * rule.epsilon <= caps.lifetime * (1 + 1e-12)) return;
    const path = `questions.${i}.epsilonPermanent`;
    throw new PrivacyError(
      'TIER_CAP_EXCEEDED',
      'accounting',
      `${path}: question ${question.id} can cost up to ε = ${rule.count} × ${rule.epsilon.toFixed(3)} = ${(rule.count * rule.epsilon).toFixed(3)} over its life (${rule.count} permanent responses), above this app's lifetime cap of ${caps.lifetime}: use a form with fewer permanent responses (loloha) or a smaller epsilonPermanent`,
      { path },
    );
  });
}

/**
 * GET the campaign. The collector cannot be reached — a network error (offline, DNS, or a CORS
 * refusal: a collector that does not list the app's origin in PP_ALLOWED_ORIGINS looks the same to
 * script), no answer within `campaignTimeoutMs`, 408, 429, 5xx, or a 2xx body that is not JSON (a
 * captive portal) — falls back to the cached copy, or CAMPAIGN_UNAVAILABLE (retry later) when there
 * is none. A collector that answers closes the question: CAMPAIGN_CLOSED (409/410 with that code),
 * or CAMPAIGN_INVALID for any other refusal, with no fallback.
 */
async function fetchCampaign(config: WorkerConfig, doFetch: typeof fetch, db: SdkDatabase | undefined): Promise<{ raw: unknown; fresh: boolean }> {
  const id = config.campaignId;
  if (id === undefined) {
    if (config.campaignUrl === undefined) throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'campaign or campaignId: one is required', { path: 'campaign' });
    throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'campaignId: required with campaignUrl, so that a fetched campaign can be checked to be the one the app expects', { path: 'campaignId' });
  }
  const url = config.campaignUrl ?? `${config.collectorUrl.replace(/\/$/, '')}/v1/campaigns/${encodeURIComponent(id)}`;
  let response: Response | undefined;
  let body: unknown;
  let why = '';
  try {
    // A network that never answers (lie-fi) must not hold the start: it counts as unreachable.
    response = await doFetch(url, { credentials: 'omit', ...(AbortSignal.timeout ? { signal: AbortSignal.timeout(config.campaignTimeoutMs ?? 10_000) } : {}) });
    why = `HTTP ${response.status}`;
    body = await response.json();
  } catch (error) {
    why = response === undefined ? String(error) : `${why}, not JSON`;
  }
  const status = response?.status ?? 0;
  if (isCampaignClosed(status, body)) throw campaignClosed(id);
  if (status === 0 || status === 408 || status === 429 || status > 499 || (response!.ok && body === undefined)) {
    const raw = await cachedCampaign(db, id);
    if (raw === undefined) throw new PrivacyError('CAMPAIGN_UNAVAILABLE', 'runtime', `${url} could not be reached (${why}) and no copy is cached: offline, or the collector is down or does not allow this origin (PP_ALLOWED_ORIGINS); retry later`);
    return { raw, fresh: false };
  }
  if (!response!.ok) throw new PrivacyError('CAMPAIGN_INVALID', 'configuration', `fetching the campaign from ${url} failed: ${why}`);
  return { raw: body !== null && typeof body === 'object' && 'campaign' in body && !('questions' in body) ? body.campaign : body, fresh: true };
}
