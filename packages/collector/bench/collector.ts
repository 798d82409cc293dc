/**
 * Collector benchmark (issue #6, item 4), a step of `pnpm bench`:
 *
 * 1. HTTP ingest over loopback: autocannon (this process) posts batches of 100 fresh reports to a
 *    collector child process — SQLite (temporary file, WAL, synchronous=FULL) and PostgreSQL (a
 *    fresh schema) — and, just before, to a bare Fastify endpoint that only parses the same JSON
 *    (baseline-server.ts, also a child process), with the same bodies, connections and length.
 *    Figures: reports/s, p50/p99 batch latency, and the ratio to the baseline (target ≥ 0.5).
 *    Storage ceiling, measured right after each run: the collector's own repository `ingest` (same
 *    SQL, schema, migrations, PRAGMAs) in a loop, fed groups of the size group commit reached in
 *    that run (read from the collector's /metrics, pp_group_commit_batches), with the reports
 *    reduced to contributions beforehand — no HTTP, validation or JSON. Figure: HTTP ingest as a
 *    ratio of it (target ≥ 0.9), and the ceiling with one batch per transaction for comparison.
 *    Also: the load generator's and the collector's CPU during the load (cores), CPU per report of
 *    the collector and of the ceiling, and (SQLite) the ceiling with synchronous=OFF — a
 *    measurement only — whose difference is the commit's fsync wait, bounding what overlapping the
 *    commit with parsing and validation could give.
 * 1b. With tokens (SQLite): HTTP ingest of the campaign with `tokens` (tokens.ts), every report
 *    carrying a valid pre-minted Privacy Pass token that the collector verifies and spends, against
 *    the ceiling writing the same token_spends rows; and the collector's checkBatchTokens timed in
 *    this process (µs of CPU and wall per report). Stored = acknowledged = spends, or it fails.
 * 2. After each collector run, the reports stored in the database must equal the reports
 *    acknowledged in 202 answers (and the aggregate cells' report count must equal both); a
 *    mismatch is a correctness failure and the step exits non-zero.
 * 3. Estimate-query latency (GET /v1/campaigns/:id/estimates, read token, bucket=total and
 *    bucket=day, p50/p99 of sequential requests; target < 50 ms) and the collector's RSS (target:
 *    within ±10% of the smallest size) at 10^5, 10^6, 10^7 stored reports in SQLite and 10^5, 10^6
 *    in PostgreSQL. The database is filled without HTTP through the ingest route's own code
 *    (fill.ts). Equivalence is checked in the same run: the SQLite ingest database first receives
 *    2,000 reports over HTTP, the SQLite estimate database the same reports through the fill path;
 *    their rows and every estimate answer must be identical (a difference is a correctness failure).
 *
 * `--quick`: 5 s runs, one shared baseline, 10^4 and 10^5 stored reports in SQLite, no PostgreSQL
 * estimate series. Exits 0 when a target is missed (the verdict is in the results); non-zero only
 * on a crash or a correctness failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isQuick, median, printFigures, writeStep, type Figure } from '../../core/bench/results.ts';
import { openRepository } from '../src/storage/open.ts';
import { parsePostgresUrl, PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import type { ReportContribution, Repository } from '../src/storage/repository.ts';
import { CampaignCache, parseCampaign } from '../src/campaigns/model.ts';
import { utcDay, type BatchReport, type TokenKeyList } from '@practical-privacy/core';
import { checkBatchTokens } from '../src/privacy-pass/batch-tokens.ts';
import { TokenKeyRing } from '../src/privacy-pass/key-ring.ts';
import { contributionsOf, fill, publishCampaign } from './fill.ts';
import { TOKEN_CAMPAIGN, TOKEN_CAMPAIGN_ID, TokenBodyFactory, tokenKeys } from './tokens.ts';
import { loadRun, type LoadResult } from './load.ts';
import { closeAgent, freshConnection, request, startBaseline, startCollector, type ServerProcess } from './processes.ts';
import { ADMIN_TOKEN, BodyFactory, CAMPAIGN, CAMPAIGN_ID, CAMPAIGN_VERSION, INGEST_KEY, ORIGIN, READ_TOKEN, ReportMaker } from './workload.ts';

const CONNECTIONS = 10;
const BATCH = 100;
const RUN_SECONDS = isQuick ? 5 : 20;
const WARMUP_SECONDS = isQuick ? 1 : 2;
const SQLITE_SIZES = isQuick ? [10_000, 100_000] : [100_000, 1_000_000, 10_000_000];
const POSTGRES_SIZES = isQuick ? [] : [100_000, 1_000_000];
const QUERY_REPEATS = isQuick ? 60 : 300;
const EQUIVALENCE_REPORTS = 2_000;
/** Most reports replayed into the storage ceiling (the contributions are held in memory). */
const CEILING_MAX_REPORTS = 1_000_000;
/** The fill spreads reports over this many recent UTC days (the collector accepts 30). */
const FILL_DAYS = 28;
/** The estimate queries ask for the 32-category OUE question: the largest estimate of the campaign. */
const QUERY_QUESTION = 'area';
const POSTGRES_URL = process.env.PP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const stepStarted = performance.now();
const log = (line: string) => process.stderr.write(`  collector [${((performance.now() - stepStarted) / 1000).toFixed(1)} s]: ${line}\n`);
const count = (n: number) => n.toLocaleString('en-US');
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

const figures: Figure[] = [];
const failures: string[] = [];
const details: Record<string, unknown> = {};
const running = new Set<ServerProcess>();
const schemas: string[] = [];
const workDir = mkdtempSync(path.join(os.tmpdir(), 'pp-collector-bench-'));

async function track(server: Promise<ServerProcess>): Promise<ServerProcess> {
  const started = await server;
  running.add(started);
  return started;
}

async function stop(server: ServerProcess): Promise<void> {
  running.delete(server);
  await server.stop();
}

function sqliteUrl(name: string): string {
  return `sqlite:${path.join(workDir, `${name}.db`)}`;
}

function postgresUrl(label: string): string {
  const schema = `pp_bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  schemas.push(schema);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function postgresAvailable(): Promise<boolean> {
  const repository = new PostgresRepository({ connectionString: POSTGRES_URL, poolSize: 1 });
  try {
    await repository.ping();
    return true;
  } catch (error) {
    log(`PostgreSQL not reachable at ${POSTGRES_URL} (${(error as Error).message}); its figures are skipped`);
    return false;
  } finally {
    await repository.close();
  }
}

async function publishOverHttp(collector: ServerProcess, campaign: object = CAMPAIGN): Promise<void> {
  const answer = await request('POST', `${collector.url}/v1/campaigns`, { authorization: `Bearer ${ADMIN_TOKEN}` }, JSON.stringify({ campaign, ingestKey: INGEST_KEY }));
  if (answer.status !== 201) throw new Error(`publishing the benchmark campaign: ${answer.status} ${answer.text}`);
}

const INGEST_HEADERS = { 'content-type': 'application/json', 'x-pp-ingest-key': INGEST_KEY, origin: ORIGIN };

function estimatesPath(question: string, bucket: string): string {
  return `/v1/campaigns/${CAMPAIGN_ID}/estimates?question=${question}&bucket=${bucket}`;
}

async function getEstimate(server: ServerProcess, question: string, bucket: string): Promise<string> {
  const answer = await request('GET', `${server.url}${estimatesPath(question, bucket)}`, { authorization: `Bearer ${READ_TOKEN}` });
  if (answer.status !== 200) throw new Error(`GET estimates ${question} ${bucket}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer.text;
}

// ---------------------------------------------------------------------------------------------
// Bulk fill ≡ HTTP ingest, on a small sample: the SQLite ingest run first receives the sample over
// HTTP, the SQLite estimate database is first bulk-filled with it; rows and estimates must match.

/** 3 days, so that every (question, day) has more reports than the minimum batch and estimates are released, not withheld. */
const sample = new ReportMaker(3).reports(EQUIVALENCE_REPORTS);

interface Snapshot {
  estimates: Record<string, string>;
  rows: Record<string, unknown[]>;
}

/** Rows the reports left behind, in a canonical order, and every estimate answer (SQLite). */
async function snapshot(server: ServerProcess, databaseUrl: string): Promise<Snapshot> {
  const estimates: Record<string, string> = {};
  for (const question of CAMPAIGN.questions) {
    for (const bucket of ['total', 'day', 'week']) estimates[`${question.id} ${bucket}`] = await getEstimate(server, question.id, bucket);
  }
  const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    const rows = {
      campaigns: db.prepare('SELECT id, version, document, ingest_key FROM campaigns ORDER BY id, version').all(),
      reports: db.prepare('SELECT id, campaign_id, version, question_id, day, raw FROM reports ORDER BY id').all(),
      cells: db.prepare('SELECT campaign_id, version, question_id, day, idx, sum FROM cells ORDER BY campaign_id, version, question_id, day, idx').all(),
    };
    return { estimates, rows };
  } finally {
    db.close();
  }
}

/** Sends the sample over HTTP in batches of 100; returns the reports acknowledged. */
async function sendSample(server: ServerProcess): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < sample.length; i += BATCH) {
    const body = JSON.stringify({ campaignId: CAMPAIGN_ID, campaignVersion: CAMPAIGN_VERSION, reports: sample.slice(i, i + BATCH) });
    const answer = await request('POST', `${server.url}/v1/reports`, INGEST_HEADERS, body);
    if (answer.status !== 202) throw new Error(`equivalence sample: ${answer.status} ${answer.text}`);
    accepted += (JSON.parse(answer.text) as { accepted: number }).accepted;
  }
  return accepted;
}

let viaHttp: Snapshot | undefined;

function compareWithHttp(viaBulk: Snapshot): void {
  if (viaHttp === undefined) throw new Error('the HTTP side of the equivalence check did not run');
  const http = viaHttp;
  const differences = [
    ...Object.keys(http.estimates).filter((key) => http.estimates[key] !== viaBulk.estimates[key]).map((key) => `estimate ${key}`),
    ...Object.keys(http.rows).filter((table) => JSON.stringify(http.rows[table]) !== JSON.stringify(viaBulk.rows[table])).map((table) => `table ${table}`),
  ];
  const released = Object.values(http.estimates).filter((text) => text.includes('"estimate"')).length;
  const equal = differences.length === 0 && http.rows.reports!.length === EQUIVALENCE_REPORTS;
  figures.push({
    name: `bulk fill ≡ HTTP ingest (${count(EQUIVALENCE_REPORTS)} reports: report rows, cells, ${Object.keys(http.estimates).length} estimate answers)`,
    value: equal ? 'identical' : `different: ${differences.join(', ') || 'row count'}`,
    unit: '',
    target: 'identical',
    pass: equal,
  });
  details.equivalence = { reports: EQUIVALENCE_REPORTS, cells: http.rows.cells!.length, estimateAnswers: Object.keys(http.estimates).length, answersWithReleasedValues: released, differences };
  if (!equal) failures.push(`bulk fill and HTTP ingest of the same reports differ: ${differences.join(', ')}`);
  if (released === 0) failures.push('equivalence check: no estimate answer released a value (all withheld?), so it compared nothing');
}

// ---------------------------------------------------------------------------------------------
// 2. HTTP ingest against the bare baseline, with stored == acknowledged.

const bodies = new BodyFactory(new ReportMaker(7), 50_000);

function loadOptions(url: string) {
  return { url, headers: INGEST_HEADERS, body: () => bodies.body(BATCH), connections: CONNECTIONS, seconds: RUN_SECONDS, warmupSeconds: WARMUP_SECONDS };
}

function summary(run: LoadResult) {
  return {
    reportsPerSecond: Math.round(run.reportsPerSecond),
    p50Ms: run.p50Ms,
    p90Ms: run.p90Ms,
    p99Ms: run.p99Ms,
    requests: run.requests,
    seconds: round(run.seconds),
    errors: run.errors,
    timeouts: run.timeouts,
    refused: run.total.refused,
    ...(run.total.firstRefusal === undefined ? {} : { firstRefusal: run.total.firstRefusal }),
  };
}

async function storedCounts(databaseUrl: string, campaignId = CAMPAIGN_ID): Promise<{ stored: number; cellReports: number; spends: number }> {
  const repository: Repository = openRepository(databaseUrl);
  try {
    const stored = await repository.countReports(campaignId, CAMPAIGN_VERSION);
    let cellReports = 0;
    for (const question of CAMPAIGN.questions) {
      for (const cell of await repository.readSums({ campaignId, version: CAMPAIGN_VERSION, questionId: question.id })) {
        if (cell.index === 0) cellReports += cell.sum;
      }
    }
    return { stored, cellReports, spends: await repository.countTokenSpends() };
  } finally {
    await repository.close();
  }
}

async function runBaseline(before: string): Promise<LoadResult> {
  log(`baseline (bare Fastify JSON endpoint), ${RUN_SECONDS} s, before ${before}`);
  const server = await track(startBaseline());
  const run = await loadRun(loadOptions(server.url));
  await stop(server);
  log(`  baseline ${count(Math.round(run.reportsPerSecond))} reports/s`);
  return run;
}

/** `beforeLoad` runs against the fresh collector before the load and returns the reports it got acknowledged. */
async function ingestBenchmark(label: string, databaseUrl: string, baseline: LoadResult, baselineLabel: string, beforeLoad?: (server: ServerProcess) => Promise<number>): Promise<LoadResult> {
  log(`ingest ${label}, ${RUN_SECONDS} s`);
  const collector = await track(startCollector(databaseUrl));
  await publishOverHttp(collector);
  const ackedBefore = beforeLoad === undefined ? 0 : await beforeLoad(collector);
  const groupsBefore = await groupCommits(collector);
  const cpu = cpuMeter(collector);
  const run = await loadRun(loadOptions(collector.url));
  const shares = cpu.stop();
  const groupsAfter = await groupCommits(collector);
  await stop(collector); // graceful: every batch in flight has committed and been answered
  const { stored, cellReports } = await storedCounts(databaseUrl);
  const acked = ackedBefore + run.total.accepted;
  cpuFigures(label, shares);
  log(`  ${label} ${count(Math.round(run.reportsPerSecond))} reports/s; stored ${count(stored)}, acknowledged ${count(acked)}, cells count ${count(cellReports)}`);

  const ratio = run.reportsPerSecond / baseline.reportsPerSecond;
  figures.push(
    { name: `ingest ${label}`, value: Math.round(run.reportsPerSecond), unit: 'reports/s' },
    { name: `ingest ${label}: p50 batch latency`, value: run.p50Ms, unit: 'ms' },
    { name: `ingest ${label}: p99 batch latency`, value: run.p99Ms, unit: 'ms' },
    { name: `ingest ${label} / bare Fastify JSON endpoint (${baselineLabel})`, value: round(ratio, 3), unit: 'ratio of reports/s', target: '≥ 0.5', pass: ratio >= 0.5 },
    { name: `ingest ${label}: stored − acknowledged reports`, value: stored - acked, unit: 'reports', target: '0 (correctness)', pass: stored === acked && cellReports === stored },
    { name: `ingest ${label}: duplicates acknowledged (fresh ids)`, value: run.total.duplicates, unit: 'reports', target: '0', pass: run.total.duplicates === 0 },
  );
  details[`ingest ${label}`] = { collector: summary(run), stored, acknowledged: acked, acknowledgedBeforeLoad: ackedBefore, duplicates: run.total.duplicates, cellReports };
  if (stored !== acked) failures.push(`${label}: ${count(stored)} reports stored but ${count(acked)} acknowledged`);
  if (cellReports !== stored) failures.push(`${label}: the cells count ${count(cellReports)} reports but ${count(stored)} are stored`);
  if (run.total.accepted === 0) failures.push(`${label}: no report was acknowledged (${run.total.firstRefusal ?? 'no answer'})`);

  // The storage ceiling at the group size this run reached (warm-up included: the groups of the load alone).
  const groups = groupsAfter.groups - groupsBefore.groups;
  const batchesPerGroup = groups > 0 ? (groupsAfter.batches - groupsBefore.batches) / groups : 1;
  const reportsPerGroup = groups > 0 ? (groupsAfter.reports - groupsBefore.reports) / groups : BATCH;
  const replayed = Math.max(1, Math.round(batchesPerGroup));
  const ceilingReports = Math.min(Math.max(run.total.accepted, 20 * BATCH * replayed), CEILING_MAX_REPORTS);
  const ceiling = await storageCeiling(`${label} ceiling`, label === 'SQLite' ? sqliteUrl('ceiling') : postgresUrl('ceiling'), replayed, ceilingReports);
  const single = await storageCeiling(`${label} ceiling, 1 batch a group`, label === 'SQLite' ? sqliteUrl('ceiling-single') : postgresUrl('ceiling_single'), 1, ceilingReports);
  const ceilingRatio = run.reportsPerSecond / ceiling.reportsPerSecond;
  if (label === 'SQLite') {
    // Issue 16's overlap question: the commit's fsync blocks the collector's one thread; this is the
    // most that moving it off the thread could give back (per group: 1/ceiling − 1/no-fsync ceiling).
    const noFsync = await storageCeiling(`${label} ceiling without fsync (synchronous=OFF, measurement only)`, sqliteUrl('ceiling-nofsync'), replayed, ceilingReports, { days: 7, spends: false, noFsync: true });
    const fsyncMicros = 1e6 / ceiling.reportsPerSecond - 1e6 / noFsync.reportsPerSecond;
    const httpMicros = 1e6 / run.reportsPerSecond;
    figures.push(
      { name: `storage ceiling ${label} without the commit's fsync (synchronous=OFF: a measurement, not a setting)`, value: Math.round(noFsync.reportsPerSecond), unit: 'reports/s' },
      { name: `${label} commit fsync wait, per report (ceiling − ceiling without fsync)`, value: round(fsyncMicros, 1), unit: 'µs per report' },
      { name: `ingest ${label}: wall time per report over HTTP (1 / reports/s)`, value: round(httpMicros, 1), unit: 'µs per report' },
      { name: `ingest ${label}: bound on the ratio if the fsync overlapped everything else (1/(1/HTTP − fsync) / ceiling)`, value: round(1e6 / (httpMicros - fsyncMicros) / ceiling.reportsPerSecond, 3), unit: 'ratio of reports/s' },
    );
    details[`ingest ${label}`] = { ...(details[`ingest ${label}`] as object), storageCeilingWithoutFsync: noFsync };
  }
  if (shares.server !== undefined) {
    figures.push(
      { name: `ingest ${label}: collector CPU per report (all threads; CPU over the whole load ÷ reports acknowledged in it)`, value: round((shares.server * shares.seconds * 1e6) / run.total.accepted, 1), unit: 'µs CPU per report' },
      { name: `storage ceiling ${label}: CPU per report (this process)`, value: ceiling.cpuMicrosPerReport, unit: 'µs CPU per report' },
    );
  }
  figures.push(
    { name: `ingest ${label}: group commit, mean batches (reports) per transaction`, value: `${round(batchesPerGroup, 1)} (${Math.round(reportsPerGroup)})`, unit: 'batches (reports)' },
    { name: `storage ceiling ${label}: repository.ingest, groups of ${replayed} batches of ${BATCH}, no HTTP/validation/JSON`, value: Math.round(ceiling.reportsPerSecond), unit: 'reports/s' },
    { name: `storage ceiling ${label}: groups of 1 batch of ${BATCH}`, value: Math.round(single.reportsPerSecond), unit: 'reports/s' },
    { name: `ingest ${label} / storage ceiling (same group size, same run)`, value: round(ceilingRatio, 3), unit: 'ratio of reports/s', target: '≥ 0.9', pass: ceilingRatio >= 0.9 },
  );
  details[`ingest ${label}`] = { ...(details[`ingest ${label}`] as object), groupCommit: { groups, batchesPerGroup: round(batchesPerGroup, 2), reportsPerGroup: round(reportsPerGroup, 1) }, storageCeiling: ceiling, storageCeilingSingleBatch: single };
  return run;
}

// ---------------------------------------------------------------------------------------------
// 2b. HTTP ingest of a campaign with `tokens` (issue 17): every report carries a valid Privacy Pass
// token the collector verifies and spends; its ceiling also writes the token_spends rows.

/** Tokens minted before the timed part (≈ 0.4 ms of CPU each); the token run is sized to fit in them. */
const TOKEN_POOL = isQuick ? 30_000 : 200_000;
const TOKEN_RUN_SECONDS = isQuick ? 3 : 10;
/** Tokens verified in this process, untimed by HTTP, for the absolute verification cost per report. */
const VERIFY_SAMPLE = isQuick ? 1_000 : 5_000;

/** The collector's own checkBatchTokens on `tokens` fresh tokens, in batches of BATCH: CPU (all threads of this process) and wall time per report. */
async function verificationCost(factory: TokenBodyFactory, list: TokenKeyList, day: string): Promise<{ cpuMicros: number; wallMicros: number; refused: number }> {
  const ring = TokenKeyRing.of(list);
  const model = parseCampaign(TOKEN_CAMPAIGN);
  const questions = TOKEN_CAMPAIGN.questions.map((q) => q.id);
  const reports = questions.flatMap((questionId) => factory.take(questionId, VERIFY_SAMPLE / questions.length).map((token) => ({ questionId, day, ext: { token } }) as unknown as BatchReport));
  const now = new Date();
  await checkBatchTokens(reports.slice(0, BATCH), model, ring, now); // warm-up: key import, JIT
  const cpu = process.cpuUsage();
  const started = performance.now();
  let refused = 0;
  for (let i = 0; i < reports.length; i += BATCH) {
    for (const check of await checkBatchTokens(reports.slice(i, i + BATCH), model, ring, now)) if (!check.ok) refused += 1;
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMicros: (used.user + used.system) / reports.length, wallMicros: (wall * 1000) / reports.length, refused };
}

async function tokenIngestBenchmark(label: string, databaseUrl: string, plain: LoadResult): Promise<void> {
  const day = utcDay(new Date());
  const { list, keys } = await tokenKeys(day);
  const factory = new TokenBodyFactory(new ReportMaker(1), 50_000);
  const mintMs = factory.mint(keys, Math.ceil((TOKEN_POOL + VERIFY_SAMPLE) / keys.size));
  log(`tokens: minted ${count(TOKEN_POOL + VERIFY_SAMPLE)} (${round(mintMs / (TOKEN_POOL + VERIFY_SAMPLE), 3)} ms CPU each, untimed)`);
  const verification = await verificationCost(factory, list, day);
  if (verification.refused > 0) failures.push(`tokens: the collector's checkToken refused ${verification.refused} of ${VERIFY_SAMPLE} minted tokens`);
  log(`  verification in process: ${round(verification.cpuMicros, 1)} µs CPU, ${round(verification.wallMicros, 1)} µs wall per report`);

  log(`ingest ${label} with tokens, ≤ ${TOKEN_RUN_SECONDS} s`);
  const collector = await track(startCollector(databaseUrl, { PP_TOKEN_KEYS: JSON.stringify(list) }));
  await publishOverHttp(collector, TOKEN_CAMPAIGN);
  const groupsBefore = await groupCommits(collector);
  const cpu = cpuMeter(collector);
  const run = await loadRun({ ...loadOptions(collector.url), body: () => factory.body(BATCH), seconds: TOKEN_RUN_SECONDS, maxMeasuredRequests: () => Math.floor(factory.remaining() / BATCH) });
  const shares = cpu.stop();
  const groupsAfter = await groupCommits(collector);
  await stop(collector);
  const { stored, cellReports, spends } = await storedCounts(databaseUrl, TOKEN_CAMPAIGN_ID);
  const acked = run.total.accepted;
  const refused = Object.values(run.total.refused).reduce((a, b) => a + b, 0);
  log(`  ${label} with tokens ${count(Math.round(run.reportsPerSecond))} reports/s; stored ${count(stored)}, acknowledged ${count(acked)}, spends ${count(spends)}`);
  const correct = stored === acked && cellReports === stored && spends === stored && refused === 0;
  if (!correct) failures.push(`${label} with tokens: stored ${stored}, acknowledged ${acked}, cells ${cellReports}, spends ${spends}, refused requests ${refused} (${run.total.firstRefusal ?? ''})`);

  const groups = groupsAfter.groups - groupsBefore.groups;
  const batchesPerGroup = groups > 0 ? (groupsAfter.batches - groupsBefore.batches) / groups : 1;
  const replayed = Math.max(1, Math.round(batchesPerGroup));
  const ceilingReports = Math.min(Math.max(run.total.accepted, 20 * BATCH * replayed), CEILING_MAX_REPORTS);
  const ceiling = await storageCeiling(`${label} ceiling with token spends`, sqliteUrl('ceiling-spends'), replayed, ceilingReports, { days: 1, spends: true });
  const ratio = run.reportsPerSecond / ceiling.reportsPerSecond;
  // What a token costs over HTTP: the per-report time of this run less that of the plain run (same collector, same load).
  const httpMarginal = 1e6 / run.reportsPerSecond - 1e6 / plain.reportsPerSecond;
  figures.push(
    { name: `ingest ${label} with tokens (every report verified and spent)`, value: Math.round(run.reportsPerSecond), unit: 'reports/s' },
    { name: `ingest ${label} with tokens: p50 batch latency`, value: run.p50Ms, unit: 'ms' },
    { name: `ingest ${label} with tokens: p99 batch latency`, value: run.p99Ms, unit: 'ms' },
    { name: `ingest ${label} with tokens: stored = acknowledged = spends, nothing refused`, value: correct ? 'yes' : `no: stored ${stored}, acknowledged ${acked}, spends ${spends}, refused ${refused}`, unit: '', target: 'yes (correctness)', pass: correct },
    { name: `storage ceiling ${label} with token spends: groups of ${replayed} batches of ${BATCH}`, value: Math.round(ceiling.reportsPerSecond), unit: 'reports/s' },
    { name: `ingest ${label} with tokens / storage ceiling with token spends (same group size, same run)`, value: round(ratio, 3), unit: 'ratio of reports/s', target: '≥ 0.9', pass: ratio >= 0.9 },
    { name: 'token verification (checkToken: fields, key, context, RSA-PSS verify), in process', value: round(verification.cpuMicros, 1), unit: 'µs CPU per report' },
    { name: 'token verification, in process: wall time', value: round(verification.wallMicros, 1), unit: 'µs per report' },
    { name: `ingest ${label}: per-report time with tokens − without (HTTP runs of this step)`, value: round(httpMarginal, 1), unit: 'µs per report' },
  );
  cpuFigures(`${label} with tokens`, shares);
  details[`ingest ${label} with tokens`] = {
    collector: summary(run),
    stored,
    acknowledged: acked,
    spends,
    cellReports,
    tokensMinted: TOKEN_POOL + VERIFY_SAMPLE,
    mintCpuMsPerToken: round(mintMs / (TOKEN_POOL + VERIFY_SAMPLE), 3),
    verification: { tokens: VERIFY_SAMPLE, cpuMicrosPerReport: round(verification.cpuMicros, 2), wallMicrosPerReport: round(verification.wallMicros, 2) },
    groupCommit: { groups, batchesPerGroup: round(batchesPerGroup, 2) },
    storageCeilingWithSpends: ceiling,
  };
}

/** The collector's group-commit histograms (src/metrics.ts), from its /metrics: cumulative groups, batches and reports. */
async function groupCommits(server: ServerProcess): Promise<{ groups: number; batches: number; reports: number }> {
  const { status, text } = await request('GET', `${server.url}/metrics`);
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { groups: value('pp_group_commit_batches_count'), batches: value('pp_group_commit_batches_sum'), reports: value('pp_group_commit_reports_sum') };
}

/**
 * The storage ceiling: the collector's own repository (same SQL, schema, migrations and PRAGMAs —
 * SqliteRepository / PostgresRepository) fed `reports` fresh reports through `ingest`, `batchesPerGroup`
 * batches of BATCH submitted in one turn of the event loop so that group commit writes them in one
 * transaction, as the server's does; the next group after the previous one committed. No HTTP, no
 * validation, no JSON: the contributions are made beforehand (untimed) by the route's own ingestBatch.
 */
async function storageCeiling(
  label: string,
  databaseUrl: string,
  batchesPerGroup: number,
  reports: number,
  shape: { days: number; spends: boolean; noFsync?: boolean } = { days: 7, spends: false },
): Promise<{ reportsPerSecond: number; reports: number; batchesPerGroup: number; seconds: number; cpuCores: number; cpuMicrosPerReport: number }> {
  log(`${label}: ${count(reports)} reports, groups of ${batchesPerGroup} × ${BATCH}`);
  const repository = openRepository(databaseUrl);
  try {
    await repository.migrate();
    // Measurement only, never a configuration: what the commit's fsync costs the single thread.
    if (shape.noFsync === true) (repository as SqliteRepository).db.pragma('synchronous = OFF');
    await publishCampaign(repository);
    const maker = new ReportMaker(shape.days);
    const campaigns = new CampaignCache();
    const now = new Date();
    const batches: ReportContribution[][] = [];
    for (let done = 0; done < reports; done += BATCH) batches.push(await contributionsOf(maker.reports(BATCH), repository, campaigns, now));
    // With spends: each report also spends a token in its transaction — the token_spends row
    // (fresh 32-byte nonce, the report's day as the end of its daily period) the route attaches.
    if (shape.spends) for (const batch of batches) for (const contribution of batch) contribution.token = { nonce: randomBytes(32).toString('hex'), periodEnd: contribution.day };
    const started = performance.now();
    const cpu = process.cpuUsage();
    let accepted = 0;
    for (let i = 0; i < batches.length; i += batchesPerGroup) {
      const results = await Promise.all(batches.slice(i, i + batchesPerGroup).map((batch) => repository.ingest(CAMPAIGN_ID, CAMPAIGN_VERSION, batch)));
      for (const result of results) accepted += result.accepted;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    if (accepted !== batches.length * BATCH) failures.push(`${label}: ${count(accepted)} of ${count(batches.length * BATCH)} reports stored`);
    log(`  ${label}: ${count(Math.round(accepted / seconds))} reports/s, ${round(cpuSeconds / seconds)} cores`);
    return { reportsPerSecond: accepted / seconds, reports: accepted, batchesPerGroup, seconds: round(seconds), cpuCores: round(cpuSeconds / seconds, 3), cpuMicrosPerReport: round((cpuSeconds * 1e6) / accepted, 1) };
  } finally {
    await repository.close();
  }
}

/** CPU the load generator (this process) and the server used over a stretch of wall time, in cores (CPU seconds per second). */
function cpuMeter(server: ServerProcess): { stop(): { loadGenerator: number; server: number | undefined; seconds: number } } {
  const started = performance.now();
  const self = process.cpuUsage();
  const serverStart = server.cpuSeconds();
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(self);
      const serverEnd = server.cpuSeconds();
      return {
        loadGenerator: (used.user + used.system) / 1e6 / seconds,
        server: serverStart === undefined || serverEnd === undefined ? undefined : (serverEnd - serverStart) / seconds,
        seconds,
      };
    },
  };
}

function cpuFigures(label: string, shares: { loadGenerator: number; server: number | undefined; seconds: number }): void {
  figures.push({ name: `ingest ${label}: load generator's own CPU during the load (warm-up included)`, value: round(shares.loadGenerator, 2), unit: 'cores' });
  if (shares.server !== undefined) figures.push({ name: `ingest ${label}: collector process CPU during the load (all its threads)`, value: round(shares.server, 2), unit: 'cores' });
  details[`cpu ${label}`] = { loadGeneratorCores: round(shares.loadGenerator, 3), serverCores: shares.server === undefined ? null : round(shares.server, 3), seconds: round(shares.seconds), cpus: os.cpus().length };
}

function baselineFigure(run: LoadResult, label: string): void {
  figures.push({ name: `ingest, bare Fastify JSON endpoint (${label})`, value: Math.round(run.reportsPerSecond), unit: 'reports/s' });
  details[`baseline ${label}`] = summary(run);
}

// ---------------------------------------------------------------------------------------------
// 3. Estimate latency and RSS as the database grows.

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Memory readings taken during the timed queries (every 10th query); medians give the size's figures. */
let memorySamples: Array<{ rss: number; anon: number; file: number }> = [];

async function timeQueries(server: ServerProcess, bucket: string, expectedN: number): Promise<{ p50: number; p99: number; mean: number }> {
  const check = JSON.parse(await getEstimate(server, QUERY_QUESTION, bucket)) as { cells: Array<{ n: number }> };
  const n = check.cells.reduce((sum, cell) => sum + cell.n, 0);
  if (n !== expectedN) failures.push(`estimates ${bucket}: n = ${n}, but ${expectedN} ${QUERY_QUESTION} reports are stored`);
  for (let i = 0; i < 20; i++) await getEstimate(server, QUERY_QUESTION, bucket); // warm-up
  const times: number[] = [];
  for (let i = 0; i < QUERY_REPEATS; i++) {
    const started = performance.now();
    await getEstimate(server, QUERY_QUESTION, bucket);
    times.push(performance.now() - started);
    const memory = i % 10 === 9 ? server.memoryMiB() : undefined;
    if (memory !== undefined) memorySamples.push(memory);
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 0.5)), p99: round(percentile(times, 0.99)), mean: round(times.reduce((a, b) => a + b, 0) / times.length) };
}

function progressPrinter(label: string) {
  const started = performance.now();
  let lastPrint = started;
  return (done: number, total: number) => {
    const now = performance.now();
    if (done < total && now - lastPrint < 5000) return;
    lastPrint = now;
    const rate = done / ((now - started) / 1000);
    log(`  fill ${label}: ${count(done)} / ${count(total)} (${Math.round((100 * done) / total)}%), ${count(Math.round(rate))} reports/s`);
  };
}

/**
 * One collector process serves the whole series; the database grows under it (filled from this
 * process), and at each size the queries are timed and the process's RSS read. With
 * `bulkSample`, the database first receives the equivalence sample through the fill path.
 */
async function estimateSeries(label: string, databaseUrl: string, sizes: number[], bulkSample: boolean): Promise<void> {
  const perQuestion = new Map<string, number>();
  const addCounts = (added: Map<string, number>) => {
    for (const [question, n] of added) perQuestion.set(question, (perQuestion.get(question) ?? 0) + n);
  };
  let stored = 0;
  const setup = openRepository(databaseUrl);
  await setup.migrate();
  await publishCampaign(setup);
  if (bulkSample) {
    addCounts(await fill(setup, sample.length, { reports: sample }));
    stored = sample.length;
  }
  await setup.close();
  const collector = await track(startCollector(databaseUrl));
  if (bulkSample) compareWithHttp(await snapshot(collector, databaseUrl));

  const rows: Array<Record<string, unknown>> = [];
  let baseRss: number | undefined;
  const maker = new ReportMaker(FILL_DAYS);
  for (const size of sizes) {
    const repository = openRepository(databaseUrl);
    const started = performance.now();
    addCounts(await fill(repository, size - stored, { maker }, progressPrinter(label)));
    const fillSeconds = (performance.now() - started) / 1000;
    await repository.close();
    const filled = size - stored;
    stored = size;
    const check = await storedCounts(databaseUrl);
    if (check.stored !== size || check.cellReports !== size) failures.push(`${label} fill: ${check.stored} reports and ${check.cellReports} in cells, expected ${size}`);

    log(`estimates ${label}, ${count(size)} reports: ${QUERY_REPEATS} sequential queries per bucket`);
    freshConnection();
    const expected = perQuestion.get(QUERY_QUESTION) ?? 0;
    memorySamples = [];
    const total = await timeQueries(collector, 'total', expected);
    const day = await timeQueries(collector, 'day', expected);
    const memoryMedian = (key: 'rss' | 'anon' | 'file') => round(median(memorySamples.map((m) => m[key])), 1);
    const memory = memorySamples.length === 0 ? undefined : { rss: memoryMedian('rss'), anon: memoryMedian('anon'), file: memoryMedian('file') };
    const rss = memory?.anon;
    log(`  total p50 ${total.p50} ms p99 ${total.p99} ms; day p50 ${day.p50} ms p99 ${day.p99} ms; RSS ${memory?.rss} MiB (anonymous ${memory?.anon}, file-backed ${memory?.file})`);

    const at = `${label}, ${count(size)} reports`;
    const under50 = (value: number) => ({ target: '< 50', pass: value < 50 });
    figures.push(
      { name: `estimate query p50, ${at}, bucket=total`, value: total.p50, unit: 'ms', ...under50(total.p50) },
      { name: `estimate query p99, ${at}, bucket=total`, value: total.p99, unit: 'ms', ...under50(total.p99) },
      { name: `estimate query p50, ${at}, bucket=day (${FILL_DAYS} days)`, value: day.p50, unit: 'ms', ...under50(day.p50) },
      { name: `estimate query p99, ${at}, bucket=day (${FILL_DAYS} days)`, value: day.p99, unit: 'ms', ...under50(day.p99) },
    );
    if (rss !== undefined) {
      baseRss ??= rss;
      const deviation = rss / baseRss - 1;
      figures.push(
        size === sizes[0]
          ? { name: `collector anonymous RSS (median during queries), ${at} (reference size)`, value: round(rss, 1), unit: 'MiB' }
          : { name: `collector anonymous RSS (median during queries), ${at}`, value: round(rss, 1), unit: 'MiB', target: `within ±10% of ${round(baseRss, 1)}`, pass: Math.abs(deviation) <= 0.1 },
      );
    }
    rows.push({ size, filled, fillSeconds: round(fillSeconds, 1), fillReportsPerSecond: Math.round(filled / fillSeconds), total, day, memoryMiB: memory ?? null, anonymousRangeMiB: memorySamples.length === 0 ? null : [Math.min(...memorySamples.map((m) => m.anon)), Math.max(...memorySamples.map((m) => m.anon))].map((x) => round(x, 1)) });
  }
  await stop(collector);
  details[`estimates ${label}`] = rows;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const load = os.loadavg().map((x) => round(x));
  for (let i = 0; i < 1000; i++) bodies.body(BATCH); // warm
  const bodyStart = performance.now();
  for (let i = 0; i < 1000; i++) bodies.body(BATCH);
  const bodyMicros = round(performance.now() - bodyStart, 1); // ms per 1,000 bodies = µs per body
  details.machine = { cpus: os.cpus().length, loadAverageAtStart: load, bodyGenerationMicroseconds: bodyMicros };
  const havePostgres = await postgresAvailable();

  // Ingest. Full runs measure a baseline right before each collector run; quick runs share one.
  const sqliteBaseline = await runBaseline('SQLite');
  baselineFigure(sqliteBaseline, isQuick || !havePostgres ? 'measured once' : 'before SQLite');
  const plainSqlite = await ingestBenchmark('SQLite', sqliteUrl('ingest'), sqliteBaseline, isQuick || !havePostgres ? 'measured once' : 'before SQLite', async (server) => {
    const accepted = await sendSample(server);
    viaHttp = await snapshot(server, sqliteUrl('ingest'));
    return accepted;
  });
  await tokenIngestBenchmark('SQLite', sqliteUrl('ingest-tokens'), plainSqlite);
  if (havePostgres) {
    const postgresBaseline = isQuick ? sqliteBaseline : await runBaseline('PostgreSQL');
    if (!isQuick) baselineFigure(postgresBaseline, 'before PostgreSQL');
    await ingestBenchmark('PostgreSQL', postgresUrl('ingest'), postgresBaseline, isQuick ? 'measured once' : 'before PostgreSQL');
  }

  // Estimates and RSS as the database grows.
  await estimateSeries('SQLite', sqliteUrl('estimates'), SQLITE_SIZES, true);
  if (havePostgres && POSTGRES_SIZES.length > 0) await estimateSeries('PostgreSQL', postgresUrl('estimates'), POSTGRES_SIZES, false);

  const notes = [
    `Machine noise: ${os.cpus().length} cores shared by the load generator (autocannon in the bench process), the server under test (a child process) and the database (SQLite inside the collector process; the PostgreSQL server on the same machine), plus whatever else runs — load average ${load.join(' / ')} (1/5/15 min) when the step started. Throughput figures move by tens of percent between runs; the ratios compare runs made within a minute of each other.`,
    `Ingest: ${CONNECTIONS} connections, no pipelining, batches of ${BATCH} reports (~9.7 kB of JSON) to POST /v1/reports with the campaign's ingest key and an allowed Origin; a short probe and warm-up rounds of about ${WARMUP_SECONDS} s until the rate settles, then a measured run sized for ~${RUN_SECONDS} s at that rate (a fixed request count, so that every batch sent is answered before the database is counted; actual lengths in details). Latency percentiles are autocannon's, in whole milliseconds. Every body has 100 fresh CSPRNG report ids; question, day (last 7) and payload come from a pool of 50,000 reports randomized with core's randomizers (${bodyMicros} µs per body in the load generator). The baseline is a bare Fastify endpoint that parses the same JSON and answers 202, nothing else, in its own process, with identical load settings${isQuick ? ' (measured once in quick runs)' : ', measured right before each collector run'}.`,
    "Collector process: `src/cli.ts serve` through tsx, PP_LOG_LEVEL=warn, rate limiting on with a limit above the load, load shedding at its default. SQLite: a temporary file with the collector's own WAL + synchronous=FULL (group commit: the batches that arrive in one turn of the event loop share one transaction and one WAL fsync; checkpoint every 20,000 WAL pages). PostgreSQL: 127.0.0.1:5432, a fresh schema per run (dropped afterwards), synchronous_commit on, group commit (one group of batches in flight; those arriving meanwhile form the next).",
    `Storage ceiling: a fresh database of the same store, the collector's own repository (SqliteRepository / PostgresRepository: the same migrations, SQL, PRAGMAs and group commit), fed the same number of fresh reports the HTTP run stored (at most ${count(CEILING_MAX_REPORTS)}, at least 20 groups) through repository.ingest, in groups of the mean number of batches of ${BATCH} that group commit wrote per transaction during the HTTP run (pp_group_commit_batches from the collector's /metrics, before and after the load), all batches of a group submitted in one turn of the event loop, the next group once it committed. The reports are made with the same randomizers and reduced to contributions by the route's own ingestBatch beforehand, untimed: no HTTP, no validation, no JSON. Run in this process right after the HTTP run, so both share the machine's load. The ratio HTTP / ceiling says how much of the storage's own speed the service keeps.`,
    `Ingest with tokens (SQLite): the benchmark campaign with \`tokens\` (id ${TOKEN_CAMPAIGN_ID}, all questions daily), one RSA-2048 issuer key per (question, today) — keys name contexts — given to the collector as PP_TOKEN_KEYS. ${count(TOKEN_POOL + VERIFY_SAMPLE)} tokens are minted before any timing by signing each token input (type 0x0002, fresh CSPRNG nonce, the digest of the collector's own TokenChallenge for the context, key id) with RSASSA-PSS SHA-384 through Node's OpenSSL — the signature blind issuance yields once the device unblinds it; the blinding round trip is the device's and the issuer's cost, not the collector's. Bodies as above but all reports of today, protocol 2, each report with its own unused token (ext.token); the measured run is capped to the tokens left after the warm-up (≈ ${TOKEN_RUN_SECONDS} s). Every token is verified by the collector (checkToken: fields, key list, context, challenge digest, RSA-PSS signature) and spent in the report's transaction; stored = acknowledged = token_spends rows, nothing refused, or the step fails. Its ceiling is the storage ceiling above with reports of one day and each contribution carrying a spend (fresh nonce), i.e. the same report, cell and token_spends rows, at the group size the token run reached. Verification cost: the collector's own checkBatchTokens on ${count(VERIFY_SAMPLE)} further minted tokens in batches of ${BATCH}, in this process, CPU (process.cpuUsage, all threads: WebCrypto verifies on libuv's pool) and wall time per report; and, over HTTP, 1/(reports/s with tokens) − 1/(reports/s without).`,
    `CPU during the load: the load generator's own CPU (process.cpuUsage of this process over the whole load run, warm-up included) and the collector's (utime + stime of its process, /proc/<pid>/stat, all threads), each divided by the wall time: cores in use. The ceiling runs alone in this process while the collector is stopped; the load generator's share is what the HTTP side gives up to it on a ${os.cpus().length}-core machine. Commit fsync wait: the SQLite ceiling repeated with synchronous=OFF (a measurement only; the collector always runs FULL); the difference in time per report is what the commit's fsync blocks the single thread per report, so 1 / (1/HTTP − that) / ceiling bounds the ratio any overlap of the commit with parsing and validation (a writer thread) could reach in this run.`,
    'Stored = acknowledged: after a graceful stop the reports in the database are counted and compared with the sum of "accepted" over every 202 answer the collector gave (warm-up included), and with the report count in the aggregate cells.',
    `Estimates: ${QUERY_REPEATS} sequential GET /v1/campaigns/bench/estimates?question=${QUERY_QUESTION} (32 categories, OUE) per bucket over one kept-alive connection, after 20 warm-up queries, with the read token; bucket=day answers ${FILL_DAYS} daily cells. One collector process per database serves the whole series while the database grows under it; Memory is read from /proc after every 10th timed query at that size; the RSS figure is the median of the anonymous part (RssAnon: JS heap, native allocations, SQLite's page cache), because the file-backed part (node's binary and libraries) of a process idle during a multi-GB fill is partly dropped by the kernel and read back on use, which says nothing about the collector's memory. Total and file-backed RSS are in details.`,
    `Filling (no HTTP): reports made with core's randomizers and fresh ids over the last ${FILL_DAYS} days go through the ingest route's own code (ingestBatch: validation, day window, ingest key, decoding, integer sums) in batches of 1,000 and are stored by the repository's ingest — the SQL the route uses — in batches of 50,000 (SQLite; the batches of one size step nested in one transaction, 3 GB page cache on the filling connection) or 20,000 (PostgreSQL, one transaction each). Checked in the same run: ${count(EQUIVALENCE_REPORTS)} reports filled this way and the same reports sent over HTTP leave identical report rows and cells and give identical answers to every estimate query (5 questions × total/day/week).`,
  ];
  notes.push(...memoryNotes());
  if (isQuick) notes.push('Quick run: the PostgreSQL estimate series is left out.');
  if (!havePostgres) notes.push(`PostgreSQL was not reachable at ${POSTGRES_URL}: its figures are missing from this run.`);
  printFigures(figures);
  console.log(`wrote ${writeStep('collector', figures, { notes, details })}`);
}

/**
 * Which way the RSS moved, in words: the ±10% band counts a drop as a miss just as it does growth,
 * and the reader should see which one happened and how far the figure swings within one size.
 */
function memoryNotes(): string[] {
  const notes: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (!key.startsWith('estimates ')) continue;
    const rows = (value as Array<{ size: number; memoryMiB: { anon: number } | null; anonymousRangeMiB: number[] | null }>).filter((r) => r.memoryMiB !== null);
    if (rows.length < 2) continue;
    const base = rows[0]!.memoryMiB!.anon;
    const steps = rows.slice(1).map((r) => {
      const change = Math.round((r.memoryMiB!.anon / base - 1) * 100);
      return `${count(r.size)}: ${change > 0 ? '+' : ''}${change}%`;
    });
    const ranges = rows.map((r) => `${count(r.size)} ${r.anonymousRangeMiB?.join('–') ?? '?'} MiB`).join(', ');
    notes.push(`RSS direction, ${key.slice('estimates '.length)}: anonymous RSS against the ${count(rows[0]!.size)}-report reference — ${steps.join('; ')} (a negative figure is memory that shrank, not grew, as stored reports multiplied). Range of the samples within each size (garbage-collection sawtooth): ${ranges}.`);
  }
  return notes;
}

async function cleanup(): Promise<void> {
  closeAgent();
  for (const server of running) await server.stop().catch(() => undefined);
  for (const schema of schemas) {
    const repository = new PostgresRepository({ ...parsePostgresUrl(POSTGRES_URL), schema, poolSize: 1 });
    await repository.dropSchema().catch(() => undefined);
    await repository.close().catch(() => undefined);
  }
  rmSync(workDir, { recursive: true, force: true });
}

try {
  await main();
} finally {
  await cleanup();
}
if (failures.length > 0) {
  console.error(`collector bench: correctness failure:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
