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

/** An answer left undefined (or a medication left empty) is skipped: the form sends only what was answered. */
interface Patient {
  symptoms: string[];
  pain?: number;
  lowMood?: boolean;
  medication: string;
}

const PATIENTS: Patient[] = [
  { symptoms: ['25064002', '84229001'], pain: 4, lowMood: false, medication: 'ibuprofen' },
  // Skips the pain question: nothing is sent for it (the dashboard's pain n is one short).
  { symptoms: ['49727002'], lowMood: true, medication: 'paracetamol' },
  { symptoms: [], pain: 7, lowMood: false, medication: '' },
];

/** The questions a patient's check-in sends. */
function answered(patient: Patient): string[] {
  return ['symptoms', ...(patient.pain === undefined ? [] : ['pain']), ...(patient.lowMood === undefined ? [] : ['low-mood']), ...(patient.medication === '' ? [] : ['medication'])];
}

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
  // Radio groups start unanswered: Tab reaches the first choice, Space picks it, arrows move on.
  if (patient.pain !== undefined) {
    await tabTo(page, 'pain-0');
    await page.keyboard.press('Space');
    for (let i = 0; i < patient.pain; i++) await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId(`pain-${patient.pain}`)).toBeChecked();
  }
  if (patient.lowMood !== undefined) {
    await tabTo(page, 'mood-yes');
    await page.keyboard.press(patient.lowMood ? 'Space' : 'ArrowRight');
    await expect(page.getByTestId(patient.lowMood ? 'mood-yes' : 'mood-no')).toBeChecked();
  }
  await tabTo(page, 'submit-checkin');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt').locator('.receipt-list li')).toHaveCount(answered(patient).length);
}

async function checkIn(page: Page, patient: Patient, screenshots: boolean): Promise<void> {
  await page.goto('/#/patient');
  if (screenshots) await page.screenshot({ path: join(artifacts, 'patient-consent.png') });
  await page.getByTestId('opt-in').click();
  await expect(page.getByTestId('explain-symptoms')).toBeVisible();
  for (const code of patient.symptoms) await page.getByTestId(`symptom-${code}`).check();
  if (patient.pain !== undefined) await page.getByTestId(`pain-${patient.pain}`).check();
  if (patient.lowMood !== undefined) await page.getByTestId(patient.lowMood ? 'mood-yes' : 'mood-no').check();
  if (patient.medication !== '') await page.getByTestId('medication').fill(patient.medication);
  await page.getByTestId('submit-checkin').click();
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toBeVisible();
  await expect(receipt.locator('.receipt-list li')).toHaveCount(answered(patient).length);
  for (const id of answered(patient)) await expect(receipt.getByTestId(`receipt-${id}`)).toBeVisible();
  await expect(receipt.getByRole('alert')).toHaveCount(0);
  await expect(receipt.getByTestId('delivery')).toContainText('Delivered');
  // The first check-in pays ε∞ of each question; the receipt states it and the lifetime bound D·ε∞
  // (symptoms: ε∞ = 2 on each of its first 3 reports; low mood: 2 on each of its first 2).
  await expect(receipt.getByTestId('receipt-symptoms')).toContainText('this report cost ε = 2.00; all reports of this question together cost at most ε = 6.00');
  if (patient.lowMood !== undefined) await expect(receipt.getByTestId('receipt-low-mood')).toContainText('at most ε = 4.00 (ε = 2.00 on each of its first 2 reports');
}

test('patients check in, the simulator sends a clinic, the dashboard intervals contain the truth', async ({ browser, request }) => {
  test.setTimeout(150_000);
  // The demo campaign is published with an ingest key: a batch without it is refused, so every
  // report counted below came through the SDK's or the simulator's `?key=`.
  const keyless = await request.post(`http://127.0.0.1:${E2E_COLLECTOR_PORT}/v1/reports`, {
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    data: JSON.stringify({ campaignId: 'daily-checkin', campaignVersion: 2, reports: [{ id: '0'.repeat(31) + '1', questionId: 'low-mood', day: new Date().toISOString().slice(0, 10), payload: 1 }] }),
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
      // Nothing was sent, so nothing is said to be delivered.
      await expect(page.getByTestId('delivery')).toHaveText('Nothing new was sent.');
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
  // Only answered questions were sent: one patient skipped pain, one left the medication empty.
  const sentFor = (id: string) => PATIENTS.filter((patient) => answered(patient).includes(id)).length;
  await expect(page.getByTestId('n-pain')).toHaveText(String(SIMULATED_PATIENTS + sentFor('pain')));
  await expect(page.getByTestId('n-medication')).toHaveText(String(SIMULATED_PATIENTS + sentFor('medication')));

  const rows = async (testId: string) =>
    page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
  // The medication question is LOLOHA over the 12 candidates plus "other": a share for each, and
  // '(other)' for every name outside the list (the simulator sends some).
  const medicationValues = (await rows('table-medication')).map((row) => row.value);
  expect(medicationValues).toHaveLength(13);
  expect(medicationValues.at(-1)).toBe('(other)');
  const checked: string[] = [];
  // 23 intervals (8 symptoms, the yes share, mean pain, 13 medication shares): the fixed seed's
  // margins are checked in test/e2e-seed.test.ts.
  for (const table of ['table-symptoms', 'table-low-mood', 'table-pain', 'table-medication']) {
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
  expect(checked).toHaveLength(23);

  // Shuffle amplification is stated per day (the whole period's reports are not one per patient).
  await expect(page.getByTestId('amplified-low-mood')).toContainText('per day: ε =');
  // The intervals say whom they are about: the population, with the collector's assumptions.
  await expect(page.getByTestId('estimand-low-mood')).toHaveText('the patient population (respondents as a sample)');
  await expect(page.getByTestId('estimand-detail-low-mood')).toContainText('finite-population correction', { useInnerText: false });
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
