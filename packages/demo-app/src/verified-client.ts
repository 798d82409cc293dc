/**
 * The patient view's SDK client, chosen by the portal session: signed out, the open demo campaign
 * (src/patient-client.ts); signed in, its twin that requires Privacy Pass tokens
 * (campaign/verified.json: the same questions), with a token wallet (`@practical-privacy/sdk/tokens`)
 * whose tokenProvider is the portal session (src/portal.ts).
 *
 * Each demo patient has their own SDK and wallet databases on the device (a shared phone), named by
 * the account. Tokens are fetched when the patient agrees to the check-in (optIn) — never before
 * consent — all at once for today and the days the issuer publishes ahead; afterwards the wallet
 * refills by itself when it runs low (the SDK's automatic refill, started once consented).
 */
import { validateCampaign } from '@practical-privacy/core';
import { createClient } from '@practical-privacy/sdk';
import { createTokenWallet, type RefillResult, type TokenWallet } from '@practical-privacy/sdk/tokens';
import campaignDocument from '../campaign/daily-checkin.json';
import verifiedOverrides from '../campaign/verified.json';
import { collectorUrl, ingestKey } from './config.ts';
import { APP_CAPS, APP_TIERS, type PatientClient } from './patient-client.ts';
import { portalTokenProvider, signedInName } from './portal.ts';

/** The token campaign: the demo campaign's questions under another id, with `tokens` (as scripts/stack.mjs publishes it). */
export const verifiedCampaign = validateCampaign({ ...campaignDocument, ...verifiedOverrides });

export interface VerifiedSession {
  name: string;
  wallet: TokenWallet;
  /** What the last refill at opt-in did (undefined before one). */
  lastRefill(): RefillResult | undefined;
  /** Whether the patient agreed to the check-in on this phone (before that the wallet is not even opened). */
  consented(): Promise<boolean>;
}

const deviceName = (name: string) => encodeURIComponent(name.trim().toLowerCase());

async function verifiedClient(name: string): Promise<{ client: PatientClient; session: VerifiedSession }> {
  const wallet = createTokenWallet({ collectorUrl, binding: verifiedCampaign.tokens!, tokenProvider: portalTokenProvider, dbName: `pp-demo-tokens-${deviceName(name)}` });
  const client = await createClient({
    collectorUrl,
    campaignId: verifiedCampaign.id,
    ingestKey,
    caps: APP_CAPS,
    tiers: APP_TIERS,
    flushIntervalMs: 2_000,
    dbName: `pp-demo-sdk-${deviceName(name)}`,
    tokens: wallet,
  });
  let last: RefillResult | undefined;
  return {
    session: { name, wallet, lastRefill: () => last, consented: () => client.consented() },
    client: {
      ...client,
      // Fetch early: all of the issuer's published days at once, right after consent (the first check-in needs today's).
      // A failure (portal down) leaves the check-in to say TOKEN_UNAVAILABLE; the automatic refill tries again.
      optIn: async () => {
        await client.optIn();
        last = await wallet.refill(verifiedCampaign.id).catch(() => undefined);
      },
    },
  };
}

/** The client for the current session, re-chosen when the session changes (sign-in, sign-out). */
export function patientClients(openClient: () => Promise<PatientClient>) {
  let open: Promise<PatientClient> | undefined;
  let signed: { name: string; client: Promise<PatientClient>; session: Promise<VerifiedSession> } | undefined;
  const leave = () => {
    // A signed-in patient's client and wallet are closed when they sign out (or another signs in).
    void signed?.client.then((c) => c.close(), () => undefined);
    void signed?.session.then((s) => s.wallet.close(), () => undefined);
    signed = undefined;
  };
  const choose = async (): Promise<{ client: Promise<PatientClient>; session?: Promise<VerifiedSession> }> => {
    const name = await signedInName();
    if (name === undefined) {
      leave();
      return { client: (open ??= openClient()) };
    }
    if (signed?.name !== name) {
      leave();
      const made = verifiedClient(name);
      signed = { name, client: made.then((m) => m.client), session: made.then((m) => m.session) };
    }
    return signed;
  };
  return {
    get: async (): Promise<PatientClient> => (await choose()).client,
    /** The signed-in patient's session, or undefined when signed out. */
    session: async (): Promise<VerifiedSession | undefined> => (await choose()).session,
  };
}

export type PatientClients = ReturnType<typeof patientClients>;
