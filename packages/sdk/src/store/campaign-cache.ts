/**
 * The last validated FETCHED campaign, kept for starts when the collector cannot be reached
 * (issue 15 §3). One `meta` row per campaign id, `campaign|<id>` → `{ version, digest, json }`:
 * the campaign as the collector published it — the same for every patient of the campaign, so
 * nothing in it depends on a patient or an answer.
 *
 * It is a copy of server data, never a decision: at every start that uses it, worker/campaign.ts
 * runs it through the same validation, id check, tier pins and caps as a fetched campaign, with
 * the app's caps and pins AS THEY ARE NOW. So a campaign accepted under laxer caps or pins is
 * refused once the app tightens them, and the ledger (keyed by campaign id) charges its reports as
 * any other. It is written only while the patient consents (nothing is stored before opt-in) and
 * goes with the database at opt-out. `digest` (SHA-256 of `json`, the hash the campaign's pinning
 * uses, worker/campaign.ts) makes a torn or hand-edited row count as no cache; it is not a
 * security boundary — code in the origin can rewrite both, and gains nothing the checks allow.
 */
import { PrivacyError, type Campaign } from '@practical-privacy/core';
import { framed, subtle, toHex } from '../worker/secret.ts';
import type { SdkDatabase } from './db.ts';

interface CachedCampaign {
  version: number;
  digest: string;
  json: string;
}

const keyOf = (campaignId: string) => `campaign|${campaignId}`;
const digestOf = async (json: string) => toHex(new Uint8Array(await subtle().digest('SHA-256', framed([json]))));

export async function cacheCampaign(db: SdkDatabase, campaign: Campaign): Promise<void> {
  const json = JSON.stringify(campaign);
  const row: CachedCampaign = { version: campaign.version, digest: await digestOf(json), json };
  await db.put('meta', row, keyOf(campaign.id));
}

/** The cached campaign of this id (unvalidated: the caller checks it like a fetched one), or undefined. */
export async function cachedCampaign(db: SdkDatabase | undefined, campaignId: string): Promise<unknown> {
  const row = (await db?.get('meta', keyOf(campaignId))) as CachedCampaign | undefined;
  if (typeof row?.json !== 'string' || row.digest !== (await digestOf(row.json))) return undefined;
  const campaign = JSON.parse(row.json) as { version?: unknown };
  return campaign.version === row.version ? campaign : undefined;
}

/**
 * The collector closed the campaign: its cached copy and every queued report of it (any version)
 * go, and `closed|<id>` → true is recorded, in one transaction. Answers how many reports were
 * dropped. The record stops a campaign defined in code at later starts too (isClosed); a fetched
 * one is decided by what the collector answers at each start.
 */
export async function forgetCampaign(db: SdkDatabase | undefined, campaignId: string): Promise<number> {
  if (db === undefined) return 0;
  const tx = db.transaction(['meta', 'outbox'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const rows = (await outbox.getAll()).filter((row) => row.campaignId === campaignId);
  const meta = tx.objectStore('meta');
  await Promise.all([meta.delete(keyOf(campaignId)), meta.put(true, `closed|${campaignId}`), ...rows.map((row) => outbox.delete(row.id)), tx.done]);
  return rows.length;
}

/** The collector's answer that a campaign is closed: HTTP 409 or 410 with `{ error: { code: 'CAMPAIGN_CLOSED' } }` (either status, decided by the code). */
export function isCampaignClosed(status: number, body: unknown): boolean {
  return (status === 409 || status === 410) && (body as { error?: { code?: unknown } } | undefined)?.error?.code === 'CAMPAIGN_CLOSED';
}

export const campaignClosed = (campaignId: string) => new PrivacyError('CAMPAIGN_CLOSED', 'configuration', `campaign ${campaignId} is closed: nothing more is reported for it`);

/** Whether the collector closed this campaign earlier (see forgetCampaign). */
export const isClosed = async (db: SdkDatabase | undefined, campaignId: string) => (await db?.get('meta', `closed|${campaignId}`)) === true;
