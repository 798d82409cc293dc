/** A vitest browser command standing in for the app's backend: forwards the page's blinded requests to the issuer for one logged-in account, with the portal's secret (which never enters the page). */
import type { BrowserCommand } from 'vitest/node';
import { TOKEN_PORTAL_SECRET } from './token-e2e.ts';

export const issueTokens: BrowserCommand<[issuerUrl: string, account: string, requests: Array<{ keyId: string; request: string }>]> = async (_ctx, issuerUrl, account, requests) => {
  const response = await fetch(`${issuerUrl}/v1/token-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN_PORTAL_SECRET}` },
    body: JSON.stringify({ account, requests }),
  });
  if (!response.ok) throw new Error(`issuer answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { results: unknown[] }).results;
};
