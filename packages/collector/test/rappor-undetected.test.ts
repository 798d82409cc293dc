/**
 * RAPPOR candidates the decoding did not detect, through the HTTP API: the JSON release and the
 * CSV export say "not detectable at this n (below ≈ x%)" with the limit — no share, no SE, no
 * interval. Before, a dropped medication (and every decoy) was released as 0 with SE 0 and a 95%
 * interval of 0–0. Seeded reports through the real client path (Rappor.randomize).
 */
import { RandomSampler, Rappor, seededRandomSource } from '@practical-privacy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { formatShare } from '../src/estimates.ts';
import type { EstimateRelease, UndetectedValue } from '../src/release.ts';
import { ADMIN, READ, makeApp } from './helpers.ts';

const CANDIDATES = ['paracetamol', 'ibuprofen', 'amoxicillin', 'metformin', 'atorvastatin', 'lisinopril', 'amlodipine', 'omeprazole', 'levothyroxine', 'salbutamol', 'sertraline', 'aspirin'];
const RAPPOR = { k: 32, h: 2, m: 8, f: 0.5, p: 0.5, q: 0.75 };
const CAMPAIGN = {
  id: 'rappor-undetected',
  version: 1,
  title: 'Medication',
  questions: [{ id: 'medication', type: 'string', prompt: 'Most recent medication?', tier: 'moderate', epsilon: 1.1, mechanism: 'rappor', minBatch: 20, domain: { candidates: CANDIDATES, rappor: RAPPOR } }],
} as const;
const DAY = '2026-06-01';
const N = 2_000;
// 60% paracetamol, 30% ibuprofen, 4% salbutamol (the dropped one), 6% names outside the list; amoxicillin and the rest are decoys.
const POPULATION: Array<[string, number]> = [
  ['paracetamol', 0.6],
  ['ibuprofen', 0.3],
  ['salbutamol', 0.04],
  ['other-medication-1', 0.06],
];

let app: CollectorApp;

beforeAll(async () => {
  app = await makeApp({ maxBatchReports: 1000 }, { now: () => new Date('2026-06-02T12:00:00Z') });
  const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: CAMPAIGN });
  expect(published.statusCode, published.body).toBe(201);
  const rappor = new Rappor({ ...RAPPOR, mode: 'hardened-v1', metricId: `${CAMPAIGN.id}/medication` });
  const rng = new RandomSampler(seededRandomSource('rappor-undetected reports'));
  const reports: unknown[] = [];
  POPULATION.forEach(([value, share]) => {
    for (let i = 0; i < Math.round(share * N); i++) {
      const secret = rng.bytesInto(new Uint8Array(32));
      const id = Array.from(rng.bytesInto(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      reports.push({ id, questionId: 'medication', day: DAY, ...rappor.encodeReport(rappor.randomize({ value, cohort: rng.uniformInt(RAPPOR.m), secret }, rng)) });
    }
  });
  for (let i = 0; i < reports.length; i += 1000) {
    const response = await app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json' }, payload: { campaignId: CAMPAIGN.id, campaignVersion: 1, reports: reports.slice(i, i + 1000) } });
    expect(response.statusCode, response.body).toBe(202);
  }
});

afterAll(async () => {
  await app.close();
});

async function get(path: string): Promise<{ statusCode: number; body: string }> {
  return app.inject({ url: path, headers: { authorization: `Bearer ${READ}` } });
}

/** RFC 4180 rows (quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  return rows;
}

describe('RAPPOR: a candidate the decoding did not detect', () => {
  for (const bucket of ['day', 'total'] as const) {
    it(`JSON (${bucket}): detectable false, the limit and a note; no 0 ± 0 anywhere`, async () => {
      const response = await get(`/v1/campaigns/${CAMPAIGN.id}/estimates?question=medication&bucket=${bucket}`);
      expect(response.statusCode, response.body).toBe(200);
      const release = JSON.parse(response.body) as EstimateRelease;
      const cell = release.cells[0]!;
      expect(cell.suppressed).toBe(false);
      const byName = new Map(cell.values!.map((v) => [v.value, v]));
      expect(byName.get('paracetamol')).toMatchObject({ detectable: true });
      for (const name of ['salbutamol', 'amoxicillin']) {
        const v = byName.get(name) as UndetectedValue;
        expect(v).toMatchObject({ detectable: false, unbiased: null, standardError: null, ci95: null, consistent: null, estimate: null });
        // Below ≈ x%: x is the limit, well above the 4% salbutamol had.
        expect(v.detectionLimit).toBeGreaterThan(0.04);
        expect(v.detectionLimit).toBeLessThanOrEqual(1);
        expect(v.note).toBe(`not detectable at this n (below ≈ ${formatShare(v.detectionLimit)})`);
        expect(v.note).toMatch(/^not detectable at this n \(below ≈ \d+(\.\d+)?%\)$/);
      }
      for (const v of cell.values!) {
        expect(v.ci95 === null || v.ci95[1] > v.ci95[0]).toBe(true);
        expect(v.standardError === null || v.standardError > 0).toBe(true);
      }
      expect(cell.decoding).toMatchObject({ detectionPower: 0.95, detected: expect.arrayContaining(['paracetamol']) });
      expect(cell.decoding!.dispersion).toBeGreaterThanOrEqual(1);
      expect(release.estimand.notes.join(' ')).toContain('did not detect has no estimate and no interval');
    });
  }

  it('CSV: empty estimate and interval cells, the note in `reason`, detectable and detection_limit columns', async () => {
    const json = JSON.parse((await get(`/v1/campaigns/${CAMPAIGN.id}/estimates?question=medication&bucket=total`)).body) as EstimateRelease;
    const response = await get(`/v1/campaigns/${CAMPAIGN.id}/export?question=medication&bucket=total&format=csv`);
    expect(response.statusCode, response.body).toBe(200);
    const [header, ...rows] = parseCsv(response.body);
    const column = (name: string): number => header!.indexOf(name);
    expect(header!.slice(-4)).toEqual(['detectable', 'detection_limit', 'integrity_status', 'integrity_score']);
    const row = (value: string): string[] => rows.find((r) => r[column('value')] === value)!;
    for (const name of ['salbutamol', 'amoxicillin']) {
      const r = row(name);
      const v = json.cells[0]!.values!.find((x) => x.value === name) as UndetectedValue;
      for (const empty of ['estimate', 'unbiased', 'standard_error', 'ci95_low', 'ci95_high']) expect(r[column(empty)], empty).toBe('');
      expect(r[column('suppressed')]).toBe('false');
      expect(r[column('reason')]).toBe(v.note);
      expect(r[column('detectable')]).toBe('false');
      expect(Number(r[column('detection_limit')])).toBe(v.detectionLimit);
    }
    const detected = row('paracetamol');
    expect(detected[column('detectable')]).toBe('true');
    expect(Number(detected[column('ci95_high')])).toBeGreaterThan(Number(detected[column('ci95_low')]));
    // No row of the export claims a zero-width interval.
    for (const r of rows) if (r[column('ci95_low')] !== '') expect(r[column('ci95_low')]).not.toBe(r[column('ci95_high')]);
  });

  it('OpenAPI describes the undetected value', async () => {
    const openapi = JSON.parse((await app.inject('/docs/json')).body) as { paths: Record<string, { get: { description?: string } }> };
    const description = openapi.paths['/v1/campaigns/{id}/estimates']!.get.description!;
    expect(description).toContain('detectable: false');
    expect(description).toContain('never a 0 with a 0–0 interval');
    expect(openapi.paths['/v1/campaigns/{id}/export']!.get.description).toContain('detection_limit');
  });
});
