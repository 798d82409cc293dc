import { defaultClientConditions, defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript sources (tsconfig.base.json's custom condition).
// `base: './'` makes the build relocatable: the same files work at a site root, under a path
// such as the collector's /dashboard/, or from any static host.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@practical-privacy/source', ...defaultClientConditions] },
  server: { port: 5174, strictPort: true, host: 'localhost' },
  preview: { port: 5174, strictPort: true, host: 'localhost' },
  build: { target: 'es2022' },
});
