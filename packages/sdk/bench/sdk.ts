/**
 * SDK in Chromium (issue #6, item 3): reports/s through the real path — facade → comlink → module
 * worker (validate, budget check, randomize, encode) → one IndexedDB transaction (ledger debit,
 * outbox) → back — p50/p99 latency of one report(), and the gzip sizes of facade and worker.
 *
 * How: Vite builds bench/page (the SDK from its sources, production mode, minified) into a
 * temporary directory; one loopback HTTP server serves it (cross-origin isolated, so
 * performance.now() has 5 µs resolution) and stands in for the collector (POST /v1/reports
 * acknowledges batches and counts report ids); Debian's Chromium (PP_CHROMIUM_PATH, default
 * /usr/bin/chromium) runs the page headless through Playwright. All timings are taken in the page.
 *
 * Baseline, measured in the same page and interleaved chunk by chunk with the SDK's reports (so
 * load from other processes hits both alike): the least a worker-based design does per report —
 * one comlink round trip to a module worker that commits one outbox-sized row to IndexedDB.
 * Timings have no fixed target in the issue: they are reported with that baseline and the ratio,
 * without a verdict. Sizes are what `pnpm size` (size-limit, .size-limit.js) measures, with its
 * budgets (facade ≤ 5 kB, worker ≤ 25 kB) as targets.
 *
 * Uploads run during the measurement (every 250 ms after a report is queued, to the stub), as they
 * would in an app. Clients with uploads off, one with a full outbox and one with an empty one, show
 * how report() depends on the outbox: the facade re-reads the queued batches after every report
 * (for the page-hide beacon).
 *
 * Correctness check (non-zero exit when it fails): after a final flush, the stub has acknowledged
 * exactly as many distinct report ids as report() calls resolved.
 *
 * Without Chromium: outside CI, only the sizes are written, with a note; in CI (CI=true) it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { build, defaultClientConditions } from 'vite';
import { atMost, isQuick, printFigures, writeStep, type Figure } from '../../core/bench/results.ts';
import { QUESTIONS } from './page/campaign.ts';
import type { Bench, ChunkResult } from './page/main.ts';

const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const sizes = {
  warmup: isQuick ? 30 : 200,
  sequential: isQuick ? 200 : 3000,
  concurrent: isQuick ? 100 : 1500,
  outboxFull: isQuick ? 200 : 1000,
  outboxTimed: isQuick ? 60 : 400,
  chunk: isQuick ? 50 : 250,
};
const IN_FLIGHT = 8;
const FLUSH_INTERVAL_MS = 250;
/** Reports per alternating chunk in the outbox comparison. */
const OUTBOX_CHUNK = 20;

const figures: Figure[] = [];
const notes: string[] = [];
const details: Record<string, unknown> = {};

figures.push(...gzipSizes());

if (!existsSync(executablePath)) {
  const message = `not measured: Chromium missing (${executablePath}; set PP_CHROMIUM_PATH)`;
  if (ci) {
    console.error(`sdk bench: ${message}; in CI this is a failure`);
    process.exit(1);
  }
  console.log(`sdk bench: ${message}; writing the sizes only`);
  printFigures(figures);
  console.log(`wrote ${writeStep('sdk', figures, { notes: [`${message[0]!.toUpperCase()}${message.slice(1)}: report() latency and reports/s; the sizes above do not need it.`] })}`);
  process.exit(0);
}

const outDir = mkdtempSync(path.join(os.tmpdir(), 'pp-sdk-bench-'));
const collector = { accepted: new Set<string>(), duplicates: 0, batches: 0 };
const server = createServer(serve);

async function run(): Promise<void> {
  console.log('building the bench page (Vite, production)…');
  await build({
    configFile: false,
    root: path.join(sdkDir, 'bench/page'),
    logLevel: 'warn',
    resolve: { conditions: ['@practical-privacy/source', ...defaultClientConditions] },
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`page console: ${message.text()}`);
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction('window.ppBench !== undefined');
    details.chromium = browser.version();
    details.crossOriginIsolated = await call(page, 'crossOriginIsolated');
    console.log(`Chromium ${browser.version()}, cross-origin isolated: ${String(details.crossOriginIsolated)}`);
    await measure(page);
    await page.close();
  } finally {
    await browser.close();
  }
}

async function measure(page: Page): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  await call(page, 'setup', 'main', FLUSH_INTERVAL_MS);
  await call(page, 'baselineSetup');
  await call(page, 'directSetup', 'main', FLUSH_INTERVAL_MS);

  console.log(`warm-up: ${sizes.warmup} reports and ${sizes.warmup} baseline round trips`);
  let index = 0;
  await call(page, 'sequential', 'main', index, sizes.warmup);
  index += sizes.warmup;
  await call(page, 'baseline', 0, sizes.warmup);
  await call(page, 'directSequential', 'main', 0, sizes.warmup);

  // Sequential: one report() awaited at a time, cycling through the question types; baseline
  // chunks interleaved with the SDK's.
  const seq = new Samples();
  const base = new Samples();
  const split = new Samples();
  for (let done = 0; done < sizes.sequential; done += sizes.chunk) {
    const n = Math.min(sizes.chunk, sizes.sequential - done);
    seq.add(await call(page, 'sequential', 'main', index, n));
    index += n;
    base.add(await call(page, 'baseline', done, n));
    split.add(await call(page, 'directSequential', 'main', sizes.warmup + done, n));
    progress('sequential', done + n, sizes.sequential, seq);
  }

  // Concurrent: IN_FLIGHT report() calls outstanding (the worker still commits them one at a time).
  const conc = new Samples();
  const baseConc = new Samples();
  for (let done = 0; done < sizes.concurrent; done += sizes.chunk) {
    const n = Math.min(sizes.chunk, sizes.concurrent - done);
    conc.add(await call(page, 'concurrent', 'main', index, n, IN_FLIGHT));
    index += n;
    baseConc.add(await call(page, 'baseline', sizes.sequential + done, n, IN_FLIGHT));
    progress(`${IN_FLIGHT} in flight`, done + n, sizes.concurrent, conc);
  }

  const uploads = { batches: collector.batches, reports: collector.accepted.size };

  // Uploads off: how report() depends on the outbox. Two clients with uploads off, one whose outbox
  // is first filled to OUTBOX_FULL reports (untimed), one emptied after every chunk; the same pair
  // driven through the worker API alone (the split). Chunks of the four alternate, so load from
  // other processes hits all alike.
  for (const name of ['full', 'empty']) {
    await call(page, 'setup', name, 3_600_000);
    await call(page, 'directSetup', name, 3_600_000);
  }
  console.log(`uploads off: filling two outboxes to ${sizes.outboxFull} reports (untimed)`);
  for (let done = 0; done < sizes.outboxFull; done += sizes.chunk) {
    const n = Math.min(sizes.chunk, sizes.outboxFull - done);
    await call(page, 'sequential', 'full', done, n, 'fever');
    await call(page, 'directSequential', 'full', done, n, 'fever');
  }
  const outbox = { full: new Samples(), empty: new Samples(), fullSplit: new Samples(), emptySplit: new Samples() };
  for (let done = 0; done < sizes.outboxTimed; done += OUTBOX_CHUNK) {
    const n = Math.min(OUTBOX_CHUNK, sizes.outboxTimed - done);
    outbox.full.add(await call(page, 'sequential', 'full', sizes.outboxFull + done, n, 'fever'));
    outbox.fullSplit.add(await call(page, 'directSequential', 'full', sizes.outboxFull + done, n, 'fever'));
    outbox.empty.add(await call(page, 'sequential', 'empty', done, n, 'fever'));
    outbox.emptySplit.add(await call(page, 'directSequential', 'empty', done, n, 'fever'));
    await call(page, 'finish', 'empty');
    await call(page, 'directFlush', 'empty');
    if ((done + n) % 100 === 0 || done + n === sizes.outboxTimed) {
      process.stdout.write(`  uploads off: ${done + n}/${sizes.outboxTimed} reports per client, p50 ${round(percentile(outbox.full.all(), 0.5))} ms with a full outbox, ${round(percentile(outbox.empty.all(), 0.5))} ms with an empty one\n`);
    }
  }

  // Correctness: every resolved report() reached the stub exactly once after a final flush.
  const main = await call(page, 'finish', 'main');
  const full = await call(page, 'finish', 'full');
  const empty = await call(page, 'finish', 'empty');
  let directReported = 0;
  for (const name of ['main', 'full', 'empty']) directReported += await call(page, 'directFinish', name);
  const reported = main.reported + full.reported + empty.reported + directReported;
  details.delivery = { reported, acknowledgedIds: collector.accepted.size, duplicates: collector.duplicates, batches: collector.batches, pendingAfterFlush: main.pendingAfterFlush + full.pendingAfterFlush + empty.pendingAfterFlush, events: empty.events };
  console.log(`delivery: ${reported} reports, ${collector.accepted.size} distinct ids acknowledged in ${collector.batches} batches, ${collector.duplicates} duplicates`);
  await call(page, 'close', 'main');
  await call(page, 'close', 'full');
  await call(page, 'close', 'empty');

  const all = seq.all();
  const ms = (name: string, value: number): Figure => ({ name, value: round(value), unit: 'ms' });
  figures.push(ms('report() latency p50, all question types (sequential)', percentile(all, 0.5)), ms('report() latency p99, all question types (sequential)', percentile(all, 0.99)));
  for (const q of QUESTIONS) {
    const xs = seq.of(q.id);
    figures.push(ms(`report() latency p50, ${q.type}`, percentile(xs, 0.5)), ms(`report() latency p99, ${q.type}`, percentile(xs, 0.99)));
  }
  const baseAll = base.all();
  figures.push(ms('baseline latency p50 (comlink round trip + one IndexedDB put)', percentile(baseAll, 0.5)), ms('baseline latency p99', percentile(baseAll, 0.99)));
  figures.push(
    ms("split: the worker's report() alone (one round trip), p50", percentile(split.of('report'), 0.5)),
    ms('split: a pendingBodies round trip (page-hide bodies from the cache), p50', percentile(split.of('bodies'), 0.5)),
  );
  figures.push({ name: 'report() p50 / baseline p50', value: round(percentile(all, 0.5) / percentile(baseAll, 0.5)), unit: '×' });

  const rate = (s: Samples) => (s.count() / s.elapsedMs) * 1000;
  figures.push(
    { name: 'reports/s, sequential (each report() awaited)', value: Math.round(rate(seq)), unit: 'reports/s' },
    { name: `reports/s, ${IN_FLIGHT} report() calls in flight`, value: Math.round(rate(conc)), unit: 'reports/s' },
    { name: 'baseline round trips/s, sequential', value: Math.round(rate(base)), unit: 'ops/s' },
    { name: `baseline round trips/s, ${IN_FLIGHT} in flight`, value: Math.round(rate(baseConc)), unit: 'ops/s' },
    { name: 'reports/s / baseline, sequential', value: round(rate(seq) / rate(base)), unit: '×' },
    { name: `reports/s / baseline, ${IN_FLIGHT} in flight`, value: round(rate(conc) / rate(baseConc)), unit: '×' },
  );
  const fullRange = `${sizes.outboxFull.toLocaleString('en-US')}–${(sizes.outboxFull + sizes.outboxTimed).toLocaleString('en-US')} queued`;
  const emptyRange = `≤ ${OUTBOX_CHUNK} queued`;
  figures.push(
    ms(`report() p50, boolean, uploads off, outbox ${emptyRange}`, percentile(outbox.empty.all(), 0.5)),
    ms(`report() p50, boolean, uploads off, outbox ${fullRange}`, percentile(outbox.full.all(), 0.5)),
    ms(`split, outbox ${emptyRange}: the worker's report() p50`, percentile(outbox.emptySplit.of('report'), 0.5)),
    ms(`split, outbox ${fullRange}: the worker's report() p50`, percentile(outbox.fullSplit.of('report'), 0.5)),
    ms(`split, outbox ${emptyRange}: pendingBodies round trip p50`, percentile(outbox.emptySplit.of('bodies'), 0.5)),
    ms(`split, outbox ${fullRange}: pendingBodies round trip p50`, percentile(outbox.fullSplit.of('bodies'), 0.5)),
  );

  details.loadAverage1m = { start: round(loadBefore), end: round(os.loadavg()[0]!) };
  details.sizes = { ...sizes, inFlight: IN_FLIGHT, flushIntervalMs: FLUSH_INTERVAL_MS };
  details.latencyMs = Object.fromEntries(
    [...QUESTIONS.map((q) => [q.id, seq.of(q.id)] as const), ['all', all] as const, ['baseline', baseAll] as const, ['concurrent', conc.all()] as const, ['splitWorkerReport', split.of('report')] as const, ['splitPendingBodies', split.of('bodies')] as const].map(([k, xs]) => [k, summary(xs)]),
  );

  notes.push(
    `Measured in headless Chromium ${String(details.chromium)} on a shared ${os.cpus().length}-core machine (1-minute load average ${round(loadBefore)} at the start, ${round(os.loadavg()[0]!)} at the end: other processes ran alongside, so absolute timings are noisy and the interleaved baseline ratios are the steadier figures); the SDK bundled by Vite from its sources (production, minified). Every report() goes facade → comlink → module worker (consent, answer check, budget pre-check, randomization, encoding) → one IndexedDB transaction (ledger, outbox) → the page-hide bodies, rebuilt from the worker's cache of the outbox → back.`,
    `Sequential: ${sizes.sequential.toLocaleString('en-US')} reports cycling through 5 question types (after ${sizes.warmup} warm-up reports); concurrent: ${sizes.concurrent.toLocaleString('en-US')} reports with ${IN_FLIGHT} report() calls outstanding (the worker commits reports one at a time by design, so concurrency only overlaps the round trips). Uploads ran during both: every ${FLUSH_INTERVAL_MS} ms after a report was queued, in batches of ≤ 100, to a loopback stub (by the end of the concurrent part ${uploads.reports.toLocaleString('en-US')} reports had been acknowledged in ${uploads.batches} batches, ${round(uploads.reports / uploads.batches)} on average).`,
    'The SDK answers each question at most once per UTC day (ALREADY_REPORTED), so the bench workers run the SDK worker API with an injected clock that moves one day forward as each report starts (bench/page/clock.ts); everything else is the real path, and the ledger holds one day row per report, as a device has after that many days.',
    'Answers repeat as a population\'s would (2 booleans, 16 categories, 101 pain levels, item sets, 40 strings): one-level questions are randomized afresh on every report; RAPPOR re-derives its permanent response from the device secret on every report (hardened-v1, k = 128: 8 WebCrypto HMAC-SHA-256 calls) and draws a fresh instantaneous response.',
    "Split: the same reports sent straight to the SDK's worker API in a worker of its own (no facade), timing its report() (the facade's report() is that plus promise bookkeeping) and, separately, a pendingBodies() round trip after each (what the facade asks after an upload or a flush; answered from the cache).",
    `Baseline: one comlink round trip to a module worker that commits one outbox-sized row in one IndexedDB readwrite transaction — the floor for any design that randomizes in a worker and persists each report before resolving. Baseline chunks were interleaved with the SDK's. The issue sets no number for latency or reports/s, so these figures carry no verdict.`,
    `Uploads off: two clients with nothing sent, one whose outbox was first filled to ${sizes.outboxFull.toLocaleString('en-US')} reports, one emptied (flushed, untimed) after every chunk of ${OUTBOX_CHUNK}; ${sizes.outboxTimed} boolean reports each, chunks alternating, and the same pair driven through the worker API alone (split). Each report() answers with the page-hide bodies, rebuilt from the worker's cache of the outbox (each row serialized once; the outbox is not re-read), so their cost grows with the outbox only by joining the cached strings. A device that stays offline builds such an outbox; online, uploads empty it (by default 30 s after a report is queued).`,
    `Delivery check: ${reported.toLocaleString('en-US')} report() calls resolved; the stub acknowledged ${collector.accepted.size.toLocaleString('en-US')} distinct report ids (${collector.duplicates} duplicates) after a final flush.`,
    'Sizes: `pnpm size` (size-limit with esbuild, minified + gzip, all dependencies bundled; .size-limit.js), measured at run time.',
  );
  if (collector.accepted.size !== reported || collector.duplicates !== 0) {
    writeResults();
    throw new Error(`delivery check failed: ${reported} reports resolved, ${collector.accepted.size} distinct ids acknowledged, ${collector.duplicates} duplicates`);
  }
  writeResults();
}

function writeResults(): void {
  printFigures(figures);
  console.log(`wrote ${writeStep('sdk', figures, { notes, details })}`);
}

/** Calls window.ppBench[method](...args) in the page. */
function call<K extends keyof Bench>(page: Page, method: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(
    ([m, a]) => (window as unknown as { ppBench: Record<string, (...x: unknown[]) => unknown> }).ppBench[m]!(...a),
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<Bench[K]>>>;
}

class Samples {
  private readonly byQuestion = new Map<string, number[]>();
  elapsedMs = 0;
  add(chunk: ChunkResult): void {
    this.elapsedMs += chunk.elapsedMs;
    for (const [id, xs] of Object.entries(chunk.latencies)) {
      const list = this.byQuestion.get(id) ?? [];
      list.push(...xs);
      this.byQuestion.set(id, list);
    }
  }
  of(id: string): number[] {
    return this.byQuestion.get(id) ?? [];
  }
  all(): number[] {
    return [...this.byQuestion.values()].flat();
  }
  count(): number {
    return this.all().length;
  }
}

function progress(label: string, done: number, total: number, s: Samples): void {
  const xs = s.all();
  process.stdout.write(`  ${label}: ${done}/${total} reports, ${Math.round((xs.length / s.elapsedMs) * 1000)} reports/s, p50 ${round(percentile(xs, 0.5))} ms\n`);
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function summary(xs: number[]) {
  return { n: xs.length, p50: round(percentile(xs, 0.5)), p90: round(percentile(xs, 0.9)), p99: round(percentile(xs, 0.99)), max: round(Math.max(...xs)), mean: round(xs.reduce((a, b) => a + b, 0) / xs.length) };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** The gzip sizes `pnpm size` checks, from size-limit's JSON output (it exits 1 when over budget). */
function gzipSizes(): Figure[] {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('size-limit/package.json')), 'bin.js');
  console.log('measuring gzip sizes (size-limit)…');
  const result = spawnSync(process.execPath, [bin, '--json'], { cwd: sdkDir, encoding: 'utf8' });
  let parsed: Array<{ name: string; size: number; sizeLimit?: number }>;
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new Error(`size-limit --json printed no JSON (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return parsed.map((entry) => {
    const kB = entry.size / 1000;
    const limit = entry.sizeLimit === undefined ? undefined : entry.sizeLimit / 1000;
    return { name: `gzip size, ${entry.name}`, value: Number(kB.toFixed(2)), unit: 'kB', ...(limit === undefined ? {} : atMost(kB, limit)) };
  });
}

/** Static files from the Vite build (cross-origin isolated), and the collector stub. */
function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/v1/reports' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      let accepted = 0;
      let duplicates = 0;
      try {
        for (const { id } of (JSON.parse(body) as { reports: Array<{ id: string }> }).reports) {
          if (collector.accepted.has(id)) duplicates++;
          else {
            collector.accepted.add(id);
            accepted++;
          }
        }
      } catch {
        res.writeHead(400).end('bad batch');
        return;
      }
      collector.batches++;
      collector.duplicates += duplicates;
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates }));
    });
    return;
  }
  const file = path.join(outDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (!file.startsWith(outDir) || !existsSync(file) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  const type = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' }[path.extname(file)] ?? 'application/octet-stream';
  res
    .writeHead(200, {
      'content-type': type,
      'cache-control': 'no-store',
      // Cross-origin isolation: performance.now() at 5 µs instead of 100 µs.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    .end(readFileSync(file));
}

try {
  await run();
} finally {
  server.closeAllConnections();
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}
