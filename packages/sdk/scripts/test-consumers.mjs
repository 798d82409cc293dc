#!/usr/bin/env node
// Consumer tests (issue 15): core and the SDK packed (`pnpm pack`, which builds them) and the
// TARBALLS installed — nothing from the workspace — into three fresh apps kept as fixtures in
// consumers/ (Vite 7, Vite 8, webpack 5), each copied to a temporary directory outside the
// repository (so Node's resolution cannot climb into the workspace's node_modules) and installed
// frozen from its committed lockfile (`npm ci`).
//
// Why the tarballs cannot break the frozen install: each fixture depends on
// `file:../.tarballs/{core,sdk}.tgz`, and its lockfile records those two entries WITHOUT
// `integrity` (this script refuses a lockfile that has it). npm then unpacks whatever tarball is
// there instead of comparing it with a hash taken when the lockfile was written (which fails on
// every rebuild), or — worse — installing the copy cached under that hash. Every other package,
// the SDK's own dependencies included, is locked with its registry integrity. This script checks
// that the lockfile's entries list the dependencies the tarballs declare (else: --update-lockfiles)
// and that the installed files are the packed ones.
//
// For each fixture: plain-Node import of the installed SDK touching no browser global (SSR); the
// production build with zero configuration and the worker emitted as its own file; then in
// Chromium against the real collector (packages/collector), once on the dev server and once on the
// production build served under the README's CSP: opt in, report, delivered and counted by the
// collector exactly once, no page reload after the first optIn()/report(), and (production) a
// worker URL answering 404 rejecting createClient with WORKER_UNAVAILABLE naming the URL.
//
// Chromium: runs when PP_HAVE_CHROMIUM=1 (the root `pnpm test` sets it) or CI=true (where a missing
// Chromium fails); otherwise the browser half is skipped and said so. `--update-lockfiles` rewrites
// the fixtures' lockfiles (npm install against fresh tarballs); `--only=vite7` runs one fixture;
// `--tarballs=DIR` installs DIR/core.tgz and DIR/sdk.tgz instead of packing (the root `pnpm test`).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSameFiles, cleanEnv, freePort, run, serveStatic, startCollector, startProcess } from './consumer-support.mjs';

// Each global throws if read while the SDK (its dist, as installed) is imported.
const SSR_CHECK = `
const names = ['window', 'document', 'navigator', 'indexedDB', 'Worker', 'crypto', 'self', 'localStorage'];
const touched = [];
for (const name of names) Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); throw new Error(name + ' read at import time'); } });
const sdk = await import('@practical-privacy/sdk');
if (typeof sdk.createClient !== 'function' || touched.length > 0) { console.log('touched: ' + touched.join(', ')); process.exit(1); }
console.log('ssr ok');
`;

const started = Date.now();
const sdkDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const coreDir = join(sdkDir, '../core');
const consumersDir = join(sdkDir, 'consumers');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromiumPath = process.env.PP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const withBrowser = ci || process.env.PP_HAVE_CHROMIUM === '1';
const updateLockfiles = process.argv.includes('--update-lockfiles');
const given = process.argv.find((a) => a.startsWith('--tarballs='))?.slice('--tarballs='.length);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The pnpm that runs this script (`pnpm test`), else the one the root package.json names.
const packageManager = JSON.parse(readFileSync(join(sdkDir, '../../package.json'), 'utf8')).packageManager;
const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', packageManager];

/** Fixture: how to build, where the build lands, how to start its dev server on a port. */
const FIXTURES = {
  vite7: { out: ['dist'], dev: (port) => ['npx', ['vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1']] },
  vite8: { out: ['dist'], dev: (port) => ['npx', ['vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1']] },
  webpack5: { out: ['dist', 'public'], dev: (port) => ['npx', ['webpack', 'serve', '--mode', 'development', '--port', String(port), '--host', '127.0.0.1']] },
};
const names = Object.keys(FIXTURES).filter((n) => only === undefined || n === only);
const TARBALLS = { core: '@practical-privacy/core', sdk: '@practical-privacy/sdk' };

// The fixtures' app code is consumers/app.js, the README's quick start with test hooks.
const appCode = readFileSync(join(consumersDir, 'app.js'), 'utf8');
for (const name of names) {
  const entry = name.startsWith('webpack') ? 'src/index.js' : 'src/main.js';
  if (readFileSync(join(consumersDir, name, entry), 'utf8') !== appCode) throw new Error(`consumers/${name}/${entry} differs from consumers/app.js`);
}

const work = mkdtempSync(join(tmpdir(), 'pp-consumers-'));
const tarballs = join(work, '.tarballs');
mkdirSync(tarballs);
const skipped = [];
const log = (line) => console.log(`consumers: ${line}`);

try {
  // 1. Pack (prepack builds each package), or take the tarballs scripts/check-packages.mjs made.
  for (const [file, dir] of [['core', coreDir], ['sdk', sdkDir]]) {
    if (given !== undefined) cpSync(join(given, `${file}.tgz`), join(tarballs, `${file}.tgz`));
    else run(pnpm[0], [...pnpm.slice(1), 'pack', '--out', join(tarballs, `${file}.tgz`)], dir, process.env);
    mkdirSync(join(tarballs, file));
    run('tar', ['xzf', join(tarballs, `${file}.tgz`), '-C', join(tarballs, file)], work);
  }
  const packed = Object.fromEntries(Object.keys(TARBALLS).map((f) => [f, JSON.parse(readFileSync(join(tarballs, f, 'package/package.json'), 'utf8'))]));
  log(`packed core ${packed.core.version} and sdk ${packed.sdk.version} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  // 2. Install each fixture frozen (or rewrite its lockfile).
  for (const name of names) {
    const app = join(work, name);
    cpSync(join(consumersDir, name), app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    if (updateLockfiles) {
      rmSync(join(app, 'package-lock.json'), { force: true });
      run(npm, ['install', '--no-audit', '--no-fund'], app);
      const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
      for (const pkg of Object.values(TARBALLS)) delete lock.packages[`node_modules/${pkg}`].integrity;
      writeFileSync(join(consumersDir, name, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
      log(`${name}: lockfile rewritten`);
      continue;
    }
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    for (const [file, pkg] of Object.entries(TARBALLS)) {
      const locked = lock.packages[`node_modules/${pkg}`];
      if (locked === undefined || locked.resolved !== `file:../.tarballs/${file}.tgz`) throw new Error(`consumers/${name}/package-lock.json: ${pkg} is not the packed tarball`);
      if ('integrity' in locked) throw new Error(`consumers/${name}/package-lock.json: ${pkg} has an integrity hash (npm ci would refuse every rebuilt tarball, or install a cached one): run with --update-lockfiles`);
      if (JSON.stringify(locked.dependencies ?? {}) !== JSON.stringify(Object.fromEntries(Object.entries(packed[file].dependencies ?? {}).sort()))) {
        throw new Error(`consumers/${name}/package-lock.json: ${pkg}'s dependencies changed since the lockfile was written: run \`node scripts/test-consumers.mjs --update-lockfiles\` in packages/sdk`);
      }
    }
    run(npm, ['ci', '--no-audit', '--no-fund'], app);
    for (const [file, pkg] of Object.entries(TARBALLS)) assertSameFiles(join(tarballs, file, 'package'), join(app, 'node_modules', pkg), `${name}: ${pkg}`);
  }
  if (updateLockfiles) process.exit(0);
  log(`installed ${names.join(', ')} frozen (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  // 3. SSR: importing the installed SDK in plain Node reads no browser global.
  for (const name of names) {
    const out = run(process.execPath, ['--input-type=module', '-e', SSR_CHECK], join(work, name));
    if (!out.includes('ssr ok')) throw new Error(`${name}: SSR import check: ${out}`);
  }
  log('SSR: importing @practical-privacy/sdk (dist) in Node reads none of window, document, navigator, indexedDB, Worker, crypto, self, localStorage');

  // 4. Production builds, zero configuration: the worker is its own file.
  for (const name of names) {
    const app = join(work, name);
    if (readdirSync(app).some((f) => /^(vite|webpack)\.config\./.test(f))) throw new Error(`${name}: the fixture has a bundler configuration file`);
    run(npm, ['run', 'build'], app);
    const files = FIXTURES[name].out.flatMap((dir) => listJs(join(app, dir)));
    const workers = files.filter((f) => readFileSync(f, 'utf8').includes('ledger'));
    const entries = files.filter((f) => readFileSync(f, 'utf8').includes('startWithWorker'));
    if (workers.length !== 1 || entries.length !== 1 || workers[0] === entries[0]) throw new Error(`${name}: expected the worker in a file of its own, found worker code in [${workers.join(', ')}] and the app in [${entries.join(', ')}]`);
    log(`${name}: production build, worker emitted as ${workers[0].slice(app.length + 1)}`);
  }

  // 5. In Chromium against the real collector: dev server and production build (README CSP).
  if (!withBrowser) {
    skipped.push(`the Chromium half (dev servers, production builds under CSP, delivery to the collector, 404 worker): set PP_HAVE_CHROMIUM=1 with Chromium at ${chromiumPath}, or CI=true`);
  } else {
    if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install -y chromium, or set PP_CHROMIUM_PATH)`);
    const { runInBrowser } = await import('./consumer-browser.mjs');
    const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, { dev: await freePort() }])));
    // The collector allows exactly the dev servers' origins and the static servers' (started below,
    // on ports chosen now), as the README's quick start asks of an operator.
    for (const n of names) ports[n].prod = await freePort();
    const origins = names.flatMap((n) => [`http://127.0.0.1:${ports[n].dev}`, `http://127.0.0.1:${ports[n].prod}`]);
    const collector = await startCollector(origins);
    try {
      for (const name of names) {
        const app = join(work, name);
        const [command, args] = FIXTURES[name].dev(ports[name].dev);
        const origin = `http://127.0.0.1:${ports[name].dev}`;
        const dev = await startProcess(command, args, app, `${origin}/`, `${name} dev server`, cleanEnv({ BROWSER: 'none' }));
        try {
          await runInBrowser({ chromiumPath, collector, origin, campaignId: `consumer-${name}-dev`, what: `${name} dev server` });
          if (/new dependencies optimized|optimized dependencies changed|reloading/i.test(dev.output())) throw new Error(`${name} dev server re-optimized dependencies after the page loaded:\n${dev.output()}`);
          // Source maps whose sources the package does not ship: Vite warns on every dev start.
          if (/missing source files|sourcemap/i.test(dev.output())) throw new Error(`${name} dev server warned about the packages' source maps:\n${dev.output()}`);
        } finally {
          dev.stop();
        }
        const csp = `default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self' ${collector.url}`;
        const prod = await serveStatic(FIXTURES[name].out.map((d) => join(app, d)), csp, ports[name].prod);
        try {
          await runInBrowser({ chromiumPath, collector, origin: prod.origin, campaignId: `consumer-${name}-prod`, what: `${name} production build (CSP ${csp})`, missingWorker: true });
        } finally {
          await prod.stop();
        }
      }
    } finally {
      collector.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (skipped.length > 0) console.log(`consumers: SKIPPED ${skipped.join('; ')}`);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

function listJs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}
