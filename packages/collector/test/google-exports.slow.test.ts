/**
 * Google RAPPOR analysis files, byte for byte, on a small fixed example: fixed google-py RAPPOR
 * reports (cohorts and IRR bit vectors written as wire payloads by hand) go in through the ingest
 * API; params.csv, counts.csv and map.csv come out of the export endpoint and of
 * `pp-collector export` and are compared with literal strings — header, column order, number
 * formats and Python csv.writer's "\r\n" line ends. (Slow only because the CLI runs as a process.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { READ, TODAY, batch, makeApp, post, publish } from './helpers.ts';

/**
 * k = 16, h = 2, m = 2 as in google/rappor bin/sum_bits_test.py; f, p, q not dyadic so that the
 * implemented probabilities show their number format: f′ = ⌈0.3·128⌉/128 = 39/128 = 0.3046875 (the
 * 7-bit f coin of google-py), p′ = ⌈0.3·2^32⌉/2^32, q′ = ⌊0.7·2^32⌋/2^32; ε₁ of those ≈ 2.285.
 */
const CAMPAIGN = {
  id: 'google',
  version: 1,
  title: 'Google files',
  questions: [
    {
      id: 'symptom',
      type: 'string',
      prompt: 'Main symptom?',
      tier: 'low',
      epsilon: 2.3,
      minBatch: 1,
      domain: { candidates: ['cough', 'sore throat', 'nausea, vomiting'], rappor: { k: 16, h: 2, m: 2, f: 0.3, p: 0.3, q: 0.7, mode: 'google-py' } },
    },
  ],
};

/**
 * params.csv: Python's csv.writer of ['k','h','m','p','q','f'] and [16, 2, 2, p′, q′, f′] — it
 * writes floats with repr(), the shortest round-tripping decimal, as JavaScript's String() does:
 * repr(1288490189/2**32) = 0.30000000004656613, repr(3006477107/2**32) = 0.6999999999534339.
 */
const PARAMS_CSV = 'k,h,m,p,q,f\r\n16,2,2,0.30000000004656613,0.6999999999534339,0.3046875\r\n';

/**
 * The two reports of google/rappor bin/sum_bits_test.py, both in cohort 1, given there as MSB-first
 * bit strings 0000111100001111 and 0000000000111100. Our wire payload is the hex of the same
 * integer (Σ bit_i·2^i, 4 digits for k = 16): 0x0f0f and 0x003c. sum_bits_test.py's expected
 * output ("NOTE: bit order is reversed"), verbatim: cohort 0 has no reports; cohort 1 has 2
 * reports, then the count of each bit, bit 0 first.
 */
const SUM_BITS_REPORTS = [
  { id: '00000000000000000000000000000001', payload: '0f0f', cohort: 1 },
  { id: '00000000000000000000000000000002', payload: '003c', cohort: 1 },
];
const SUM_BITS_EXPECTED = '0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\r\n2,1,1,2,2,1,1,0,0,1,1,1,1,0,0,0,0\r\n';

/**
 * Then three reports in cohort 0, counted by hand: 0xffff sets bits 0–15, 0x8001 sets bits 0 and
 * 15, 0x0000 none. Cohort 0: N = 3; bits 0 and 15 are set in 2 reports, bits 1–14 in 1.
 * Cohort 1 is unchanged.
 */
const COHORT_0_REPORTS = [
  { id: '00000000000000000000000000000003', payload: 'ffff', cohort: 0 },
  { id: '00000000000000000000000000000004', payload: '8001', cohort: 0 },
  { id: '00000000000000000000000000000005', payload: '0000', cohort: 0 },
];
const COUNTS_CSV = '3,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2\r\n2,1,1,2,2,1,1,0,0,1,1,1,1,0,0,0,0\r\n';

/**
 * map.csv, as google/rappor bin/hash_candidates.py writes it: per candidate, for cohort c = 0, 1
 * and hash i = 0, 1, the 1-based column c·k + (D[i] mod k) + 1, where D = MD5(cohort as 4-byte
 * big-endian ‖ UTF-8 candidate) (client/python/rappor.py get_bloom_bits). The digests, computed
 * with Python's hashlib (not core's MD5), first two bytes:
 *   cough             c0: d7 f5 → bits 7, 5  → 8, 6     c1: ee 1f → bits 14, 15 → 31, 32
 *   sore throat       c0: dc c5 → bits 12, 5 → 13, 6    c1: d8 30 → bits 8, 0   → 25, 17
 *   nausea, vomiting  c0: e2 3d → bits 2, 13 → 3, 14    c1: 4d a6 → bits 13, 6  → 30, 23
 * csv.writer quotes the candidate holding a comma.
 */
const MAP_CSV = 'cough,8,6,31,32\r\nsore throat,13,6,25,17\r\n"nausea, vomiting",3,14,30,23\r\n';

const here = dirname(fileURLToPath(import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'pp-google-exports-'));
const databaseUrl = `sqlite:${join(directory, 'collector.db')}`;
let app: CollectorApp;

beforeAll(async () => {
  app = await makeApp({ databaseUrl });
  expect(await publish(app, CAMPAIGN)).toBe(201);
});
afterAll(async () => {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The export endpoint's body; its bytes are checked to be exactly the UTF-8 of the returned text. */
async function exported(format: string): Promise<string> {
  const response = await app.inject({ url: `/v1/campaigns/google/export?question=symptom&format=${format}`, headers: { authorization: `Bearer ${READ}` } });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(response.rawPayload.equals(Buffer.from(response.body, 'utf8'))).toBe(true);
  return response.body;
}

/** `pp-collector export`'s stdout alone (stderr apart), as bytes. */
function cliExport(format: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const tsx = new URL(`file://${createRequire(import.meta.url).resolve('tsx')}`).href;
  const cli = join(here, '..', 'src', 'cli.ts');
  const args = ['--import', tsx, '--conditions=@practical-privacy/source', cli, 'export', '--campaign', 'google', '--question', 'symptom', '--format', format];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, PP_DATABASE_URL: databaseUrl, PP_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

const wire = (r: { id: string; payload: string; cohort: number }) => ({ ...r, questionId: 'symptom', day: TODAY });

describe('Google RAPPOR files on a fixed example', () => {
  it('counts.csv of the two bin/sum_bits_test.py reports equals its expected output', async () => {
    const response = await post(app, batch(SUM_BITS_REPORTS.map(wire), 'google'));
    expect(response.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await exported('rappor-counts')).toBe(SUM_BITS_EXPECTED);
  });

  it('params.csv, counts.csv and map.csv match literal files over HTTP (a retried report counted once)', async () => {
    const response = await post(app, batch([...COHORT_0_REPORTS, SUM_BITS_REPORTS[0]!].map(wire), 'google'));
    expect(response.json()).toEqual({ accepted: 3, duplicates: 1 });
    expect(await exported('rappor-params')).toBe(PARAMS_CSV);
    expect(await exported('rappor-counts')).toBe(COUNTS_CSV);
    expect(await exported('rappor-map')).toBe(MAP_CSV);
  });

  it('pp-collector export writes the same bytes to stdout', async () => {
    const results = await Promise.all([cliExport('rappor-params'), cliExport('rappor-counts'), cliExport('rappor-map')]);
    results.forEach((r) => expect(r.code, r.stderr).toBe(0));
    expect(results.map((r) => r.stdout.toString('utf8'))).toEqual([PARAMS_CSV, COUNTS_CSV, MAP_CSV]);
    results.forEach((r) => expect(r.stdout.equals(Buffer.from(r.stdout.toString('utf8'), 'utf8'))).toBe(true));
  });
});
