/**
 * The dashboard against a real collector, for two campaigns it was not written for: sign-in with
 * a read token (a wrong one refused), the campaign list from GET /v1/campaigns, numbers on screen
 * equal to the API's, a withheld cell with its reason, the CSV download equal to the table,
 * nothing of the token in the build or left in the tab after sign-out; a real poisoning attack
 * flagged on screen and recovered; screenshots at desktop and phone width in
 * test-results/screenshots/ for review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { E2E_COLLECTOR_PORT } from '../playwright.config.ts';
import type { CellRelease, EstimateRelease } from '@practical-privacy/collector/api';
import { ATTACK, READ_TOKEN } from './stack.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const collector = `http://127.0.0.1:${E2E_COLLECTOR_PORT}`;

interface ApiValue { value: string; unbiased: number; ci95: [number, number] }
type ApiCell = Omit<CellRelease, 'values'> & { values?: ApiValue[] };

async function api(path: string): Promise<{ cells: ApiCell[]; defence?: EstimateRelease['defence'] }> {
  const response = await fetch(`${collector}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { cells: ApiCell[]; defence?: EstimateRelease['defence'] };
}

/** One RFC 4180 line's fields (reasons and notes hold commas and are quoted). */
function csvFields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
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
      // By the value's code (data-value): a label filter ('No') also matches the integrity column's "not applicable".
      const row = table.locator(`tr[data-value="${v.value}"]`, { hasText: cell.period });
      await expect(row.locator('td').first()).toHaveText(v.value === 'true' ? 'Yes' : 'No');
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
 * Integrity signals from the real collector: today's reports to intake/symptom (OUE) carry a
 * maximal-gain attack (stack.ts ATTACK, posted through the HTTP ingest), yesterday's are honest.
 * The collector flags today's cell; the dashboard must show it as suspicious (and yesterday as ok)
 * in the table, for screen readers and in the CSV; the recovered view asks for defence=ldprecover,
 * says so, and shows the collector's recovered values and each cell's recovery note.
 */
test('a real poisoning attack: the attacked day shows suspicious, the honest day does not; the recovered view shows the collector\'s recovered values and notes', async ({ page }) => {
  const asked: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/estimates')) asked.push(url.searchParams.get('defence') ?? 'none');
  });
  const path = (question: string, defence = '') => `/v1/campaigns/${ATTACK.campaign}/estimates?question=${question}&bucket=day&version=1&estimand=population${defence}`;
  const plain = await api(path(ATTACK.question));
  const [yesterday, today] = plain.cells;
  // The collector's own verdict, which the screen must carry.
  expect(plain.cells).toHaveLength(2);
  expect(yesterday!.integrity?.status).toBe('ok');
  expect(today!.integrity?.status).toBe('suspicious');
  expect(today!.n).toBe(ATTACK.honest + ATTACK.fakes);

  await signIn(page);
  await show(page, ATTACK.campaign, 'day');
  const alert = page.getByTestId(`suspicious-${ATTACK.question}`);
  await expect(alert).toContainText('Suspicious: 1 of 2 released cells');
  await expect(alert).toContainText(today!.integrity!.reason);
  // GRR, binary RR and numeric questions: the collector cannot tell a fake report apart, nothing is flagged.
  for (const other of ['smoker', 'visit', 'sleep']) await expect(page.getByTestId(`suspicious-${other}`)).toHaveCount(0);
  const table = page.locator(`table[data-question="${ATTACK.question}"]`);
  const flagged = table.locator('tr[data-integrity="suspicious"]');
  await expect(flagged).toHaveCount(16);
  await expect(flagged.filter({ hasText: today!.period })).toHaveCount(16);
  await expect(flagged.first().locator('[data-field="integrity"]')).toHaveText(`⚠ suspicious: ${today!.integrity!.reason}`);
  await expect(flagged.first().locator('th')).toContainText(', flagged suspicious');
  const honestRows = table.locator('tr', { hasText: yesterday!.period });
  await expect(honestRows).toHaveCount(16);
  await expect(honestRows.and(page.locator('[data-integrity="ok"]'))).toHaveCount(16);
  await expect(honestRows.first().locator('[data-field="integrity"]')).toHaveText('ok');
  await expect(page.locator(`table[data-question="visit"] [data-field="integrity"]`).first()).toContainText('not applicable');
  await expect(page.getByTestId('defence-label')).toBeHidden();
  await expect(table.locator('[data-field="recovery"]')).toHaveCount(0);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  const [header, ...lines] = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
  const columns = header!.split(',');
  const field = (line: string, column: string) => csvFields(line)[columns.indexOf(column)];
  const suspicious = lines.filter((l) => field(l, 'integrityStatus') === 'suspicious');
  expect(suspicious).toHaveLength(16);
  expect(suspicious.every((l) => field(l, 'question') === ATTACK.question && field(l, 'period') === today!.period && field(l, 'integrityReason') === today!.integrity!.reason)).toBe(true);
  expect(lines.every((l) => field(l, 'defence') === 'none')).toBe(true);
  expect(asked.length).toBeGreaterThan(0);
  expect(new Set(asked)).toEqual(new Set(['none']));
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'intake-day-poisoned-desktop.png'), fullPage: true });

  asked.length = 0;
  await page.getByLabel('Recovered estimates (LDPRecover)').check();
  await expect(page.locator('#content[data-loaded="true"]')).toBeAttached();
  await expect(page.getByTestId('defence-label')).toHaveText(/^Recovered estimates \(LDPRecover\)/);
  expect(new Set(asked)).toEqual(new Set(['ldprecover']));
  const recovered = await api(path(ATTACK.question, '&defence=ldprecover'));
  expect(recovered.defence).toBe('ldprecover');
  const attackedRecovery = recovered.cells[1]!.recovery!;
  expect(attackedRecovery).toMatchObject({ applied: true, targets: [ATTACK.target] });
  // The recovery changed the target's estimate on the attacked day: the comparison below is not of equal numbers.
  const target = (cell: ApiCell) => cell.values!.find((v) => v.value === ATTACK.target)!.unbiased;
  expect(target(recovered.cells[1]!)).toBeLessThan(target(today!) - 0.03);
  for (const cell of recovered.cells) {
    for (const v of cell.values!) {
      const row = table.locator(`tr[data-value="${v.value}"]`, { hasText: cell.period });
      await expect(row).toHaveAttribute('data-estimate', String(v.unbiased));
      await expect(row.locator('[data-field="estimate"]')).toHaveText(`${(v.unbiased * 100).toFixed(1)}%`);
      await expect(row.locator('[data-field="ci"]')).toHaveText(`${(v.ci95[0] * 100).toFixed(1)}% to ${(v.ci95[1] * 100).toFixed(1)}%`);
      await expect(row.locator('[data-field="recovery"]')).toHaveAttribute('title', cell.recovery!.note);
    }
  }
  const attackedRecoveryCell = table.locator(`tr[data-value="${ATTACK.target}"]`, { hasText: today!.period }).locator('[data-field="recovery"]');
  await expect(attackedRecoveryCell).toHaveText(`applied: ${(attackedRecovery.fakeShare! * 100).toFixed(1)}% of reports taken as fake, target Rash`);
  // A GRR question: the collector says why it did not recover, and the table says it too.
  const visit = await api(`/v1/campaigns/${ATTACK.campaign}/estimates?question=visit&bucket=day&version=1&estimand=population&defence=ldprecover`);
  await expect(page.locator('table[data-question="visit"] [data-field="recovery"]').first()).toHaveText(visit.cells.find((c) => !c.suppressed)!.recovery!.note);

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-json').click()]);
  expect(json.suggestedFilename()).toBe('intake-v1-day-recovered.json');
  const body = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { defence: string; rows: { question: string; period: string; value: string; estimate?: number; integrity?: { status: string }; recovery?: unknown }[] };
  expect(body.defence).toBe('ldprecover');
  const attackedRows = body.rows.filter((r) => r.question === ATTACK.question && r.period === today!.period);
  expect(attackedRows).toHaveLength(16);
  for (const r of attackedRows) {
    expect(r.integrity?.status).toBe('suspicious');
    expect(r.recovery).toEqual(attackedRecovery);
    expect(r.estimate).toBe(recovered.cells[1]!.values!.find((v) => v.value === r.value)!.unbiased);
  }
  await page.screenshot({ path: join(packageDir, 'test-results', 'screenshots', 'intake-day-recovered-desktop.png'), fullPage: true });
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
