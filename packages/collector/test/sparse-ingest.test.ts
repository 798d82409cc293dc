/**
 * Issue 16: a RAPPOR question's report used to be added into a dense vector of all the question's
 * m·(k + 1) + 1 cells and scanned (ingest.ts) — 16,781,313 doubles, 128 MiB, for k = m = 4096,
 * which the schema accepted. Now a report costs the cells it touches (core's sparseContribution):
 * checked on the largest RAPPOR question the schema still accepts (k = 4096, m = 31: 127,008
 * cells, of which a report with every bit set touches 4,098), by the typed arrays ingest
 * allocates and by the heap its contributions hold.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CampaignCache, parseCampaign } from '../src/campaigns/model.ts';
import { ingestBatch } from '../src/ingest.ts';
import type { ReportContribution, Repository } from '../src/storage/repository.ts';
import { TODAY, reportId } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const K = 4096;
const M = 31;
const CAMPAIGN = {
  id: 'wide',
  version: 1,
  title: 'Widest RAPPOR',
  questions: [{ id: 'word', prompt: 'Word?', tier: 'low', epsilon: 5, type: 'string', domain: { candidates: ['a', 'b'], rappor: { k: K, h: 2, m: M, f: 0.5, p: 0.5, q: 0.75 } } }],
};
const ALL_BITS = 'f'.repeat(K / 4);

async function ingest(reports: number): Promise<ReportContribution[]> {
  const model = parseCampaign(CAMPAIGN);
  const stored: ReportContribution[] = [];
  const repository = {
    getCampaign: async () => ({ id: model.id, version: model.version, document: model.document, ingestKey: undefined, publishedAt: '2026-01-01T00:00:00Z' }),
    ingestPolicy: async () => ({ closedAt: null, keyRequired: false, activeKeys: [] }),
    ingest: async (_c: string, _v: number, contributions: ReportContribution[]) => {
      stored.push(...contributions);
      return { accepted: contributions.length, duplicates: 0 };
    },
  } as unknown as Repository;
  const body = { campaignId: 'wide', campaignVersion: 1, reports: Array.from({ length: reports }, (_, i) => ({ id: reportId(), questionId: 'word', day: TODAY, payload: ALL_BITS, cohort: i % M })) };
  await ingestBatch(body, undefined, repository, new CampaignCache(), { reportWindowDays: 30, maxBatchReports: 1000, keepRawReports: false });
  return stored;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ingest memory per report: the cells it touches (k = 4096, m = 31 RAPPOR)', () => {
  it('allocates no Float64Array longer than the 4,098 cells a report touches (was one of all 127,008 cells per report)', async () => {
    const model = parseCampaign(CAMPAIGN);
    expect(model.questions.get('word')!.mechanism.sumsLength).toBe(M * (K + 1) + 1);
    let longest = 0;
    const Native = Float64Array;
    class Tracked extends Native {
      constructor(...args: ConstructorParameters<Float64ArrayConstructor>) {
        super(...(args as unknown as [number]));
        longest = Math.max(longest, this.length);
      }
    }
    vi.stubGlobal('Float64Array', Tracked);
    const stored = await ingest(3);
    vi.unstubAllGlobals();
    expect(stored).toHaveLength(3);
    expect(longest).toBeGreaterThan(0); // the tracking saw ingest's arrays
    expect(longest).toBeLessThanOrEqual(K + 2);
  });

  it('500 reports with every bit set hold ≤ 64 KiB of heap each (4,098 cells at 12 bytes); each names its cohort’s cells only', async () => {
    await ingest(1); // warm up: compiled code and the campaign cache are not per-report memory
    gc();
    const before = process.memoryUsage();
    const stored = await ingest(500);
    gc();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown / 500).toBeLessThan(64 * 1024);
    for (const [i, contribution] of stored.entries()) {
      const cells = [...contribution.sums];
      expect(cells).toHaveLength(K + 2);
      const cohort = (1 + (cells[1]![0] - 1) / (K + 1)) - 1;
      expect(Number.isInteger(cohort) && cohort >= 0 && cohort < M).toBe(true);
      if (i < 3) expect(cells.every(([index], j) => j === 0 ? index === 0 : index === 1 + cohort * (K + 1) + (j - 1))).toBe(true);
    }
  });
});
