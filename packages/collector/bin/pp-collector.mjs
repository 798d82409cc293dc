#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, resolving workspace packages to their sources
// (export condition @practical-privacy/source). Signals are forwarded so that graceful shutdown works.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsxLoader = require.resolve('tsx');
const child = spawn(process.execPath, ['--import', pathToImport(tsxLoader), '--conditions=@practical-privacy/source', join(here, '..', 'src', 'cli.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

function pathToImport(path) {
  return new URL(`file://${path}`).href;
}
