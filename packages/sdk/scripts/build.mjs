// Build: tsc emits dist/ (ESM + .d.ts, `.ts` imports rewritten to `.js`), then
// - the worker URL in dist/create-worker.js is pointed at the emitted worker:
//   `new URL('./worker.js', import.meta.url)`, the pattern Vite and webpack bundle as a module
//   worker with zero configuration;
// - dist/worker.js is replaced by the worker bundled with all its dependencies (comlink, idb, core,
//   noble, valibot): a file with no import left, so it runs as it is wherever it is served — from
//   the package's dist/ under a dev server's pre-bundling (src/create-worker.ts), or by an app
//   that copies it (`workerUrl`) — and a dev server finds no late dependency in it to optimize
//   (which reloads the page). Its source map carries its sources (sourcesContent).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const file = 'dist/create-worker.js';
const source = readFileSync(file, 'utf8');
const rewritten = source.replace("new URL('./worker.ts', import.meta.url)", "new URL('./worker.js', import.meta.url)").replace("const WORKER_FILE = './worker.ts'", "const WORKER_FILE = './worker.js'");
if (!rewritten.includes("new URL('./worker.js', import.meta.url)") || !rewritten.includes("const WORKER_FILE = './worker.js'")) throw new Error(`${file}: worker URL not found`);
writeFileSync(file, rewritten);

await build({
  entryPoints: ['src/worker.ts'],
  outfile: 'dist/worker.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // core from its TypeScript sources (no prior build of core needed), as in the workspace.
  conditions: ['@practical-privacy/source'],
  sourcemap: true,
  sourcesContent: true,
  legalComments: 'inline',
  logLevel: 'warning',
});
const worker = readFileSync('dist/worker.js', 'utf8');
if (/^\s*(import|export)\b/m.test(worker)) throw new Error('dist/worker.js: an import or export is left in the bundled worker');
console.log('built dist/ (worker: dist/worker.js, self-contained)');
