/**
 * Estimates end to end: reports randomized with core's mechanisms from a known distribution go
 * through the HTTP ingest path and come back out of the read API.
 * - GRR: 30 daily cells × 4 values; the 95% intervals cover the truth at about the nominal rate.
 * - RAPPOR: decoding against the candidate list detects the true top candidates and no absent one;
 *   Google's analysis files have their shapes on those 20,000 reports.
 * Seeded (core's seededRandomSource), so a failure reproduces. Numeric means and multiselect
 * prevalences: estimates-coverage.slow.test.ts; Google's files byte for byte on a fixed example:
 * google-exports.slow.test.ts.
 */
import { RandomSampler, rapporOneReportEpsilon, seededRandomSource, type AnyMechanism } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { parseCampaign } from '../src/campaigns/model.ts';
import { ADMIN, READ, makeApp } from './helpers.ts';
import { binomialLowerBound } from './statistics.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const DAYS = Array.from({ length: 30 }, (_, i) => `2026-06-${String(i + 1).padStart(2, '0')}`);
const TRUTH = [0.5, 0.3, 0.15, 0.05];
const CANDIDATES = Array.from({ length: 30 }, (_, i) => `symptom-${i}`);
const RAPPOR_SHARES = new Map([
  ['symptom-0', 0.35],
  ['symptom-1', 0.25],
  ['symptom-2', 0.15],
  ['symptom-3', 0.1],
]); // the remaining 15% are strings outside the candidate list
const RAPPOR_PARAMS = { k: 32, h: 2, m: 16, f: 0.25, p: 0.25, q: 0.75 };
const RAPPOR_EPSILON = Math.ceil(rapporOneReportEpsilon(RAPPOR_PARAMS, RAPPOR_PARAMS.h) * 100) / 100;

const CAMPAIGN = {
  id: 'stats',
  version: 1,
  title: 'Statistics',
  questions: [
    { id: 'pain', type: 'categorical', prompt: 'Pain?', tier: 'moderate', mechanism: 'grr', epsilon: 1, minBatch: 20, domain: { categories: ['none', 'mild', 'moderate', 'severe'].map((code) => ({ code, label: code })) } },
    { id: 'symptom', type: 'string', prompt: 'Main symptom?', tier: 'moderate', epsilon: RAPPOR_EPSILON, minBatch: 100, domain: { candidates: CANDIDATES, rappor: { ...RAPPOR_PARAMS, mode: 'hardened-v1' } } },
  ],
};

let app: CollectorApp;
const rng = new RandomSampler(seededRandomSource('collector estimates e2e'));
const mechanisms = parseCampaign(CAMPAIGN).questions;

function hexId(): string {
  const bytes = new Uint8Array(16);
  rng.source.fill(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function draw(shares: number[]): number {
  let u = rng.uint32() / 2 ** 32;
  for (let i = 0; i < shares.length; i++) {
    u -= shares[i]!;
    if (u < 0) return i;
  }
  return shares.length - 1;
}

async function ingest(campaignId: string, reports: unknown[]): Promise<void> {
  for (let i = 0; i < reports.length; i += 1000) {
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ campaignId, campaignVersion: 1, reports: reports.slice(i, i + 1000) }) });
    expect(response.statusCode, response.body).toBe(202);
  }
}

function wire(mechanism: AnyMechanism, questionId: string, day: string, report: unknown) {
  return { id: hexId(), questionId, day, ...mechanism.encodeReport(report) };
}

async function read(url: string) {
  const response = await app.inject({ url, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response;
}

beforeAll(async () => {
  app = await makeApp({ maxBatchReports: 1000, bodyLimitBytes: 4 * 1024 * 1024 }, { now: () => NOW });
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
  expect(published.statusCode, published.body).toBe(201);
});
afterAll(async () => {
  await app.close();
});

describe('GRR daily estimates', () => {
  it('95% intervals cover the true frequencies at about the nominal rate', async () => {
    const grr = mechanisms.get('pain')!.mechanism;
    const reports = DAYS.flatMap((day) => Array.from({ length: 800 }, () => wire(grr, 'pain', day, grr.randomize(draw(TRUTH), rng))));
    await ingest('stats', reports);
    const body = (await read('/v1/campaigns/stats/estimates?question=pain&bucket=day&from=2026-06-01&to=2026-06-30')).json();
    expect(body.cells).toHaveLength(30);
    let covered = 0;
    let total = 0;
    for (const cell of body.cells) {
      expect(cell).toMatchObject({ n: 800, suppressed: false });
      const sum = cell.values.reduce((s: number, v: { estimate: number }) => s + v.estimate, 0);
      expect(sum).toBeCloseTo(1, 9);
      cell.values.forEach((v: { ci95: [number, number]; estimate: number }, i: number) => {
        total += 1;
        if (v.ci95[0] <= TRUTH[i]! && TRUTH[i]! <= v.ci95[1]) covered += 1;
        expect(v.estimate).toBeGreaterThanOrEqual(0);
      });
    }
    // 120 intervals at 95%: expect ≈ 114; Binomial(120, 0.95) is below 106 with probability < 0.1%
    // (exact: statistics.ts). The 4 intervals of a day share its reports, so the count is only
    // approximately binomial; estimates-coverage.slow.test.ts counts independent cells.
    expect(total).toBe(120);
    expect(binomialLowerBound(120, [19, 20], [1, 1000])).toBe(106);
    expect(covered).toBeGreaterThanOrEqual(106);
    const totalCell = (await read('/v1/campaigns/stats/estimates?question=pain&bucket=total')).json().cells[0];
    expect(totalCell.n).toBe(24_000);
    totalCell.values.forEach((v: { unbiased: number; standardError: number }, i: number) => expect(Math.abs(v.unbiased - TRUTH[i]!)).toBeLessThan(4 * v.standardError));
    const weeks = (await read('/v1/campaigns/stats/estimates?question=pain&bucket=week')).json().cells;
    expect(weeks.map((c: { period: string }) => c.period)).toEqual(['2026-06-01', '2026-06-08', '2026-06-15', '2026-06-22', '2026-06-29']); // ISO weeks start on Monday; 2026-06-01 is one
  });
});

describe('RAPPOR decoding and Google files', () => {
  it('detects the true top candidates and no absent one', async () => {
    const rappor = mechanisms.get('symptom')!.mechanism;
    const shares = [...RAPPOR_SHARES.values()];
    const reports = Array.from({ length: 20_000 }, (_, i) => {
      const pick = draw([...shares, 1 - shares.reduce((a, b) => a + b, 0)]);
      const value = pick < shares.length ? [...RAPPOR_SHARES.keys()][pick]! : `unlisted-${i}`;
      const secret = new Uint8Array(16);
      rng.source.fill(secret);
      return wire(rappor, 'symptom', DAYS[i % 30]!, rappor.randomize({ value, cohort: i % RAPPOR_PARAMS.m, secret }, rng));
    });
    await ingest('stats', reports);
    const cell = (await read('/v1/campaigns/stats/estimates?question=symptom')).json().cells[0];
    expect(cell.n).toBe(20_000);
    expect(cell.decoding.detected.slice(0, 3).sort()).toEqual(['symptom-0', 'symptom-1', 'symptom-2']);
    for (const name of cell.decoding.detected) expect(RAPPOR_SHARES.has(name)).toBe(true);
    for (const v of cell.values as Array<{ value: string; unbiased: number; standardError: number }>) {
      const truth = RAPPOR_SHARES.get(v.value);
      if (truth !== undefined && cell.decoding.detected.includes(v.value)) expect(Math.abs(v.unbiased - truth)).toBeLessThan(0.05);
    }
    expect(cell.decoding.unexplainedMass).toBeGreaterThan(0);
  });

  it('exports params.csv, counts.csv and map.csv with Google’s shapes', async () => {
    const params = (await read('/v1/campaigns/stats/export?question=symptom&format=rappor-params')).body;
    expect(params).toBe('k,h,m,p,q,f\r\n32,2,16,0.25,0.75,0.25\r\n');
    const counts = (await read('/v1/campaigns/stats/export?question=symptom&format=rappor-counts')).body;
    const rows = counts.split('\r\n');
    expect(rows.pop()).toBe('');
    expect(rows).toHaveLength(16);
    let n = 0;
    for (const row of rows) {
      const fields = row.split(',').map(Number);
      expect(fields).toHaveLength(33);
      n += fields[0]!;
      for (const c of fields.slice(1)) expect(c).toBeLessThanOrEqual(fields[0]!);
    }
    expect(n).toBe(20_000);
    const map = (await read('/v1/campaigns/stats/export?question=symptom&format=rappor-map')).body.split('\r\n').slice(0, -1);
    expect(map).toHaveLength(30);
    for (const row of map) {
      const [name, ...columns] = row.split(',');
      expect(CANDIDATES).toContain(name);
      expect(columns).toHaveLength(16 * 2);
      columns.forEach((col, j) => {
        const cohort = Math.floor(j / 2);
        expect(Number(col)).toBeGreaterThanOrEqual(cohort * 32 + 1);
        expect(Number(col)).toBeLessThanOrEqual(cohort * 32 + 32);
      });
    }
    const refused = await app.inject({ url: '/v1/campaigns/stats/export?question=pain&format=rappor-map', headers: { authorization: `Bearer ${READ}` } });
    expect(refused.statusCode).toBe(400);
  });
});
