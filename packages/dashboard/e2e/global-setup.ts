import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { E2E_COLLECTOR_PORT, E2E_DASHBOARD_PORT } from '../playwright.config.ts';
import { startStack } from './stack.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results', 'e2e-stack');
  return startStack(dataDir, E2E_COLLECTOR_PORT, E2E_DASHBOARD_PORT);
}
