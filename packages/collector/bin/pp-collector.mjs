#!/usr/bin/env node
// `pp-collector`: one process. Nothing is spawned, so a signal sent to this process (SIGTERM,
// SIGINT, SIGHUP, or SIGKILL) reaches the server itself.
//
// In the workspace (src/ beside this file) the TypeScript sources run in this same process:
// tsx's ESM hooks are registered in-process (tsx/esm/api), then a resolve hook
// (source-condition-hook.mjs) adds the `@practical-privacy/source` export condition, so that this
// package and @practical-privacy/core resolve to their sources and a stale dist/ is never used.
// `--conditions` cannot be changed once Node has started; module.register() hooks (Node ≥ 20.6,
// also on 22 and 24) can pass extra conditions to the next resolver, which is what Node's own
// `--conditions` does.
//
// An installed package ships bin and dist only (package.json "files"): it runs dist/cli.js.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  // Registered after tsx, so it runs first and hands tsx (and then Node) the extra condition.
  register('./source-condition-hook.mjs', import.meta.url);
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
