#!/usr/bin/env node
// The publishable packages as npm would publish them: `pnpm pack` (prepack builds each) for core,
// sdk and collector, then on each tarball
// - every source map's sources are in the tarball, or carried in the map (sourcesContent), so a
//   consumer's dev server and debugger find them (issue 15: 15–18 warnings on every dev start);
// - publint (package.json fields, exports, files) — no warnings or errors;
// - @arethetypeswrong/cli (types resolve like the JavaScript, profile esm-only: the packages ship
//   ES modules only, for Node ≥ 20.19 / bundlers);
// - `engines.node` equals the range the README states.
// With --out=DIR the tarballs are kept in DIR (core.tgz, sdk.tgz, collector.tgz) for the consumer test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A dev dependency's CLI (its package.json `bin`), run with this Node.
const bin = (name) => {
  const dir = join(root, 'node_modules', name);
  const { bin: entry } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return join(dir, typeof entry === 'string' ? entry : Object.values(entry)[0]);
};
const keep = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const out = keep ?? mkdtempSync(join(tmpdir(), 'pp-packages-'));
mkdirSync(out, { recursive: true });
const packageManager = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', packageManager];
// The Node versions the packages support (README "Node versions"); better-sqlite3 12.6 declares
// 20.x–25.x, so the collector stops at 25. Node 20 (end of life 2026-04-30) stays in the range
// because CI runs on it, and ESM-only packages need 20.19+ / 22.12+ for require(esm).
const ENGINES = { core: '^20.19.0 || ^22.12.0 || >=24.0.0', sdk: '^20.19.0 || ^22.12.0 || >=24.0.0', collector: '^20.19.0 || ^22.12.0 || ^24.0.0 || ^25.0.0' };

const problems = [];
const run = (command, args, cwd) => spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
try {
  for (const name of Object.keys(ENGINES)) {
    const dir = join(root, 'packages', name);
    const tarball = join(out, `${name}.tgz`);
    const packed = run(pnpm[0], [...pnpm.slice(1), 'pack', '--out', tarball], dir);
    if (packed.status !== 0) throw new Error(`${name}: pnpm pack failed:\n${packed.stdout}${packed.stderr}`);
    const unpacked = join(out, name);
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(unpacked);
    run('tar', ['xzf', tarball, '-C', unpacked]);
    const pkgDir = join(unpacked, 'package');
    const files = listFiles(pkgDir);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (manifest.engines?.node !== ENGINES[name]) problems.push(`${name}: engines.node is ${JSON.stringify(manifest.engines?.node)}, expected ${JSON.stringify(ENGINES[name])}`);
    if (!files.some((f) => f.startsWith('dist/'))) problems.push(`${name}: the tarball has no dist/ (prepack did not build)`);
    let maps = 0;
    for (const file of files.filter((f) => f.endsWith('.map'))) {
      maps += 1;
      const map = JSON.parse(readFileSync(join(pkgDir, file), 'utf8'));
      map.sources.forEach((source, i) => {
        const resolved = normalize(join(dirname(file), map.sourceRoot ?? '', source));
        if (typeof map.sourcesContent?.[i] === 'string') return;
        if (resolved.startsWith('..') || !existsSync(join(pkgDir, resolved))) problems.push(`${name}: ${file} points at ${source}, which the tarball does not ship (and the map does not carry)`);
      });
    }
    const publint = run(process.execPath, [bin('publint'), 'run', '--strict', pkgDir], root);
    if (publint.status !== 0 || /warning|error|suggestion/i.test(publint.stdout)) problems.push(`${name}: publint:\n${publint.stdout}${publint.stderr}`);
    const attw = run(process.execPath, [bin('@arethetypeswrong/cli'), tarball, '--profile', 'esm-only', '--format', 'ascii'], root);
    if (attw.status !== 0) problems.push(`${name}: @arethetypeswrong/cli:\n${attw.stdout}${attw.stderr}`);
    console.log(`packages: ${name} ${manifest.version}: ${files.length} files, ${maps} source maps checked, publint ${publint.status === 0 ? 'clean' : 'FAILED'}, attw ${attw.status === 0 ? 'clean' : 'FAILED'}, engines ${manifest.engines?.node}`);
  }
} finally {
  if (keep === undefined) rmSync(out, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`packages: ${problems.length} problem(s):\n - ${problems.join('\n - ')}`);
  process.exit(1);
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}
