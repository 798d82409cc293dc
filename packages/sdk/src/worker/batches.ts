/**
 * Groups queued reports into wire batches (core's BatchSchema): one campaign version per batch, at
 * most `maxReports` reports and under `maxBytes` of JSON — 60 KB keeps a batch inside the 64 KiB
 * that `fetch(…, {keepalive: true})` and `sendBeacon` allow in flight (Fetch spec, keepalive quota).
 */
import type { WireBatch } from '@practical-privacy/core';
import type { OutboxRow } from '../store/db.ts';

export const MAX_BATCH_BYTES = 60_000;

export interface PreparedBatch {
  body: string;
  ids: string[];
}

export function prepareBatches(rows: OutboxRow[], maxReports: number, maxBytes: number = MAX_BATCH_BYTES): PreparedBatch[] {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const key = `${row.campaignId}\u0000${row.campaignVersion}`;
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const batches: PreparedBatch[] = [];
  for (const group of groups.values()) {
    let current: OutboxRow[] = [];
    let size = 0;
    const emit = () => {
      if (current.length === 0) return;
      const first = current[0]!;
      const batch: WireBatch = { campaignId: first.campaignId, campaignVersion: first.campaignVersion, reports: current.map((r) => r.report) };
      batches.push({ body: JSON.stringify(batch), ids: current.map((r) => r.id) });
      current = [];
      size = 0;
    };
    for (const row of group) {
      const bytes = new TextEncoder().encode(JSON.stringify(row.report)).length + 1;
      if (current.length >= maxReports || (current.length > 0 && size + bytes + 200 > maxBytes)) emit();
      current.push(row);
      size += bytes;
    }
    emit();
  }
  return batches;
}
