/**
 * The collector's HTTP API as the demo uses it: the read API (estimates, read token) and the
 * ingest endpoint (for the simulator; patients go through the SDK, which has its own transport).
 * Response types are the collector's own (`@practical-privacy/collector/api`, types only: nothing of
 * the service is bundled); the demo reads them over HTTP like any dashboard would.
 */
import { collectorUrl, ingestKey, readToken } from './config.ts';

import type { Bucket, CellAmplification, CellRelease, EstimateRelease, ReleasedValue, UndetectedValue, ValueEstimate } from '@practical-privacy/collector/api';

export type { Bucket, CellRelease, EstimateRelease, ReleasedValue, UndetectedValue, ValueEstimate };
/** Central (ε, δ) after shuffling, stated by the collector for day cells only, or why it is not claimed. */
export type Amplification = CellAmplification;

export class CollectorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CollectorError';
  }
}

async function failure(response: Response): Promise<CollectorError> {
  let code = 'HTTP_ERROR';
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new CollectorError(response.status, code, message);
}

export async function fetchEstimates(campaignId: string, question: string, bucket: Bucket, signal?: AbortSignal): Promise<EstimateRelease> {
  const url = new URL(`${collectorUrl}/v1/campaigns/${encodeURIComponent(campaignId)}/estimates`);
  url.searchParams.set('question', question);
  url.searchParams.set('bucket', bucket);
  const response = await fetch(url, { headers: { authorization: `Bearer ${readToken}` }, ...(signal === undefined ? {} : { signal }) });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as EstimateRelease;
}

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
  if (!response.ok) throw await failure(response);
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
