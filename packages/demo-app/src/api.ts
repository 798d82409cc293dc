/**
 * The collector's HTTP API as the demo uses it: the read API (estimates, read token) and the
 * ingest endpoint (for the simulator; patients go through the SDK, which has its own transport).
 * Response types are the collector's own (`@practical-privacy/collector/api`, types only: nothing of
 * the service is bundled); the demo reads them over HTTP like any dashboard would.
 */
import { collectorError } from '@practical-privacy/dashboard';
import { collectorUrl, ingestKey } from './config.ts';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** POSTs one batch as text/plain JSON (a "simple" CORS request: no preflight), like the SDK does. */
export async function postBatch(batch: unknown, signal?: AbortSignal): Promise<IngestResult> {
  // An ingest key goes in the query string: a custom header would make the request non-simple.
  const response = await fetch(`${collectorUrl}/v1/reports?key=${encodeURIComponent(ingestKey)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(batch),
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok) throw await collectorError(response);
  return (await response.json()) as IngestResult;
}

export async function collectorReachable(): Promise<boolean> {
  try {
    const response = await fetch(`${collectorUrl}/healthz`);
    return response.ok;
  } catch {
    return false;
  }
}
