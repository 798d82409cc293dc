/**
 * The dashboard against a real collector, for two campaigns it was not written for: sign-in with
 * a read token (a wrong one refused), the campaign list from GET /v1/campaigns, numbers on screen
 * equal to the API's, a withheld cell with its reason, the CSV download equal to the table,
 * nothing of the token in the build or left in the tab after sign-out; screenshots at desktop and
 * phone width in test-results/screenshots/ for review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { E2E_COLLECTOR_PORT } from '../playwright.config.ts';
import { READ_TOKEN } from './stack.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const collector = `http://127.0.0.1:${E2E_COLLECTOR_PORT}`;

interface ApiValue { value: string; unbiased: number; ci95: [number, number] }
interface ApiCell { period: string; periodEnd: string; n: number; suppressed: boolean; reason?: string; values?: ApiValue[]; mean?: { estimate: number; ci95: [number, number] } }

async function api(path: string): Promise<{ cells: ApiCell[] }> {
  const response = await fetch(`${collector}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { cells: ApiCell[] };
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByLabel('Collector address')).toHaveValue(collector);
  await page.getByLabel('Read token').fill(READ_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
}

/**
 * How far right anything reaches: the page's scroll width, and the right edge of the widest chart
 * canvas (a chart inside an overflow-hidden box is cut off without widening the page).
 */
async function rightmost(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('.chart canvas')].map((c) => Math.ceil(c.getBoundingClientRect().right))));
}

async function show(page: Page, campaign: string, bucket: string): Promise<void> {
  await page.getByLabel('Campaign').selectOption(campaign);
  await page.getByLabel('Bucket').selectOption(bucket);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#content[data-loaded="true"]')).toBeAttached();
}

test('a wrong token is refused and nothing is stored', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Read token').fill('not-the-token-0123456789');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The collector did not accept this token.');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
});

test('two campaigns: numbers on screen are the API\'s, withheld cells say why, the CSV is the table', async ({ page }) => {
  await signIn(page);
  await expect(page.getByLabel('Campaign').locator('option')).toHaveText(['Follow-up (followup)', 'Clinic intake (intake)']);

  await show(page, 'followup', 'day');
  await expect(page.getByLabel('Version').locator('option')).toHaveText(['v3']);
  const better = await api('/v1/campaigns/followup/estimates?question=better&bucket=day&version=3&estimand=population');
  const table = page.locator('table[data-question="better"]');
  for (const cell of better.cells) {
    if (cell.suppressed) {
      const row = table.locator('tr[data-status="withheld"]', { hasText: cell.period });
      await expect(row).toContainText(cell.reason!);
      continue;
    }
    for (const v of cell.values!) {
      const row = table.locator('tr', { hasText: cell.period }).filter({ hasText: v.value === 'true' ? 'Yes' : 'No' });
      await expect(row.locator('[data-field="estimate"]')).toHaveText(`${(v.unbiased * 100).toFixed(1)}%`);
      await expect(row.locator('[data-field="ci"]')).toHaveText(`${(v.ci95[0] * 100).toFixed(1)}% to ${(v.ci95[1] * 100).toFixed(1)}%`);
      await expect(row.locator('[data-field="n"]')).toHaveText(cell.n.toLocaleString('en'));
    }
  }
  expect(better.cells.some((c) => c.suppressed)).toBe(true);
  expect(better.cells.some((c) => !c.suppressed)).toBe(true);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
  const rows = await page.locator('table[data-question] tbody tr').count();
  expect(csv).toHaveLength(1 + rows);
  expect(download.suggestedFilename()).toBe('followup-v3-day.csv');

  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'followup-day-desktop.png'), fullPage: true });
  // Narrowed to a 390 px phone after drawing at desktop width: the charts follow, nothing is
  // wider than the screen (tables scroll inside their own box).
  expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => rightmost(page)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'followup-day-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  await show(page, 'intake', 'total');
  const sleep = await api('/v1/campaigns/intake/estimates?question=sleep&bucket=total&version=1&estimand=population');
  const mean = sleep.cells[0]!.mean!;
  await expect(page.locator('table[data-question="sleep"] [data-field="estimate"]')).toHaveText(mean.estimate.toFixed(2));
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'intake-total-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => rightmost(page)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'intake-total-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
});

test('on a 390 px phone from the start, every bucket of both campaigns fits the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  for (const campaign of ['followup', 'intake']) {
    for (const bucket of ['day', 'week', 'total']) {
      await show(page, campaign, bucket);
      // (Both report days fall in one week: a week view has one cell and no line to draw.)
      if (bucket !== 'week') expect(await page.locator('.chart canvas').count(), `${campaign} ${bucket}: charts drawn`).toBeGreaterThan(0);
      expect(await rightmost(page), `${campaign} ${bucket}: page width and rightmost chart edge`).toBeLessThanOrEqual(390);
    }
  }
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'intake-total-phone-fresh.png'), fullPage: true });
});

/**
 * Integrity signals from the poisoning check, faked in the browser: the real collector's answer
 * with an `integrity` per cell (one suspicious) and a top-level `defence` added, as the collector
 * will send them. The route also records whether the page asked for recovered estimates.
 */
test('integrity signals: a suspicious cell and question say why, in the table, for screen readers and in the CSV; the recovered view asks for defence=ldprecover and says so', async ({ page }) => {
  const asked: string[] = [];
  await page.route('**/v1/campaigns/*/estimates?*', async (route) => {
    const url = new URL(route.request().url());
    asked.push(url.searchParams.get('defence') ?? 'none');
    const response = await route.fetch();
    const body = (await response.json()) as { cells: { suppressed: boolean; integrity?: unknown }[]; defence?: string };
    const recovered = url.searchParams.get('defence') === 'ldprecover';
    let first = true;
    for (const cell of body.cells) {
      if (cell.suppressed) continue;
      cell.integrity = first && url.searchParams.get('question') === 'better' ? { status: 'suspicious', reason: 'yes share 6.2 SE above the other days', score: 6.2 } : { status: 'ok', reason: '', score: 0.3 };
      first = false;
    }
    body.defence = recovered ? 'ldprecover' : 'none';
    await route.fulfill({ response, json: body });
  });
  await signIn(page);
  await show(page, 'followup', 'day');
  const alert = page.getByTestId('suspicious-better');
  await expect(alert).toContainText("Suspicious: 1 of");
  await expect(alert).toContainText('yes share 6.2 SE above the other days');
  await expect(page.getByTestId('suspicious-effects')).toHaveCount(0);
  const flagged = page.locator('table[data-question="better"] tr[data-integrity="suspicious"]');
  await expect(flagged).toHaveCount(2);
  await expect(flagged.first().locator('[data-field="integrity"]')).toHaveText('⚠ suspicious: yes share 6.2 SE above the other days');
  // The row header says it to a screen reader moving through the row's cells.
  await expect(flagged.first().locator('th')).toContainText(', flagged suspicious');
  await expect(page.getByTestId('defence-label')).toBeHidden();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  const [header, ...lines] = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
  const columns = header!.split(',');
  const suspicious = lines.filter((l) => l.split(',')[columns.indexOf('integrityStatus')] === 'suspicious');
  expect(suspicious).toHaveLength(2);
  expect(suspicious[0]!.split(',')[columns.indexOf('integrityReason')]).toBe('yes share 6.2 SE above the other days');
  expect(lines.every((l) => l.split(',')[columns.indexOf('defence')] === 'none')).toBe(true);

  asked.length = 0;
  await page.getByLabel('Recovered estimates (LDPRecover)').check();
  await expect(page.locator('#content[data-loaded="true"]')).toBeAttached();
  await expect(page.getByTestId('defence-label')).toHaveText(/^Recovered estimates \(LDPRecover\)/);
  expect(asked.length).toBeGreaterThan(0);
  expect(new Set(asked)).toEqual(new Set(['ldprecover']));
  const [recovered] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-json').click()]);
  expect(recovered.suggestedFilename()).toBe('followup-v3-day-recovered.json');
  const json = JSON.parse(readFileSync((await recovered.path())!, 'utf8')) as { defence: string; rows: { integrity?: { status: string } }[] };
  expect(json.defence).toBe('ldprecover');
  expect(json.rows.filter((r) => r.integrity?.status === 'suspicious')).toHaveLength(2);
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'followup-day-integrity-desktop.png'), fullPage: true });
});

test('served by the collector at /dashboard/ (PP_DASHBOARD_DIR): same origin, under its CSP, nothing blocked', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto(`${collector}/dashboard/`);
  expect(response!.status()).toBe(200);
  expect(response!.headers()['content-security-policy']).toContain("default-src 'self'");
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => console.log(`Refused to: ${e.violatedDirective} ${e.blockedURI}`)));
  await expect(page.getByLabel('Collector address')).toHaveValue(collector);
  await page.getByLabel('Read token').fill(READ_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await show(page, 'followup', 'day');
  const effects = await api('/v1/campaigns/followup/estimates?question=effects&bucket=day&version=3&estimand=population');
  const released = effects.cells.find((c) => !c.suppressed)!;
  await expect(page.locator('table[data-question="effects"] [data-field="n"]').first()).toHaveText(effects.cells[0]!.n.toLocaleString('en'));
  expect(released.values!.length).toBeGreaterThan(0);
  expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
  expect(violations).toEqual([]);
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'served-by-collector-desktop.png'), fullPage: true });
});

test('the build holds no token and no collector address (both come at run time)', () => {
  const dist = join(packageDir, 'test-results', 'e2e-stack', 'dist');
  const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  const built = files(dist).filter((f) => !f.endsWith('config.json'));
  expect(built.length).toBeGreaterThan(0);
  for (const file of built) {
    const text = readFileSync(file, 'utf8');
    expect(text.includes(READ_TOKEN), file).toBe(false);
    expect(text.includes(String(E2E_COLLECTOR_PORT)), file).toBe(false);
  }
});
