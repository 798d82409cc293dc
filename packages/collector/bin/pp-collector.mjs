#!/usr/bin/env node
// `pp-collector`: one process. Nothing is spawned, so a signal sent to this process (SIGTERM,
// SIGINT, SIGHUP, or SIGKILL) reaches the server itself.
//
// In the workspace (src/ beside this file) the TypeScript sources run in this same process:
// tsx's hooks are registered in-process (tsx/esm/api), then a resolve hook adds the
// `@practical-privacy/source` export condition, so that this package and @practical-privacy/core
// resolve to their sources and a stale dist/ is never used. `--conditions` cannot be changed once
// Node has started; a resolve hook can pass extra conditions to the next resolver, which is what
// Node's own `--conditions` amounts to. The hook is registered the way tsx registers its own:
// in-thread with module.registerHooks where Node has it (22.15+, 24), which tsx 4.23 then uses
// too, else off-thread with module.register (Node 20.6+; source-condition-hook.mjs). Registered
// after tsx's, it runs first and hands tsx (and then Node) the extra condition.
//
// An installed package ships bin and dist only (package.json "files"): it runs dist/cli.js.
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';

const CONDITION = '@practical-privacy/source';
const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  if (typeof nodeModule.registerHooks === 'function') {
    nodeModule.registerHooks({
      resolve: (specifier, context, nextResolve) => nextResolve(specifier, context.conditions.includes(CONDITION) ? context : { ...context, conditions: [CONDITION, ...context.conditions] }),
    });
  } else {
    nodeModule.register('./source-condition-hook.mjs', import.meta.url);
  }
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
