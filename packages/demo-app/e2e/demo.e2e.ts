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
// @ts-expect-error -- plain ESM script without type declarations
import { DEMO_READ_TOKEN } from '../scripts/stack.mjs';

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
  await expect(page.getByTestId('submit-checkin')).toBeVisible();
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
  await expect(page.getByTestId('submit-checkin')).toBeVisible();
  await fillAndSend(page, patient);
}

async function fillAndSend(page: Page, patient: Patient): Promise<void> {
  // Plain words on the form: no ε, bits, codes or UTC dates outside "Details".
  await expectPlainWords(page);
  await expect(page.getByTestId('skip-note')).toContainText('The clinic can see that it was not answered today');
  for (const code of patient.symptoms) await page.getByTestId(`symptom-${code}`).check();
  if (patient.pain !== undefined) await page.getByTestId(`pain-${patient.pain}`).check();
  if (patient.lowMood !== undefined) await page.getByTestId(patient.lowMood ? 'mood-yes' : 'mood-no').check();
  if (patient.medication !== '') await page.getByTestId('medication').fill(patient.medication);
  await page.getByTestId('submit-checkin').click();
  const receipt = page.getByTestId('receipt');
  await expect(receipt).toBeVisible();
  await expect(receipt.locator('.receipt-list li')).toHaveCount(answered(patient).length);
  for (const id of answered(patient)) await expect(receipt.getByTestId(`receipt-${id}`)).toBeAttached();
  await expect(receipt.getByRole('alert')).toHaveCount(0);
  await expect(receipt.getByTestId('delivery')).toContainText('Delivered');
  // Done for today: the form is gone, nothing invites a second check-in.
  await expect(page.getByTestId('checkin-done')).toBeVisible();
  await expect(page.getByTestId('submit-checkin')).toHaveCount(0);
  await expectPlainWords(page);
  // The first check-in pays ε∞ of each question; the receipt states it and the lifetime bound D·ε∞
  // (symptoms: ε∞ = 2 on each of its first 3 reports; low mood: 2 on each of its first 2).
  await expect(receipt.getByTestId('receipt-symptoms')).toContainText('this report cost ε = 2.00; all reports of this question together cost at most ε = 6.00');
  if (patient.lowMood !== undefined) await expect(receipt.getByTestId('receipt-low-mood')).toContainText('at most ε = 4.00 (ε = 2.00 on each of its first 2 reports');
}

/** No sentence is said twice in a question's section of the dashboard (details included). */
async function expectNoRepeatedSentences(page: Page): Promise<void> {
  for (const section of await page.locator('section[data-testid^="section-"]').all()) {
    const sentences = await section.evaluate((el) => {
      const clone = el.cloneNode(true) as HTMLElement;
      for (const t of clone.querySelectorAll('table, .chart')) t.remove();
      return (clone.textContent ?? '').split(/(?<=[.!?])\s+|\n/).map((x) => x.trim()).filter((x) => x.length > 25);
    });
    const repeated = sentences.filter((x, i) => sentences.indexOf(x) !== i);
    expect(repeated, `${await section.getAttribute('data-testid')}: repeated sentences`).toEqual([]);
  }
}

/** What a patient reads without opening "Details": plain words, local time. */
async function expectPlainWords(page: Page): Promise<void> {
  const visible = await page.locator('main').evaluate((main) => {
    const clone = main.cloneNode(true) as HTMLElement;
    for (const d of clone.querySelectorAll('details')) d.remove();
    return clone.innerText || clone.textContent || '';
  });
  expect(visible).not.toMatch(/ε|\bbits\b|SNOMED|\(UTC\)|\d{4}-\d{2}-\d{2}|other \d+ answers/);
}

test('patients check in, the simulator sends a clinic, the dashboard intervals contain the truth', async ({ browser, request }) => {
  test.setTimeout(150_000);
  // The demo campaign is published with an ingest key: a batch without it is refused, so every
  // report counted below came through the SDK's or the simulator's `?key=`.
  const keyless = await request.post(`http://127.0.0.1:${E2E_COLLECTOR_PORT}/v1/reports`, {
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    data: JSON.stringify({ campaignId: 'daily-checkin', campaignVersion: 3, reports: [{ id: '0'.repeat(31) + '1', questionId: 'low-mood', day: new Date().toISOString().slice(0, 10), payload: 1 }] }),
  });
  expect(keyless.status()).toBe(401);
  expect(await keyless.json()).toMatchObject({ error: { code: 'INGEST_KEY_INVALID' } });
  // An empty dashboard says where reports come from, and counts nothing twice.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto('/#/dashboard');
    await expect(page.locator('[data-loaded="true"]')).toBeVisible();
    await expect(page.getByTestId('dashboard-empty')).toContainText('No reports yet.');
    await expect(page.getByTestId('dashboard-empty').getByRole('link', { name: 'Simulator' })).toHaveAttribute('href', '#/simulator');
    await expect(page.getByTestId('received-symptoms')).toHaveText('0');
    await expect(page.getByTestId('n-symptoms')).toHaveText('0');
    await expectNoRepeatedSentences(page);
    await page.screenshot({ path: join(artifacts, 'dashboard-empty.png'), fullPage: true });
    await context.close();
  }
  // Patients: one browser context each (own IndexedDB/localStorage, like separate phones).
  for (const [i, patient] of PATIENTS.entries()) {
    const context = await browser.newContext();
    // What the collector receives from this phone: the question ids of every batch it is sent.
    const received: string[] = [];
    context.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/v1/reports')) received.push(...(JSON.parse(request.postData() ?? '{}') as { reports: Array<{ questionId: string }> }).reports.map((r) => r.questionId));
    });
    const page = await context.newPage();
    let secondTab: Page | undefined;
    if (i === 0) {
      // A second tab opened before the first check-in still shows the form.
      await page.goto('/#/patient');
      await page.screenshot({ path: join(artifacts, 'patient-consent.png') });
      await page.getByTestId('opt-in').click();
      await expect(page.getByTestId('submit-checkin')).toBeVisible();
      secondTab = await context.newPage();
      await secondTab.goto('/#/patient');
      await expect(secondTab.getByTestId('submit-checkin')).toBeVisible();
      await fillAndSend(page, patient);
    } else if (i === PATIENTS.length - 1) await checkInByKeyboard(page, patient);
    else await checkIn(page, patient, false);
    // A skipped question is visible to the clinic as "not answered today": nothing arrives for it.
    await expect.poll(() => [...new Set(received)].sort()).toEqual([...answered(patient)].sort());
    expect(received).toHaveLength(answered(patient).length);
    if (i === 0) {
      await page.screenshot({ path: join(artifacts, 'patient-view.png'), fullPage: true });
      // The second tab's check-in sends nothing: the SDK reports each question once per UTC day
      // (ALREADY_REPORTED), so each day's reports come from different patients (the dashboard's
      // per-day shuffle bound assumes it). The receipt says so in plain words — not as an error,
      // and with no "Delivered".
      await secondTab!.getByTestId('submit-checkin').click();
      const receipt = secondTab!.getByTestId('receipt');
      // (The second tab's form was left empty: symptoms are "none of these", the rest skipped.)
      await expect(receipt.getByTestId('receipt-line')).toHaveText(['Already answered today, so not sent again: Symptoms today.', 'Not answered today (nothing sent): Pain score (0-10), Low mood and Most recent medication.']);
      await expect(receipt.getByRole('alert')).toHaveCount(0);
      await expect(receipt.locator('.receipt-list li')).toHaveCount(0);
      await expect(receipt.getByTestId('delivery')).toHaveText('Nothing new was sent.');
      await expect(secondTab!.getByTestId('checkin-done')).toBeVisible();
      expect(received).toHaveLength(answered(patient).length);
      await secondTab!.close();
      // A reload shows today's check-in as done (from the SDK's ledger), with the local date.
      await page.reload();
      await expect(page.getByTestId('checkin-done')).toContainText('You have done today’s check-in');
      await expect(page.getByTestId('submit-checkin')).toHaveCount(0);
      // Opting out asks first and says what it did; opting back in the same day allows no second check-in.
      await page.getByTestId('opt-out').click();
      await expect(page.getByTestId('opt-out-dialog')).toBeVisible();
      await expect(page.getByTestId('opt-out-dialog')).toContainText('Kept: only the day of your last check-in — no answers');
      await page.getByTestId('opt-out-cancel').click();
      await expect(page.getByTestId('opt-out-dialog')).toBeHidden();
      await expect(page.getByTestId('checkin-done')).toBeVisible();
      await page.getByTestId('opt-out').click();
      await page.getByTestId('opt-out-confirm').click();
      await expect(page.getByTestId('opted-out')).toContainText('Erased from this phone: your privacy key, your privacy record and any scrambled answers not yet sent.');
      await page.getByTestId('opt-in').click();
      await expect(page.getByTestId('checkin-done')).toContainText('remembered the day of your last check-in — never your answers');
      await expect(page.getByTestId('submit-checkin')).toHaveCount(0);
      expect(received).toHaveLength(answered(patient).length);
    }
    await context.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();

  // Three patients' reports, all on one day below the minimum batch: counted consistently.
  await page.goto('/#/dashboard');
  await expect(page.locator('[data-loaded="true"]')).toBeVisible();
  await expect(page.getByTestId('dashboard-empty')).toContainText('Too few reports for any estimate yet');
  await expect(page.getByTestId('received-symptoms')).toHaveText(String(PATIENTS.length));
  await expect(page.getByTestId('n-symptoms')).toHaveText('0');
  await expect(page.getByTestId('withheld-days-symptoms')).toHaveText(`${PATIENTS.length} reports on 1 day with fewer than 20 reports each (the minimum batch)`);
  await expectNoRepeatedSentences(page);

  // A truth saved for an earlier demo database (another database id; and one from before truths
  // carried their database) must not be added to this run's: the intervals below would miss it.
  await page.goto('/#/simulator');
  await page.evaluate((collector) => {
    const stale = { patients: 20_000, symptomCounts: Array(8).fill(20_000), painSum: 200_000, lowMoodYes: 20_000, medicationCounts: Array(12).fill(0), otherMedication: 20_000 };
    localStorage.setItem('pp-demo-simulated-truth-v1', JSON.stringify(stale));
    localStorage.setItem('pp-demo-simulated-truth-v2', JSON.stringify({ owner: { collectorUrl: collector, databaseId: 'an-earlier-demo-database', campaign: 'daily-checkin@2' }, truth: stale }));
  }, `http://localhost:${E2E_COLLECTOR_PORT}`);

  // Simulator: every invalid field is marked and listed at the top; nothing is sent.
  await page.locator('#sim-patients').fill('500');
  await page.locator('#sim-pain').fill('11');
  await page.getByTestId('sim-run').click();
  const summary = page.getByTestId('sim-error-summary');
  await expect(summary.getByRole('listitem')).toHaveCount(2);
  await expect(summary).toBeFocused();
  for (const id of ['sim-patients', 'sim-pain']) {
    await expect(page.locator(`#${id}`)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator(`#${id}`)).toHaveAttribute('aria-describedby', new RegExp(`\\b${id}-error\\b`));
    await expect(page.getByTestId(`${id}-error`)).toBeVisible();
  }
  await expect(page.getByTestId('sim-progress')).toHaveJSProperty('value', 0);
  await summary.getByRole('link').first().click();
  await expect(page.locator('#sim-patients')).toBeFocused();
  await page.locator('#sim-pain').fill('3.5');

  // Simulator: a seeded clinic through the real ingest API.
  await page.locator('#sim-patients').fill(String(SIMULATED_PATIENTS));
  await page.locator('#sim-seed').fill(E2E_SIMULATOR_SEED);
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-status')).toHaveAttribute('data-done', 'true', { timeout: 90_000 });
  await expect(page.getByTestId('sim-progress')).toHaveJSProperty('value', SIMULATED_PATIENTS);

  // Dashboard: estimates against the truth the simulator recorded.
  await page.goto('/#/dashboard');
  await expect(page.locator('[data-loaded="true"]')).toBeVisible();
  // (Counts are printed with thousands separators, as in the dashboard's tables.)
  const counted = (n: number) => n.toLocaleString('en');
  await expect(page.getByTestId('n-symptoms')).toHaveText(counted(SIMULATED_PATIENTS + PATIENTS.length));
  // Only answered questions were sent: one patient skipped pain, one left the medication empty.
  const sentFor = (id: string) => PATIENTS.filter((patient) => answered(patient).includes(id)).length;
  await expect(page.getByTestId('n-pain')).toHaveText(counted(SIMULATED_PATIENTS + sentFor('pain')));
  await expect(page.getByTestId('n-medication')).toHaveText(counted(SIMULATED_PATIENTS + sentFor('medication')));

  // The shared dashboard's tables (one per question, opened on the total): each row carries
  // full-precision copies of its value, interval and the simulated truth (data-reference).
  const rows = async (question: string) =>
    page.locator(`table[data-question="${question}"]`).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
  // The medication question is LOLOHA over the 12 candidates plus "other": a share for each, and
  // '(other)' for every name outside the list (the simulator sends some).
  const medicationValues = (await rows('medication')).map((row) => row.value);
  expect(medicationValues).toHaveLength(13);
  expect(medicationValues.at(-1)).toBe('(other)');
  const checked: string[] = [];
  // 23 intervals (8 symptoms, the yes share, mean pain, 13 medication shares): the fixed seed's
  // margins are checked in test/e2e-seed.test.ts.
  for (const table of ['symptoms', 'low-mood', 'pain', 'medication']) {
    const data = await rows(table);
    const withTruth = data.filter((row) => row.reference !== undefined && (table !== 'low-mood' || row.value === 'true'));
    expect(withTruth.length, `${table} has rows with a simulated truth`).toBeGreaterThan(0);
    for (const row of withTruth) {
      const [low, high, truth] = [Number(row.low), Number(row.high), Number(row.reference)];
      expect(high - low, `${table} ${row.value}: a real interval`).toBeGreaterThan(0);
      expect(truth, `${table} ${row.value}: truth ${truth} within [${low}, ${high}]`).toBeGreaterThanOrEqual(low);
      expect(truth, `${table} ${row.value}: truth ${truth} within [${low}, ${high}]`).toBeLessThanOrEqual(high);
      checked.push(`${table}/${row.value}: ${truth.toFixed(4)} ∈ [${low.toFixed(4)}, ${high.toFixed(4)}]`);
    }
  }
  expect(checked).toHaveLength(23);

  await expectNoRepeatedSentences(page);
  // Shuffle amplification is stated per day (the whole period's reports are not one per patient):
  // the total says where to find it, the day bucket states it.
  await expect(page.getByTestId('amplified-low-mood')).toHaveText('stated per UTC day only (choose the day bucket)');
  // No chart or table makes a 390 px phone scroll sideways (tables scroll inside their own box).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  await page.screenshot({ path: join(artifacts, 'dashboard-top.png') });
  // The mounted dashboard uses the token the demo gives it and stores it nowhere in the page.
  const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
  expect(stored).toContain('pp-demo-simulated-truth');
  expect(stored).not.toContain(DEMO_READ_TOKEN);
  await page.getByLabel('Bucket').selectOption('day');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#content[data-loaded="true"]')).toBeAttached();
  await expect(page.getByTestId('amplified-low-mood')).toContainText('per day: ε =');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // The intervals say whom they are about: the population, with the collector's assumptions.
  await expect(page.getByTestId('estimand-low-mood')).toHaveText('the patient population (respondents as a sample)');
  await expect(page.getByTestId('estimand-detail-low-mood')).toContainText('finite-population correction', { useInnerText: false });
  console.log(`intervals checked:\n  ${checked.join('\n  ')}`);
  await page.screenshot({ path: join(artifacts, 'dashboard-day.png'), fullPage: true });

  await page.goto('/#/tradeoffs');
  await expect(page.getByTestId('small-clinic')).toBeVisible();
  // n is validated (n ≤ 0 used to become 1), and a huge n runs a bounded, scaled check.
  await page.getByTestId('to-n').fill('0');
  await expect(page.getByTestId('to-n-error')).toHaveText('A clinic needs at least 1 patient (got 0).');
  await expect(page.getByTestId('to-n')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('to-run')).toBeDisabled();
  await page.getByTestId('to-n').fill('10,000,000');
  await expect(page.getByTestId('to-n-error')).toBeHidden();
  await page.getByTestId('to-run').click();
  await expect(page.getByTestId('to-empirical').locator('caption')).toContainText('scaled to n = 10,000,000');
  await page.getByTestId('to-n').fill('300');
  await page.getByTestId('to-run').click();
  await expect(page.getByTestId('to-empirical').locator('[data-empirical]')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: join(artifacts, 'tradeoffs.png'), fullPage: true });
  await context.close();
});
