import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- plain ESM script without type declarations
import { startStack } from '../scripts/stack.mjs';
import { E2E_APP_PORT, E2E_COLLECTOR_PORT } from '../playwright.config.ts';

/** Starts the real collector (fresh SQLite) and the built app; Playwright calls the returned teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results', 'e2e-stack');
  const stack = (await startStack({ collectorPort: E2E_COLLECTOR_PORT, appPort: E2E_APP_PORT, dataDir, quiet: true, mode: 'preview' })) as { stop: () => Promise<void> };
  return () => stack.stop();
}
