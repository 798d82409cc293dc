// `pnpm size`: gzip sizes of the facade and of the worker, each bundled with its dependencies
// (core from TypeScript sources via the workspace condition). Fails above budget.
const withSource = (config) => ({ ...config, format: 'esm', conditions: ['@practical-privacy/source', ...(config.conditions ?? [])] });
export default [
  { name: 'facade (createClient)', path: 'src/index.ts', import: '{ createClient }', limit: '5 kB', gzip: true, modifyEsbuildConfig: withSource },
  { name: 'worker', path: 'src/worker.ts', limit: '25 kB', gzip: true, modifyEsbuildConfig: withSource },
];
