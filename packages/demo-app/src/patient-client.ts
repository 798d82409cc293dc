/**
 * The patient view's privacy engine: @practical-privacy/sdk's client (Web Worker, IndexedDB
 * ledger and outbox, permanent responses derived from the device key, delivery with retries).
 * The campaign is fetched from the collector, as a patient portal would, and checked against this
 * app's caps.
 */
import { createClient, DEFAULT_CAPS, type Client } from '@practical-privacy/sdk';
import { campaign } from './campaign.ts';
import { collectorUrl, ingestKey } from './config.ts';

export type PatientClient = Client;

/**
 * The app's caps are the SDK defaults (packages/sdk/src/caps.ts): ε₁ per report restricted 0.5,
 * high 1, moderate 2, low 4; ε∞ of a two-level question restricted 1, high 2, moderate 4, low 8;
 * 12 per day, 40 per week, 100 for the campaign's lifetime. Every question of the check-in is
 * two-level, charged ε∞ on each of its first D reports and nothing after: the check-in costs 9 on
 * the first day, 9 on the second, 4 on the third (the two questions with D = 3) and nothing from
 * the fourth — 22 in all (README, "What the check-in costs", measured through the SDK). A second
 * check-in the same day is refused question by question with ALREADY_REPORTED (the SDK sends each
 * question once per UTC day, its campaign period); the patient view does not offer one (it shows
 * the day's check-in as done, also after opt-out and opt-in: src/checkin-day.ts).
 */
export const APP_CAPS = DEFAULT_CAPS;

/** The tier of every question, as this app ships it (campaign/daily-checkin.json). */
export const APP_TIERS = Object.fromEntries(campaign.questions.map((q) => [q.id, q.tier]));

export function createPatientClient(): Promise<PatientClient> {
  return createClient({
    collectorUrl,
    campaignId: campaign.id,
    ingestKey,
    caps: APP_CAPS,
    // The app pins each question's tier from its own copy of the campaign, so a collector that
    // relabels a question (say the high-tier mood question as low) is refused, not obeyed.
    tiers: APP_TIERS,
    // The demo shows the round trip; a portal would keep the SDK's default schedule.
    flushIntervalMs: 2_000,
  });
}
