// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/test-results/**', '**/playwright-report/**', 'bench/results/**', '**/.vite/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Privacy depends on a CSPRNG: Math.random is banned in every package's sources.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a RandomSource (crypto.getRandomValues) — Math.random is not a CSPRNG.' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    // The SDK's consumer fixtures are browser apps; the consumer test's page.evaluate callbacks run in the page.
    files: ['packages/sdk/consumers/**/*.js', 'packages/sdk/scripts/consumer-browser.mjs'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', location: 'readonly', URLSearchParams: 'readonly' } },
  },
);
