/**
 * The collector's read API as the dashboard uses it. The read token is the one the person signed
 * in with (session.ts): it is never compiled into the bundle. Response types are the collector's
 * own (`@practical-privacy/collector/api`, types only).
 */
import type { Bucket, EstimateRelease } from '@practical-privacy/collector/api';
import type { Campaign } from '@practical-privacy/core';

export type { Bucket, EstimateRelease };
export type Estimand = 'population' | 'respondents';

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

/** A campaign the token may read (GET /v1/campaigns), with its published versions. */
export interface CampaignSummary {
  id: string;
  title?: string;
  versions: number[];
  status?: string;
}

export interface EstimateQuery {
  campaignId: string;
  version: number;
  question: string;
  bucket: Bucket;
  estimand: Estimand;
  from?: string;
  to?: string;
  /** Ask the collector for estimates recovered from suspected poisoning (LDPRecover). */
  defence?: 'ldprecover';
}

export class DashboardApi {
  constructor(
    readonly collectorUrl: string,
    private readonly token: string,
  ) {}

  /** The campaigns this token may read; 401 means the token is wrong or expired. */
  async listCampaigns(signal?: AbortSignal): Promise<CampaignSummary[]> {
    const body = await this.get('/v1/campaigns', signal);
    return parseCampaignList(body);
  }

  /** A published campaign document (public route: the questions, their labels and mechanisms). */
  async campaign(id: string, version: number, signal?: AbortSignal): Promise<Campaign> {
    return (await this.get(`/v1/campaigns/${encodeURIComponent(id)}?version=${version}`, signal)) as Campaign;
  }

  async estimates(query: EstimateQuery, signal?: AbortSignal): Promise<EstimateRelease> {
    const params = new URLSearchParams({ question: query.question, bucket: query.bucket, version: String(query.version), estimand: query.estimand });
    if (query.from) params.set('from', query.from);
    if (query.to) params.set('to', query.to);
    if (query.defence) params.set('defence', query.defence);
    return (await this.get(`/v1/campaigns/${encodeURIComponent(query.campaignId)}/estimates?${params}`, signal)) as EstimateRelease;
  }

  private async get(path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await fetch(`${this.collectorUrl}${path}`, { headers: { authorization: `Bearer ${this.token}` }, ...(signal === undefined ? {} : { signal }) });
    if (!response.ok) throw await collectorError(response);
    return response.json();
  }
}

/** Accepts `{ campaigns: [...] }` or a bare list; each entry needs an id and its version(s). */
export function parseCampaignList(body: unknown): CampaignSummary[] {
  const list = Array.isArray(body) ? body : (body as { campaigns?: unknown })?.campaigns;
  if (!Array.isArray(list)) throw new CollectorError(200, 'RESPONSE_INVALID', 'the collector\'s campaign list is not a list');
  return list.flatMap((entry): CampaignSummary[] => {
    const e = entry as { id?: unknown; title?: unknown; versions?: unknown; version?: unknown; latestVersion?: unknown; status?: unknown };
    if (typeof e.id !== 'string') return [];
    const rawVersions = Array.isArray(e.versions) ? e.versions.map((v) => (typeof v === 'object' && v !== null ? (v as { version?: unknown }).version : v)) : [e.latestVersion ?? e.version];
    const versions = rawVersions.filter((v): v is number => typeof v === 'number' && Number.isInteger(v)).sort((a, b) => b - a);
    if (versions.length === 0) return [];
    return [{ id: e.id, versions, ...(typeof e.title === 'string' ? { title: e.title } : {}), ...(typeof e.status === 'string' ? { status: e.status } : {}) }];
  });
}

/** The collector's error body (`{ error: { code, message } }`) as a CollectorError; the status line when it has none. */
export async function collectorError(response: Response): Promise<CollectorError> {
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
