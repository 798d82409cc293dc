/**
 * End to end through the real pieces: the collector (SQLite) with the demo campaign, the built
 * app in Chromium. Patients opt in and check in from separate browser contexts (separate
 * storage, as separate phones), the simulator sends a seeded synthetic clinic through the ingest
 * API, and the dashboard's 95% intervals must contain the simulated truth.
 *
 * One seeded run cannot test interval coverage: that is checked statistically where it can be —
 * the collector's estimates.slow test (95% coverage over 120 GRR intervals) and core's
 * *-statistics.slow tests (bias ≈ 0, empirical SD ≈ reported SE, numeric coverage). The fixed
 * seed only makes this test deterministic; test/e2e-seed.test.ts checks how much margin it has.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const artifacts = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results');
mkdirSync(artifacts, { recursive: true });

import { E2E_SIMULATED_PATIENTS as SIMULATED_PATIENTS, E2E_SIMULATOR_SEED } from './constants.ts';
import { E2E_COLLECTOR_PORT } from '../playwright.config.ts';

interface Patient {
  symptoms: string[];
  pain: number;
  lowMood: boolean;
  medication: string;
}

const PATIENTS: Patient[] = [
  { symptoms: ['25064002', '84229001'], pain: 4, lowMood: false, medication: 'ibuprofen' },
  { symptoms: ['49727002'], pain: 2, lowMood: true, medication: 'paracetamol' },
  { symptoms: [], pain: 7, lowMood: false, medication: '' },
];

/** Moves focus with Tab only until the element with this test id has it: proves keyboard reachability. */
async function tabTo(page: Page, testId: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${testId} is not reachable with the Tab key`);
}

/** The same check-in with the keyboard alone (Tab, Space, arrow keys, Enter). */
async function checkInByKeyboard(page: Page, patient: Patient): Promise<void> {
  await page.goto('/#/patient');
  await tabTo(page, 'opt-in');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('explain-symptoms')).toBeVisible();
  for (const code of patient.symptoms) {
    await tabTo(page, `symptom-${code}`);
    await page.keyboard.press('Space');
  }
  await tabTo(page, 'pain');
  for (let i = 0; i < patient.pain; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('pain')).toHaveValue(String(patient.pain));
  await tabTo(page, patient.lowMood ? 'mood-yes' : 'mood-no');
  await page.keyboard.press('Space');
  await tabTo(page, 'submit-checkin');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt').getByRole('listitem')).toHaveCount(3);
}

async function checkIn(page: Page, patient: Patient, screenshots: boolean): Promise<void> {
  await page.goto('/#/patient');
  if (screenshots) await page.screenshot({ path: join(artifacts, 'patient-consent.png') });
  await page.getByTestId('opt-in').click();
  await expect(page.getByTestId('explain-symptoms')).toBeVisible();
  for (const code of patient.symptoms) await page.getByTestId(`symptom-${code}`).check();
  await page.getByTestId('pain').fill(String(patient.pain));
  await page.getByTestId(patient.lowMood ? 'mood-yes' : 'mood-no').check();
  if (patient.medication !== '') await page.getByTestId('medication').fill(patient.medication);
  await page.getByTestId('submit-checkin').click();
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toBeVisible();
  await expect(receipt.getByRole('listitem')).toHaveCount(patient.medication === '' ? 3 : 4);
  await expect(receipt.getByRole('alert')).toHaveCount(0);
}

test('patients check in, the simulator sends a clinic, the dashboard intervals contain the truth', async ({ browser, request }) => {
  test.setTimeout(150_000);
  // The demo campaign is published with an ingest key: a batch without it is refused, so every
  // report counted below came through the SDK's or the simulator's `?key=`.
  const keyless = await request.post(`http://127.0.0.1:${E2E_COLLECTOR_PORT}/v1/reports`, {
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    data: JSON.stringify({ campaignId: 'daily-checkin', campaignVersion: 1, reports: [{ id: '0'.repeat(31) + '1', questionId: 'low-mood', day: new Date().toISOString().slice(0, 10), payload: 1 }] }),
  });
  expect(keyless.status()).toBe(401);
  expect(await keyless.json()).toMatchObject({ error: { code: 'INGEST_KEY_INVALID' } });
  // Patients: one browser context each (own IndexedDB/localStorage, like separate phones).
  for (const [i, patient] of PATIENTS.entries()) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (i === PATIENTS.length - 1) await checkInByKeyboard(page, patient);
    else await checkIn(page, patient, i === 0);
    if (i === 0) {
      await page.screenshot({ path: join(artifacts, 'patient-view.png'), fullPage: true });
      // A second check-in the same day sends nothing: the SDK reports each question once per UTC
      // day (ALREADY_REPORTED), so each day's reports come from different patients (the
      // dashboard's per-day shuffle bound assumes it), and the receipt says why in plain words.
      await page.getByTestId('submit-checkin').click();
      const alert = page.getByTestId('receipt').getByRole('alert');
      await expect(alert.getByRole('listitem')).toHaveCount(4);
      await expect(alert).toContainText('you already answered this today');
      await expect(alert).toContainText('ALREADY_REPORTED');
      await expect(page.getByTestId('receipt').locator('.receipt-list li')).toHaveCount(0);
      await expect(page.getByTestId('explain-symptoms')).toContainText('already answered today');
    }
    await context.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();

  // Simulator: a seeded clinic through the real ingest API.
  await page.goto('/#/simulator');
  await page.locator('#sim-patients').fill(String(SIMULATED_PATIENTS));
  await page.locator('#sim-seed').fill(E2E_SIMULATOR_SEED);
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-status')).toHaveAttribute('data-done', 'true', { timeout: 90_000 });
  await expect(page.getByTestId('sim-progress')).toHaveJSProperty('value', SIMULATED_PATIENTS);

  // Dashboard: estimates against the truth the simulator recorded.
  await page.goto('/#/dashboard');
  await expect(page.locator('[data-loaded="true"]')).toBeVisible();
  await expect(page.getByTestId('n-symptoms')).toHaveText(String(SIMULATED_PATIENTS + PATIENTS.length));

  const rows = async (testId: string) =>
    page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
  const checked: string[] = [];
  for (const table of ['table-symptoms', 'table-low-mood', 'table-pain']) {
    const data = await rows(table);
    const withTruth = data.filter((row) => row.truth !== undefined && (table !== 'table-low-mood' || row.value === 'true'));
    expect(withTruth.length, `${table} has rows with a simulated truth`).toBeGreaterThan(0);
    for (const row of withTruth) {
      const [low, high, truth] = [Number(row.low), Number(row.high), Number(row.truth)];
      expect(high - low, `${table} ${row.value}: a real interval`).toBeGreaterThan(0);
      expect(truth, `${table} ${row.value}: truth ${truth} within [${low}, ${high}]`).toBeGreaterThanOrEqual(low);
      expect(truth, `${table} ${row.value}: truth ${truth} within [${low}, ${high}]`).toBeLessThanOrEqual(high);
      checked.push(`${table}/${row.value}: ${truth.toFixed(4)} ∈ [${low.toFixed(4)}, ${high.toFixed(4)}]`);
    }
  }

  // RAPPOR medication: no interval check — the decoder's SEs ignore candidate selection and Bloom
  // collisions, so its intervals cover less than 95%. What n = 20,000 does support: each share
  // has an SE of about 0.021 here, so the two most common medications (27% and 18% of patients)
  // sit near z ≈ 13 and z ≈ 9, against a detection threshold of z ≈ 2.6 (Bonferroni over 12
  // candidates); the next ones (13.5%, 9%) are 2–4 SEs of a difference behind. So: both are
  // detected, and both are among the three largest decoded shares.
  const medications = (await rows('table-medication')).filter((row) => row.truth !== undefined);
  const commonest = [...medications].sort((a, b) => Number(b.truth) - Number(a.truth)).slice(0, 2).map((row) => row.value);
  expect(commonest).toEqual(['paracetamol', 'ibuprofen']);
  const detected = JSON.parse((await page.getByTestId('decoding').getAttribute('data-detected')) ?? '[]') as string[];
  expect(detected.slice(0, 3), `detected ${detected.join(', ')}`).toEqual(expect.arrayContaining(commonest));
  checked.push(`table-medication: most common ${commonest.join(', ')} among the top detected [${detected.join(', ')}]`);

  // Shuffle amplification is stated per day (the whole period's reports are not one per patient).
  await expect(page.getByTestId('amplified-low-mood')).toContainText('per day: ε =');
  console.log(`intervals checked:\n  ${checked.join('\n  ')}`);
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  await page.screenshot({ path: join(artifacts, 'dashboard-top.png') });

  await page.goto('/#/tradeoffs');
  await expect(page.getByTestId('small-clinic')).toBeVisible();
  await page.getByTestId('to-run').click();
  await expect(page.getByTestId('to-empirical').locator('[data-empirical]')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: join(artifacts, 'tradeoffs.png'), fullPage: true });
  await context.close();
});
