/**
 * `versions=merge` (issue 16 §4, src/merge-versions.ts) on both stores: day cells of an unchanged
 * question summed over every version that has it; 409 VERSIONS_DIFFER when a version differs; and
 * a reader who holds every per-version release and every merged release, and subtracts, recovers
 * no part that a per-version release withheld (minimum batch).
 */
import { createQuestionRandomizer, RandomSampler, seededRandomSource, validateCampaign, addDays, type Question } from '@practical-privacy/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { run } from '../src/cli/program.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import { ADMIN, READ, TODAY, makeApp, post, publish, reportId } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';

const options = (codes: string[], suffix = '') => codes.map((code) => ({ code, label: `${code}${suffix}` }));
const V1 = {
  id: 'clinic',
  version: 1,
  title: 'Clinic check',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Fever today?', epsilon: 1, minBatch: 5, tier: 'high' },
    { id: 'pain', type: 'categorical', prompt: 'Pain?', domain: { categories: options(['none', 'mild', 'bad']) }, mechanism: 'grr', epsilon: 2, minBatch: 5, tier: 'moderate' },
    { id: 'mood', type: 'boolean', prompt: 'Low mood?', tier: 'high', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5], minBatch: 5 },
  ],
};
/** Same definitions, other display text, and a question more: mergeable. */
const V2 = {
  ...V1,
  version: 2,
  questions: [
    { ...V1.questions[0], prompt: 'Did you have a fever today?', label: 'Fever', tier: 'moderate' },
    { ...V1.questions[1], domain: { categories: options(['none', 'mild', 'bad'], ' (reworded)') } },
    V1.questions[2],
    { id: 'cough', type: 'boolean', prompt: 'Cough?', epsilon: 1, minBatch: 5, tier: 'high' },
  ],
};
/** fever's ε changes (not mergeable); pain and mood stay the same. */
const V3 = { ...V2, version: 3, questions: [{ ...V2.questions[0], epsilon: 2 }, ...V2.questions.slice(1)] };

const D = [0, 1, 2, 3, 4].map((k) => addDays(TODAY, -k)) as [string, string, string, string, string];

interface Cell {
  period: string;
  n: number;
  suppressed: boolean;
  values?: Array<{ value: string; unbiased: number }>;
  withheld?: { days: number; reports: number };
}
interface Release {
  version: number;
  versions?: number[];
  cells: Cell[];
}

const STORES = [
  { store: 'SQLite', enabled: true, repository: () => new SqliteRepository(':memory:') },
  { store: 'PostgreSQL', enabled: HAVE_POSTGRES, repository: () => new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('merge') }) },
];

for (const { store, enabled, repository } of STORES) {
  describe.skipIf(!enabled)(`versions=merge on ${store}`, () => {
    let app: CollectorApp;
    beforeEach(async () => {
      app = await makeApp({}, { repository: repository() });
    });
    afterEach(async () => app.close());

    const read = async (path: string) => app.inject({ url: path, headers: { authorization: `Bearer ${READ}` } });
    const release = async (query: string): Promise<Release> => {
      const response = await read(`/v1/campaigns/clinic/estimates?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as Release;
    };
    const cellOf = (r: Release, day: string) => r.cells.find((c) => c.period === day)!;
    /** `count` fever reports (payload bits alternating from `first`) to `version` on `day`. */
    async function fever(version: number, day: string, count: number, first = 1, campaign = 'clinic') {
      const reports = Array.from({ length: count }, (_, i) => ({ id: reportId(), questionId: 'fever', day, payload: (first + i) % 2 }));
      expect((await post(app, { campaignId: campaign, campaignVersion: version, reports })).statusCode).toBe(202);
    }

    it('sums an unchanged question over every version that has it, as one campaign holding all the reports would', async () => {
      for (const doc of [V1, V2]) expect(await publish(app, doc)).toBe(201);
      expect(await publish(app, { ...V1, id: 'twin' })).toBe(201);
      // Day 0: 7 + 9 reports; day 1: 6 + 5. Every part is released on its own (minBatch 5).
      for (const [version, day, count, first] of [[1, D[0], 7, 1], [2, D[0], 9, 0], [1, D[1], 6, 1], [2, D[1], 5, 1]] as const) {
        await fever(version, day, count, first);
        await fever(1, day, count, first, 'twin');
      }
      const merged = await release('question=fever&bucket=day&versions=merge');
      expect(merged.versions).toEqual([1, 2]);
      expect(merged.version).toBe(2);
      const twinResponse = await read('/v1/campaigns/twin/estimates?question=fever&bucket=day');
      const twin = twinResponse.json() as Release;
      expect(merged.cells.map((c) => [c.period, c.n])).toEqual([[D[1], 11], [D[0], 16]]);
      expect(merged.cells.map((c) => c.values)).toEqual(twin.cells.map((c) => c.values));
      const total = await release('question=fever&versions=merge');
      expect(total.cells[0]!.n).toBe(27);
      // One version alone is unchanged.
      expect((await release('question=fever&bucket=day&version=1')).cells.map((c) => c.n)).toEqual([6, 7]);
      // CSV export: the version column names the merged versions; the rows are those of the release.
      const csv = await read('/v1/campaigns/clinic/export?question=fever&bucket=day&versions=merge');
      expect(csv.statusCode).toBe(200);
      const rows = csv.body.trim().split('\n').slice(1).map((line) => line.split(','));
      expect(rows.map((r) => [r[1], r[3], r[5]])).toEqual([['1+2', D[1], '11'], ['1+2', D[1], '11'], ['1+2', D[0], '16'], ['1+2', D[0], '16']]);
      // A question only in version 2 merges over version 2 alone.
      expect((await release('question=cough&versions=merge')).versions).toEqual([2]);
      // The audit log says which versions a merged read covered.
      const audit = (await app.inject({ url: '/v1/admin/audit?action=read.estimates', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: Array<{ detail: { versions?: number[] } }> };
      expect(audit.entries.some((e) => JSON.stringify(e.detail.versions) === '[1,2]')).toBe(true);
    });

    it('a merged release carries no integrity signal of a per-version histogram and refuses defence; the levels weighting rule holds merged', async () => {
      for (const doc of [V1, V2]) expect(await publish(app, doc)).toBe(201);
      await fever(1, D[0], 3);
      await fever(2, D[0], 3);
      const merged = (await release('question=fever&bucket=day&versions=merge')) as Release & { cells: Array<Cell & { integrity?: { status: string; reason: string } }> };
      expect(merged.cells).toHaveLength(1);
      expect(merged.cells[0]!.integrity).toMatchObject({ status: 'not-applicable', score: null });
      expect(merged.cells[0]!.integrity!.reason).toContain('merged across versions');
      const defended = await read('/v1/campaigns/clinic/estimates?question=fever&versions=merge&defence=ldprecover');
      expect(defended.statusCode).toBe(400);
      expect(defended.json().error).toMatchObject({ code: 'REQUEST_INVALID', path: 'defence' });
      // mood's levels are patient-assigned: inverse-variance weights are refused merged as for one version.
      const weighted = await read('/v1/campaigns/clinic/estimates?question=mood&versions=merge&weighting=inverse-variance');
      expect(weighted.statusCode).toBe(400);
      expect(weighted.json().error.code).toBe('WEIGHTING_UNAVAILABLE');
    });

    it('refuses with 409 VERSIONS_DIFFER naming the first version that differs and the field', async () => {
      for (const doc of [V1, V2, V3]) expect(await publish(app, doc)).toBe(201);
      for (const path of ['estimates?question=fever&versions=merge', 'export?question=fever&versions=merge']) {
        const refused = await read(`/v1/campaigns/clinic/${path}`);
        expect(refused.statusCode).toBe(409);
        expect(refused.json().error).toMatchObject({ code: 'VERSIONS_DIFFER', path: 'versions' });
        expect(refused.json().error.message).toContain('differs in version 1 from version 3 (epsilon, resolved mechanism)');
      }
      // pain (only option labels reworded) and mood stay mergeable over all three.
      expect((await release('question=pain&versions=merge')).versions).toEqual([1, 2, 3]);
      expect((await release('question=mood&versions=merge')).versions).toEqual([1, 2, 3]);
    });

    it('rappor-counts merged: the released merged days, per cohort; params identical to each version’s', async () => {
      const symptom = { id: 'symptom', type: 'string', prompt: 'Main symptom?', domain: { candidates: ['cough', 'headache'], rappor: { k: 10, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 } }, epsilon: 2.1, minBatch: 5, tier: 'low' };
      for (const version of [1, 2]) expect(await publish(app, { id: 'strings', version, title: 'Strings', questions: [{ ...symptom, prompt: `Main symptom (v${version})?` }] })).toBe(201);
      // Day 0: 4 + 3 reports in cohort 1 (each withheld, 7 together); day 1: 6 + 2 (the 2 stay out).
      for (const [version, day, count] of [[1, D[0], 4], [2, D[0], 3], [1, D[1], 6], [2, D[1], 2]] as const) {
        const reports = Array.from({ length: count }, () => ({ id: reportId(), questionId: 'symptom', day, payload: '3ff', cohort: 1 }));
        expect((await post(app, { campaignId: 'strings', campaignVersion: version, reports })).statusCode).toBe(202);
      }
      const counts = async (query: string) => (await read(`/v1/campaigns/strings/export?question=symptom&format=rappor-counts&${query}`)).body.split('\r\n');
      // Cohort 1's row: 13 reports (7 + 6), every bit set in each.
      expect((await counts('versions=merge'))[1]).toBe(['13', ...Array.from({ length: 10 }, () => '13')].join(','));
      expect((await counts('version=1'))[1]).toBe(['6', ...Array.from({ length: 10 }, () => '6')].join(','));
      const params = async (query: string) => (await read(`/v1/campaigns/strings/export?question=symptom&format=rappor-params&${query}`)).body;
      expect(await params('versions=merge')).toBe(await params('version=1'));
    });

    it('refuses malformed requests: another value, a version beside the merge, an unknown question or campaign', async () => {
      for (const doc of [V1, V2]) expect(await publish(app, doc)).toBe(201);
      const cases: Array<[string, number, string]> = [
        ['question=fever&versions=all', 400, 'REQUEST_INVALID'],
        ['question=fever&versions=merge&versions=merge', 400, 'REQUEST_INVALID'],
        ['question=fever&versions=merge&version=1', 400, 'REQUEST_INVALID'],
        ['question=nope&versions=merge', 404, 'QUESTION_UNKNOWN'],
      ];
      for (const [query, status, code] of cases) {
        const response = await read(`/v1/campaigns/clinic/estimates?${query}`);
        expect([response.statusCode, response.json().error.code], query).toEqual([status, code]);
      }
      const unknown = await read('/v1/campaigns/nowhere/estimates?question=fever&versions=merge');
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'CAMPAIGN_UNKNOWN']);
    });

    it('a reader subtracting per-version releases from merged ones recovers no withheld part (minimum batch 5)', async () => {
      const V2b = { ...V1, version: 2 };
      const V3b = { ...V1, version: 3 };
      for (const doc of [V1, V2b, V3b]) expect(await publish(app, doc)).toBe(201);
      // Day 0: 3 + 3 (each withheld), together 6: released as one group of 6.
      // Day 1: 6 + 2: the 2 are withheld in version 2 and too few on their own: merged = version 1's 6.
      // Day 2: 3 + 3 + 10: merged = 10 released + the 6 withheld together.
      // Day 3: 3 + 20 + 1: merged = 20; the 4 withheld reports stay out.
      // Day 4: 2 + 2: withheld everywhere, merged too.
      const plan: Array<[number, string, number]> = [
        [1, D[0], 3], [2, D[0], 3],
        [1, D[1], 6], [2, D[1], 2],
        [1, D[2], 3], [2, D[2], 3], [3, D[2], 10],
        [1, D[3], 3], [2, D[3], 20], [3, D[3], 1],
        [1, D[4], 2], [2, D[4], 2],
      ];
      for (const [version, day, count] of plan) await fever(version, day, count);
      const perVersion = await Promise.all([1, 2, 3].map((v) => release(`question=fever&bucket=day&version=${v}`)));
      const merged = await release('question=fever&bucket=day&versions=merge');
      expect(merged.versions).toEqual([1, 2, 3]);
      const releasedN = (r: Release, day: string) => {
        const cell = cellOf(r, day);
        return cell === undefined || cell.suppressed ? 0 : cell.n;
      };
      // What the merged day adds beyond the parts released on their own: 0, or a group of ≥ minBatch.
      for (const day of D) {
        const extra = releasedN(merged, day) - perVersion.reduce((s, r) => s + releasedN(r, day), 0);
        expect(extra === 0 || extra >= 5, `${day}: merged reveals ${extra} withheld reports`).toBe(true);
      }
      expect(D.map((day) => releasedN(merged, day))).toEqual([6, 6, 16, 20, 0]);
      // Day 1 and day 3 merged are exactly the released part: the same values, no trace of the rest.
      expect(cellOf(merged, D[1]).values).toEqual(cellOf(perVersion[0]!, D[1]).values);
      expect(cellOf(merged, D[3]).values).toEqual(cellOf(perVersion[1]!, D[3]).values);
      expect(cellOf(merged, D[4])).toMatchObject({ suppressed: true, n: 4 });
      // Totals and weeks add released merged days only: total − Σ released days = 0, over every range.
      for (let from = 0; from < D.length; from++) {
        for (let to = from; to < D.length; to++) {
          const total = await release(`question=fever&versions=merge&from=${D[to]}&to=${D[from]}`);
          const days = D.slice(from, to + 1).reduce((s, day) => s + releasedN(merged, day), 0);
          expect(total.cells[0]!.n, `${D[to]}..${D[from]}`).toBe(days);
        }
      }
    });

    it('levels: a level part withheld in each version is added only when the versions’ parts reach the minimum batch together', async () => {
      for (const doc of [V1, { ...V1, version: 2 }]) expect(await publish(app, doc)).toBe(201);
      const question = validateCampaign(V1).questions[2] as Question;
      const rng = new RandomSampler(seededRandomSource('merge levels'));
      const send = async (version: number, day: string, level: number, count: number) => {
        const randomizer = createQuestionRandomizer(question, { level }) as unknown as { randomize(x: number, r: RandomSampler): number };
        const reports = Array.from({ length: count }, () => ({ id: reportId(), questionId: 'mood', day, payload: randomizer.randomize(rng.uint32() % 2, rng), ext: { level } }));
        expect((await post(app, { protocol: 2, campaignId: 'clinic', campaignVersion: version, reports })).statusCode).toBe(202);
      };
      // Day 0: level 2 has 10 + 10, level 0.5 has 3 + 3 (withheld in each version, 6 together).
      // Day 1: level 2 has 10 + 10, level 0.5 has 3 + 1 (4 together: still withheld).
      // Day 2: every level part withheld (level 2: 4 + 2, level 0.5: 2 + 1): together 9 reports, but
      // the level 0.5 part is 3, so only the level 2 part (6) may be added.
      const plan = [
        [1, D[0], 2, 10], [2, D[0], 2, 10], [1, D[0], 0.5, 3], [2, D[0], 0.5, 3],
        [1, D[1], 2, 10], [2, D[1], 2, 10], [1, D[1], 0.5, 3], [2, D[1], 0.5, 1],
        [1, D[2], 2, 4], [2, D[2], 2, 2], [1, D[2], 0.5, 2], [2, D[2], 0.5, 1],
      ] as const;
      for (const [version, day, level, count] of plan) await send(version, day, level, count);
      const one = await release('question=mood&bucket=day&version=1');
      expect([D[0], D[1], D[2]].map((day) => [cellOf(one, day).n, cellOf(one, day).suppressed])).toEqual([[10, false], [10, false], [0, true]]);
      const merged = await release('question=mood&bucket=day&versions=merge');
      expect([D[0], D[1], D[2]].map((day) => [cellOf(merged, day).n, cellOf(merged, day).suppressed])).toEqual([[26, false], [20, false], [6, false]]);
    });
  });
}

describe('pp-collector export --versions merge', () => {
  it('writes the merged CSV, every question of the latest version merged without --question, and refuses --version beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-merge-cli-'));
    try {
      const url = `sqlite:${join(dir, 'collector.sqlite')}`;
      const app = await makeApp({ databaseUrl: url });
      for (const doc of [V1, V2]) expect(await publish(app, doc)).toBe(201);
      for (const [version, count] of [[1, 6], [2, 7]] as const) {
        const reports = Array.from({ length: count }, (_, i) => ({ id: reportId(), questionId: 'fever', day: TODAY, payload: i % 2 }));
        expect((await post(app, { campaignId: 'clinic', campaignVersion: version, reports })).statusCode).toBe(202);
      }
      await app.close();
      const cli = async (args: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await run(args, { env: { PP_DATABASE_URL: url }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        return { code, stdout, stderr };
      };
      const one = await cli(['export', '--campaign', 'clinic', '--question', 'fever', '--versions', 'merge', '--bucket', 'day']);
      expect(one.code, one.stderr).toBe(0);
      const row = one.stdout.split('\n')[1]!.split(',');
      expect([row[0], row[1], row[2], row[3], row[5]]).toEqual(['clinic', '1+2', 'fever', TODAY, '13']);
      const all = await cli(['export', '--campaign', 'clinic', '--versions', 'merge']);
      expect(all.code, all.stderr).toBe(0);
      const versions = new Map(all.stdout.trimEnd().split('\n').slice(1).map((line) => [line.split(',')[2], line.split(',')[1]]));
      expect(Object.fromEntries(versions)).toEqual({ fever: '1+2', pain: '1+2', mood: '1+2', cough: '2' });
      const refused = await cli(['export', '--campaign', 'clinic', '--versions', 'merge', '--version', '1']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('REQUEST_INVALID: --versions merge covers every version');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
