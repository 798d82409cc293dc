/**
 * Groups queued reports into wire batches (core's BatchSchema): one campaign version per batch, at
 * most `maxReports` reports and under `maxBytes` of JSON — 60 KB keeps a batch inside the 64 KiB
 * that `fetch(…, {keepalive: true})` and `sendBeacon` allow in flight (Fetch spec, keepalive quota).
 * A body is `JSON.stringify({protocol: 2, campaignId, campaignVersion, reports})` (protocol v2,
 * docs/protocol.md), assembled from each row's serialized report, which `Entry` keeps so the
 * page-hide cache never re-serializes a row.
 */
import { CURRENT_PROTOCOL } from '@practical-privacy/core';
import type { OutboxRow } from '../store/db.ts';

export const MAX_BATCH_BYTES = 60_000;

export interface PreparedBatch {
  body: string;
  ids: string[];
}

/** A queued row with its serialized report and that JSON's UTF-8 length. */
export interface Entry {
  row: OutboxRow;
  json: string;
  bytes: number;
}

const utf8 = new TextEncoder();

export function entryOf(row: OutboxRow): Entry {
  const json = JSON.stringify(row.report);
  return { row, json, bytes: utf8.encode(json).length };
}

export function prepareBatches(rows: Array<OutboxRow | Entry>, maxReports: number, maxBytes: number = MAX_BATCH_BYTES): PreparedBatch[] {
  const groups = new Map<string, Entry[]>();
  for (const r of rows) {
    const entry = 'json' in r ? r : entryOf(r);
    const key = `${entry.row.campaignId}\u0000${entry.row.campaignVersion}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  const batches: PreparedBatch[] = [];
  for (const group of groups.values()) {
    let current: Entry[] = [];
    let size = 0;
    const emit = () => {
      if (current.length === 0) return;
      const { campaignId, campaignVersion } = current[0]!.row;
      // Exactly JSON.stringify({ protocol, campaignId, campaignVersion, reports }) (a WireBatch).
      const reports = current.map((e) => e.json).join(',');
      batches.push({ body: `{"protocol":${CURRENT_PROTOCOL},"campaignId":${JSON.stringify(campaignId)},"campaignVersion":${JSON.stringify(campaignVersion)},"reports":[${reports}]}`, ids: current.map((e) => e.row.id) });
      current = [];
      size = 0;
    };
    for (const entry of group) {
      if (current.length >= maxReports || (current.length > 0 && size + entry.bytes + 201 > maxBytes)) emit();
      current.push(entry);
      size += entry.bytes + 1;
    }
    emit();
  }
  return batches;
}
