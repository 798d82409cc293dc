import { defaultClientConditions, defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript sources through the custom export condition
// (see tsconfig.base.json), so the demo needs no prior build of core or the SDK.
export default defineConfig({
  resolve: { conditions: ['@practical-privacy/source', ...defaultClientConditions] },
  server: { port: 5173, strictPort: true, host: 'localhost' },
  preview: { port: 5173, strictPort: true, host: 'localhost' },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
