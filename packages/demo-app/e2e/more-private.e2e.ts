/**
 * "More privacy" end to end (issue 14 §2): the patient view offers it in plain words with what it
 * costs the clinic, `setPrivacy('more-private')` keeps it on the phone across visits, the check-in's
 * reports carry the strictest level of each question with levels (what the collector receives, and
 * accepts), the receipt says so, and "Go back to the usual level" undoes it.
 *
 * Its own stack (collector and built app on other ports, a fresh database), so its reports do not
 * change the counts demo.e2e.ts asserts on the shared one.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- plain ESM script without type declarations
import { startStack } from '../scripts/stack.mjs';

const COLLECTOR_PORT = 8799;
const APP_PORT = 5185;

interface SentReport {
  questionId: string;
  ext?: { level?: number };
}

test('a patient chooses more privacy: kept across visits, the reports carry the stricter levels, and it can be undone', async ({ browser }) => {
  test.setTimeout(150_000);
  const dataDir = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results', 'e2e-more-private-stack');
  const stack = (await startStack({ collectorPort: COLLECTOR_PORT, appPort: APP_PORT, dataDir, quiet: true, mode: 'preview' })) as { appUrl: string; stop: () => Promise<void> };
  try {
    const context = await browser.newContext({ baseURL: stack.appUrl });
    const sent: SentReport[] = [];
    const accepted: number[] = [];
    context.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/v1/reports')) sent.push(...(JSON.parse(request.postData() ?? '{}') as { reports: SentReport[] }).reports);
    });
    context.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url().includes('/v1/reports')) accepted.push(response.status());
    });
    const page = await context.newPage();
    await page.goto('/#/patient');
    await page.getByTestId('opt-in').click();
    const card = page.getByTestId('privacy-choice');
    await expect(card.getByTestId('privacy-status')).toHaveAttribute('data-choice', 'default');
    // The offer in plain words, with the planner's cost for the clinic (test/privacy-cost.test.ts checks the figures).
    await expect(card).toContainText('“Pain score (0-10)” and “Low mood” are then scrambled more strongly');
    await expect(card.getByTestId('privacy-cost')).toContainText('within about ±13 points instead of ±7');
    expect(await card.innerText()).not.toMatch(/ε/);

    await card.getByTestId('privacy-more').click();
    await expect(card.getByTestId('privacy-status')).toHaveAttribute('data-choice', 'more-private');
    await expect(card.getByTestId('privacy-default')).toBeFocused();
    // The form's explanations follow the choice (the SDK's explain(), in its Details).
    await expect(page.getByTestId('explain-low-mood')).toContainText('You chose more privacy', { useInnerText: false });
    await expect(page.getByTestId('explain-symptoms')).not.toContainText('You chose more privacy', { useInnerText: false });

    // A later visit: the SDK kept the choice on the phone.
    await page.reload();
    await expect(page.getByTestId('privacy-choice').getByTestId('privacy-status')).toHaveAttribute('data-choice', 'more-private');
    await expect(page.getByTestId('explain-pain')).toContainText('Privacy level: ε₁ = 0.75 (your choice', { useInnerText: false });

    await page.getByTestId('symptom-25064002').check();
    await page.getByTestId('pain-3').check();
    await page.getByTestId('mood-yes').check();
    await page.getByTestId('submit-checkin').click();
    const receipt = page.getByTestId('receipt');
    await expect(receipt.getByTestId('delivery')).toContainText('Delivered');
    await expect(receipt.getByTestId('receipt-line')).toContainText(['Sent with more privacy, as you chose: Pain score (0-10) and Low mood.']);
    await expect(receipt.getByTestId('receipt-low-mood')).toContainText('Privacy level ε₁ = 0.5.', { useInnerText: false });

    // What the collector received, and accepted: the strictest level of each question with levels; none on the others.
    await expect.poll(() => sent.map((r) => [r.questionId, r.ext?.level]).sort()).toEqual([
      ['low-mood', 0.5],
      ['pain', 0.75],
      ['symptoms', undefined],
    ]);
    await expect.poll(() => accepted).toEqual([202]);

    // Undone: the usual level again, also on the next visit.
    await page.getByTestId('privacy-default').click();
    await expect(page.getByTestId('privacy-status')).toHaveAttribute('data-choice', 'default');
    await page.reload();
    await expect(page.getByTestId('privacy-status')).toHaveAttribute('data-choice', 'default');
    await page.screenshot({ path: join(dataDir, 'patient-more-private.png'), fullPage: true });
    await context.close();
  } finally {
    await stack.stop();
  }
});
