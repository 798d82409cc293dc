import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateBatch, type WireBatch } from '@practical-privacy/core';
import { RAW, setup } from './fixtures.ts';
import { parseRetryAfter } from '../src/worker/transport.ts';
import { entryOf, prepareBatches, MAX_BATCH_BYTES, type PreparedBatch } from '../src/worker/batches.ts';
import type { OutboxRow } from '../src/store/db.ts';

const until = async (condition: () => boolean, ms = 5_000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('delivery', () => {
  it('after an offline period every queued report reaches the endpoint exactly once, as text/plain JSON', async () => {
    const { api, net, events } = await setup({ flushIntervalMs: 60_000 }, ['offline', 'offline', { status: 503 }, { status: 429, headers: { 'retry-after': '0' } }]);
    await api.optIn();
    const ids: string[] = [];
    for (const [q, a] of [['fever', true], ['symptom', RAW.categorical], ['diagnosis', RAW.string], ['pain', 2]] as const) {
      const r = await api.report(q, a);
      if (!r.ok) throw new Error(r.error.message);
      ids.push(r.value.reportId);
    }
    // The first attempt once all four are queued (not on a timer racing the reports); the retries
    // then run on the backoff timer.
    expect(await api.flush()).toMatchObject({ ok: true, value: { sent: 0, pending: 4 } });
    await until(() => net.accepted.size === ids.length);
    expect([...net.accepted].sort()).toEqual([...ids].sort());
    // The same ids on every attempt: retries carry the report ids unchanged.
    for (const request of net.requests) {
      expect(request.url).toBe('https://collector.test/v1/reports');
      expect(request.contentType).toMatch(/^text\/plain/);
      expect(request.body).not.toContain(RAW.string);
      expect(request.body).not.toContain(RAW.categorical);
      const batch = validateBatch(JSON.parse(request.body), { now: new Date('2026-11-23T10:00:00Z') });
      expect(batch.reports.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(Object.keys(batch.reports[0]!).sort()).toEqual(expect.arrayContaining(['day', 'id', 'payload', 'questionId']));
    }
    expect(events.filter((e) => (e as { type: string }).type === 'retry')).toHaveLength(4);
    await api.flush(); // joins the run that is deleting the acknowledged rows
    const flushed = await api.flush();
    expect(flushed).toMatchObject({ ok: true, value: { sent: 0 } });
    expect(net.requests).toHaveLength(5);
  });

  it('drops a batch refused with a 4xx and raises an event; the outbox is then empty', async () => {
    const { api, net, events } = await setup({}, [400]);
    await api.optIn();
    await api.report('fever', false);
    expect(await api.flush()).toMatchObject({ ok: true, value: { dropped: 1, sent: 0 } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'dropped', status: 400, reports: 1 }));
    expect(await api.flush()).toMatchObject({ ok: true, value: { dropped: 0, sent: 0 } });
    expect(net.requests).toHaveLength(1);
  });

  it('drops a batch refused with 410 (the collector\'s CAMPAIGN_CLOSED: a closed campaign takes no more reports) instead of retrying it', async () => {
    const { api, net, events } = await setup({}, [410]);
    await api.optIn();
    await api.report('fever', true);
    expect(await api.flush()).toMatchObject({ ok: true, value: { dropped: 1, sent: 0, pending: 0 } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'dropped', status: 410, reports: 1 }));
    expect(events.filter((e) => (e as { type: string }).type === 'retry')).toHaveLength(0);
    expect(net.requests).toHaveLength(1);
  });

  it('does not upload at the moment an answer is given', async () => {
    const { api, net } = await setup({ flushIntervalMs: 60_000 });
    await api.optIn();
    await api.report('fever', true);
    await new Promise((r) => setTimeout(r, 50));
    expect(net.requests).toHaveLength(0);
    api.close();
  });
});

describe('batches', () => {
  const row = (i: number, campaignVersion = 1): OutboxRow => ({
    id: i.toString(16).padStart(32, '0'),
    campaignId: 'c',
    campaignVersion,
    epsilon: 1,
    queuedAt: i,
    report: { id: i.toString(16).padStart(32, '0'), questionId: 'q', day: '2026-11-23', payload: 'f'.repeat(2000) },
  });

  it('keeps one campaign version per batch, ≤ maxReports and under 60 KB', () => {
    const rows = [...Array.from({ length: 100 }, (_, i) => row(i)), row(100, 2)];
    const batches = prepareBatches(rows, 50);
    expect(batches.reduce((n, b) => n + b.ids.length, 0)).toBe(101);
    for (const b of batches) {
      expect(b.body.length).toBeLessThan(60_000);
      expect(b.ids.length).toBeLessThanOrEqual(50);
      expect(new Set((JSON.parse(b.body) as { reports: unknown[]; campaignVersion: number }).campaignVersion === 2 ? ['v2'] : ['v1']).size).toBe(1);
    }
  });

  // The batching as committed before bodies were assembled from cached row JSON: the reference.
  function referenceBatches(rows: OutboxRow[], maxReports: number, maxBytes: number = MAX_BATCH_BYTES): PreparedBatch[] {
    const groups = new Map<string, OutboxRow[]>();
    for (const r of rows) {
      const key = `${r.campaignId}\u0000${r.campaignVersion}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const batches: PreparedBatch[] = [];
    for (const group of groups.values()) {
      let current: OutboxRow[] = [];
      let size = 0;
      const emit = () => {
        if (current.length === 0) return;
        const batch: WireBatch = { protocol: 2, campaignId: current[0]!.campaignId, campaignVersion: current[0]!.campaignVersion, reports: current.map((r) => r.report) };
        batches.push({ body: JSON.stringify(batch), ids: current.map((r) => r.id) });
        current = [];
        size = 0;
      };
      for (const r of group) {
        const bytes = new TextEncoder().encode(JSON.stringify(r.report)).length + 1;
        if (current.length >= maxReports || (current.length > 0 && size + bytes + 200 > maxBytes)) emit();
        current.push(r);
        size += bytes;
      }
      emit();
    }
    return batches;
  }

  it('builds each body as exactly JSON.stringify({protocol: 2, campaignId, campaignVersion, reports}) and splits as before (reports, 60 KB), from rows or cached entries', () => {
    const anyRow = fc.record({
      campaign: fc.constantFrom('c', 'symptômes "2026"', 'x\\y'),
      campaignVersion: fc.integer({ min: 1, max: 3 }),
      // Sizes around the 60 KB edge, multi-byte characters and characters JSON escapes.
      payload: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer({ min: 1_000, max: 30_000 }).map((n) => 'é'.repeat(n))),
      cohort: fc.option(fc.nat(63), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(anyRow, { maxLength: 40 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(MAX_BATCH_BYTES, 2_000), (specs, maxReports, maxBytes) => {
        const rows: OutboxRow[] = specs.map((x, i) => {
          const id = i.toString(16).padStart(32, '0');
          return { id, campaignId: x.campaign, campaignVersion: x.campaignVersion, epsilon: 1, queuedAt: i, report: { id, questionId: 'q', day: '2026-11-23', payload: x.payload, ...(x.cohort === undefined ? {} : { cohort: x.cohort }) } };
        });
        const expected = referenceBatches(rows, maxReports, maxBytes);
        expect(prepareBatches(rows, maxReports, maxBytes)).toEqual(expected);
        expect(prepareBatches(rows.map(entryOf), maxReports, maxBytes)).toEqual(expected);
        for (const b of prepareBatches(rows, maxReports, maxBytes)) {
          const parsed = JSON.parse(b.body) as WireBatch;
          expect(b.body).toBe(JSON.stringify({ protocol: 2, campaignId: parsed.campaignId, campaignVersion: parsed.campaignVersion, reports: parsed.reports }));
        }
      }),
      { numRuns: 200, seed: 20261125 },
    );
    // Every total size across the byte limit, one byte at a time (random sizes rarely hit it exactly).
    const sized = (i: number, n: number): OutboxRow => ({ ...row(i), report: { ...row(i).report, payload: 'y'.repeat(n) } });
    for (let n = 0; n < 900; n++) {
      const rows = [sized(0, 100), sized(1, n)];
      expect(prepareBatches(rows, 10, 1_000)).toEqual(referenceBatches(rows, 10, 1_000));
    }
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
