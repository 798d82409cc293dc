/**
 * The app's side of the demo's patient portal (scripts/portal.mjs, same origin): the fake login's
 * session and the `tokenProvider` the SDK's token wallet calls. The portal's server adds the
 * issuer secret and the patient's account; the page only sends blinded token requests.
 */
import type { TokenProvider } from '@practical-privacy/sdk/tokens';

/** Demo patients to pick from (any other name works too: the same name is the same patient). */
export const DEMO_PATIENTS = ['Ada Lovelace', 'Ben Okafor', 'Chen Wei'] as const;

/** The signed-in demo patient's name, or undefined (signed out, or no portal: served without `pnpm demo`). */
export async function signedInName(): Promise<string | undefined> {
  try {
    const response = await fetch('/portal/session', { credentials: 'same-origin' });
    return response.ok ? ((await response.json()) as { name: string }).name : undefined;
  } catch {
    return undefined;
  }
}

export async function signIn(name: string): Promise<string> {
  const response = await fetch('/portal/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  const body = (await response.json().catch(() => ({}))) as { name?: string; error?: { message?: string } };
  if (!response.ok || body.name === undefined) throw new Error(body.error?.message ?? `the portal answered HTTP ${response.status}`);
  return body.name;
}

export async function signOut(): Promise<void> {
  await fetch('/portal/logout', { method: 'POST', credentials: 'same-origin' });
}

/** The SDK wallet's tokenProvider: this session's portal forwards the blinded requests to the issuer. */
export const portalTokenProvider: TokenProvider = async (requests) => {
  const response = await fetch('/portal/token-requests', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
  if (!response.ok) throw new Error(`check-in passes: the portal answered HTTP ${response.status}`);
  return ((await response.json()) as { results: Awaited<ReturnType<TokenProvider>> }).results;
};
