/**
 * The JSON shapes the read API returns (GET /v1/campaigns/:id/estimates). Types only, importing
 * nothing at run time, and exported as `@practical-privacy/collector/api` so that dashboards (the
 * demo app) type the HTTP responses without loading the service.
 */
import type { ShuffleAmplification } from '@practical-privacy/core';

export type Bucket = 'day' | 'week' | 'total';

export interface ValueEstimate {
  value: string;
  /** Consistent (post-processed) estimate: non-negative, summing to 1 for exclusive answers. */
  estimate: number;
  /** Unbiased estimate before post-processing. */
  unbiased: number;
  standardError: number;
  /** 95% interval around the unbiased estimate, clipped to [0, 1]. */
  ci95: [number, number];
}

export interface CellRelease {
  /** First day of the bucket (or of the range for `total`). */
  period: string;
  n: number;
  suppressed: boolean;
  reason?: string;
  values?: ValueEstimate[];
  mean?: { estimate: number; standardError: number; ci95: [number, number] };
  /** RAPPOR: decoding against the campaign's candidates (NNLS with a background term, core's decodeRappor). */
  decoding?: { zThreshold: number; detected: string[]; unexplainedMass: number; backgroundShare: number };
  /** Central (ε, δ) after shuffling (Feldman–McMillan–Talwar 2021), or why it does not apply. */
  amplification?: ShuffleAmplification;
}

export interface EstimateRelease {
  campaign: string;
  version: number;
  question: string;
  type: string;
  mechanism: string;
  epsilon: number;
  implementedEpsilon: number;
  minBatch: number;
  bucket: Bucket;
  from: string | null;
  to: string | null;
  cells: CellRelease[];
}

