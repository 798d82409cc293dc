#!/usr/bin/env node
// In the workspace (src/ present) runs the TypeScript CLI through tsx, resolving workspace packages
// to their sources (export condition @practical-privacy/source), so a stale dist/ is never used;
// an installed package (files: bin, dist) runs the built dist/cli.js with plain Node.
// Signals are forwarded so that graceful shutdown works.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', 'src', 'cli.ts');
const args = existsSync(source)
  ? ['--import', pathToImport(createRequire(import.meta.url).resolve('tsx')), '--conditions=@practical-privacy/source', source]
  : [join(here, '..', 'dist', 'cli.js')];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

function pathToImport(path) {
  return new URL(`file://${path}`).href;
}
