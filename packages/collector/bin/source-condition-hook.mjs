// module.register() resolve hook: resolve every import with the `@practical-privacy/source`
// export condition as well, as `node --conditions=@practical-privacy/source` would. Used by
// pp-collector.mjs in the workspace only (see there).
const CONDITION = '@practical-privacy/source';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(CONDITION) ? context.conditions : [CONDITION, ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
