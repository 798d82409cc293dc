// Build: tsc emits dist/ (ESM + .d.ts, `.ts` imports rewritten to `.js`), then the worker URL in
// dist/create-worker.js is pointed at the emitted worker: `new URL('./worker.js', import.meta.url)`,
// the pattern Vite and webpack bundle as a module worker with zero configuration.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const file = 'dist/create-worker.js';
const source = readFileSync(file, 'utf8');
const rewritten = source.replace("new URL('./worker.ts', import.meta.url)", "new URL('./worker.js', import.meta.url)").replace("const WORKER_FILE = './worker.ts'", "const WORKER_FILE = './worker.js'");
if (!rewritten.includes("new URL('./worker.js', import.meta.url)") || !rewritten.includes("const WORKER_FILE = './worker.js'")) throw new Error(`${file}: worker URL not found`);
writeFileSync(file, rewritten);
console.log('built dist/ (worker: dist/worker.js)');
