/**
 * Issue 17 §1 end to end in Chromium, through the demo: the fake portal sign-in → the SDK's token
 * wallet fetches anonymous passes (Privacy Pass tokens) through the app's tokenProvider (the
 * portal session, which calls the reference issuer) → the check-in to the campaign that requires
 * them → the real collector accepts each report with a valid token. The same patient on a second
 * phone gets no passes (the issuer's allowance) and cannot send a second check-in that day; a
 * report without a token, and a replayed token, are refused per report with their codes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { E2E_COLLECTOR_PORT } from '../playwright.config.ts';

const verified = JSON.parse(readFileSync(new URL('../campaign/verified.json', import.meta.url), 'utf8')) as { id: string };

const collector = `http://127.0.0.1:${E2E_COLLECTOR_PORT}`;
const READ = 'demo-read-token-not-a-secret';
const INGEST = 'demo-ingest-key-publishable';
const METRICS = 'demo-metrics-token-not-a-secret';
/** The demo campaign's questions with privacy levels (pain, low-mood): a (day, level) part below the minimum batch is withheld from estimates without being counted (collector README), so one report of them shows in no estimate. */
const LEVELLED = new Set(['pain', 'low-mood']);
const QUESTIONS = ['symptoms', 'pain', 'low-mood', 'medication'];
/** The demo issuer publishes keys for today and 6 days ahead (scripts/stack.mjs DEMO_ISSUER_AHEAD_DAYS). */
const PERIODS = 7;

/** Reports the collector holds for a question of the verified campaign without privacy levels (in the estimates or withheld below the minimum batch). */
async function received(request: import('@playwright/test').APIRequestContext, questionId: string): Promise<number> {
  const response = await request.get(`${collector}/v1/campaigns/${verified.id}/estimates?question=${questionId}&bucket=total`, { headers: { authorization: `Bearer ${READ}` } });
  expect(response.status(), await response.text()).toBe(200);
  const cell = ((await response.json()) as { cells: Array<{ n: number; suppressed?: boolean; withheld?: { reports: number } }> }).cells[0];
  if (cell === undefined) return 0;
  return (cell.suppressed ? 0 : cell.n) + (cell.withheld?.reports ?? 0) + (cell.suppressed && cell.withheld === undefined ? cell.n : 0);
}

/** Every report of the verified campaign the collector accepted (its Prometheus counter), levelled questions included. */
async function acceptedInAll(request: import('@playwright/test').APIRequestContext): Promise<number> {
  const response = await request.get(`${collector}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
  expect(response.status()).toBe(200);
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`pp_reports_accepted_total{campaign="${verified.id}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** What the collector holds: one count per question without levels, and the campaign's accepted total. */
async function held(request: import('@playwright/test').APIRequestContext): Promise<number[]> {
  const counts: number[] = [];
  for (const q of QUESTIONS) if (!LEVELLED.has(q)) counts.push(await received(request, q));
  return [...counts, await acceptedInAll(request)];
}

interface TokenCall {
  sent: { requests?: Array<{ keyId: string; request: string }> } & Record<string, unknown>;
  sentText: string;
  answer: { results: Array<{ keyId: string; response?: string; error?: { code: string } }> };
}

/** Records the page's calls to the portal's token route (request and answer bodies), passing them through. */
async function recordTokenCalls(page: Page): Promise<TokenCall[]> {
  const calls: TokenCall[] = [];
  await page.route('**/portal/token-requests', async (route) => {
    const response = await route.fetch();
    const sentText = route.request().postData() ?? '';
    calls.push({ sent: JSON.parse(sentText), sentText, answer: await response.json() });
    await route.fulfill({ response });
  });
  return calls;
}

async function signIn(page: Page, name: string): Promise<TokenCall> {
  const calls = await recordTokenCalls(page);
  await page.goto('/#/portal');
  await page.getByTestId('demo-name').fill(name);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('signed-in')).toHaveText(`Signed in as ${name} (demo sign-in).`);
  await page.getByTestId('to-checkin').click();
  await expect(page.getByTestId('portal-banner')).toContainText(`Signed in as ${name}`);
  // Nothing is fetched before consent; then the passes come at once, in bulk, through the portal session (one call).
  await expect(page.getByTestId('opt-in')).toBeVisible();
  expect(calls).toHaveLength(0);
  const walletDatabases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('pp-demo-tokens-')));
  expect(await walletDatabases()).toEqual([]);
  await page.getByTestId('opt-in').click();
  await expect(page.getByTestId('submit-checkin')).toBeVisible();
  expect(calls).toHaveLength(1);
  expect(await walletDatabases()).toHaveLength(1);
  return calls[0]!;
}

async function fill(page: Page): Promise<void> {
  await page.getByTestId('symptom-25064002').check();
  await page.getByTestId('pain-3').check();
  await page.getByTestId('mood-no').check();
  await page.getByTestId('medication').fill('ibuprofen');
}

test('fake sign-in → passes fetched → check-in with tokens accepted; a second phone cannot exceed the allowance; a report without a token is refused', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const name = `Ada ${Date.now()}`;
  expect(await held(request)).toEqual([0, 0, 0]);

  // The first phone: sign in, agree, passes for every question and published day in one call.
  const phone = await browser.newContext();
  const page = await phone.newPage();
  const fetched = await signIn(page, name);
  expect(fetched.sent.requests).toHaveLength(QUESTIONS.length * PERIODS);
  // The page sends blinded requests only: no account, no name (the portal's server adds the account).
  expect(Object.keys(fetched.sent)).toEqual(['requests']);
  expect(fetched.sentText.toLowerCase()).not.toContain(name.toLowerCase());
  expect(fetched.answer, JSON.stringify(fetched.answer).slice(0, 300)).toHaveProperty('results');
  expect(fetched.answer.results.filter((r) => typeof r.response === 'string')).toHaveLength(QUESTIONS.length * PERIODS);

  // The check-in: each report carries a 472-character token; the collector answers per report.
  await fill(page);
  const upload = page.waitForResponse((r) => r.url().includes('/v1/reports') && r.request().method() === 'POST');
  await page.getByTestId('submit-checkin').click();
  const uploaded = await upload;
  const sent = JSON.parse(uploaded.request().postData() ?? '{}') as { campaignId: string; campaignVersion: number; reports: Array<Record<string, unknown> & { id: string; questionId: string; ext?: { token?: string } }> };
  expect(sent.campaignId).toBe(verified.id);
  expect(sent.reports.map((r) => r.questionId).sort()).toEqual([...QUESTIONS].sort());
  for (const r of sent.reports) expect(r.ext?.token).toMatch(/^[A-Za-z0-9_-]{472}$/);
  const answer = (await uploaded.json()) as { accepted: number; refused: number; reports: Array<{ id: string; status: string }> };
  expect(answer).toMatchObject({ accepted: QUESTIONS.length, refused: 0 });
  expect(answer.reports.map((r) => r.status)).toEqual(QUESTIONS.map(() => 'accepted'));
  await expect(page.getByTestId('checkin-done')).toBeVisible();
  expect(await held(request)).toEqual([1, 1, QUESTIONS.length]);
  // The session cookie is HttpOnly (no script of the page reads it); the built app holds no issuer secret.
  expect(await page.evaluate(() => document.cookie)).not.toContain('pp_demo_portal');
  const dist = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results', 'e2e-stack', 'dist');
  const built = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  expect(built.length).toBeGreaterThan(0);
  for (const f of built) expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain('demo-issuer-secret');
  // Without the session the portal gives nothing.
  expect((await request.post(`${new URL(page.url()).origin}/portal/token-requests`, { data: { requests: [] } })).status()).toBe(401);
  // The portal page: the other days' passes are held on this phone (today's were spent).
  await page.goto('/#/portal');
  await expect(page.getByTestId('passes')).toHaveText(`This phone holds ${QUESTIONS.length * (PERIODS - 1)} check-in passes for the coming days.`);

  // A second phone of the same patient: the issuer gives no passes (the allowance went to the first
  // phone), so the SDK refuses every answer with TOKEN_UNAVAILABLE and nothing more is counted.
  const second = await browser.newContext();
  const other = await second.newPage();
  const refusedResults = (await signIn(other, name)).answer.results;
  expect(refusedResults.map((r) => r.error?.code)).toEqual(refusedResults.map(() => 'ALLOWANCE_EXCEEDED'));
  await fill(other);
  let uploads = 0;
  other.on('request', (r) => void (r.url().includes('/v1/reports') && r.method() === 'POST' && uploads++));
  await other.getByTestId('submit-checkin').click();
  const problems = other.getByRole('alert');
  await expect(problems).toContainText('TOKEN_UNAVAILABLE');
  await expect(problems.locator('li')).toHaveCount(QUESTIONS.length);
  await expect(other.getByTestId('submit-checkin')).toBeVisible();
  await other.goto('/#/portal');
  await expect(other.getByTestId('passes')).toContainText(`The portal gave no pass for ${QUESTIONS.length * PERIODS} question-days`);
  expect(uploads).toBe(0);
  expect(await held(request)).toEqual([1, 1, QUESTIONS.length]);

  // Straight to the collector: a report without a token, and one replaying a spent token, are each
  // refused per report (202 with codes), and the honest retry of an accepted report is a duplicate.
  const original = sent.reports.find((r) => r.questionId === 'low-mood')!;
  const { id: _id, ext, ...spent } = original;
  const fresh = () => crypto.getRandomValues(new Uint8Array(16)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
  const direct = await request.post(`${collector}/v1/reports?key=${INGEST}`, {
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    data: JSON.stringify({
      protocol: 2,
      campaignId: verified.id,
      campaignVersion: sent.campaignVersion,
      reports: [
        { ...spent, id: fresh() },
        { ...spent, id: fresh(), ext: { token: ext!.token } },
        original,
      ],
    }),
  });
  expect(direct.status(), await direct.text()).toBe(202);
  const body = (await direct.json()) as { accepted: number; refused: number; reports: Array<{ status: string; code?: string }> };
  expect(body).toMatchObject({ accepted: 0, duplicates: 1, refused: 2 });
  expect(body.reports.map((r) => r.code ?? r.status)).toEqual(['TOKEN_MISSING', 'TOKEN_SPENT', 'duplicate']);
  expect(await held(request)).toEqual([1, 1, QUESTIONS.length]);
  await phone.close();
  await second.close();
});
