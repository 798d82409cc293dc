// The Chromium half of test-consumers.mjs: one fixture app, served at `origin`, against the real
// collector. Playwright drives Debian's Chromium (browsers are never downloaded).
import { chromium } from 'playwright';

const CAMPAIGN = (id) => ({ id, version: 1, title: 'Consumer fixture', questions: [{ id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 }] });
// How long the page is watched after the first report for a reload: Vite's late dependency
// discovery reloads about 1.4 s after the worker starts (the demo's, measured in issue 15).
const SETTLE_MS = 3_000;

export async function runInBrowser({ chromiumPath, collector, origin, campaignId, what, missingWorker = false }) {
  await collector.publish(CAMPAIGN(campaignId));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const fail = (message) => {
    throw new Error(`${what}: ${message}`);
  };
  try {
    const page = await (await browser.newContext()).newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Console errors name no URL for a failed load; the failed responses do (the browser's own
    // favicon request aside).
    page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && problems.push(`console error: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`HTTP ${r.status()} for ${r.url()}`));
    let navigations = 0;
    page.on('framenavigated', (frame) => frame === page.mainFrame() && (navigations += 1));
    await page.goto(`${origin}/?collector=${encodeURIComponent(collector.url)}&campaign=${campaignId}`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
    const loads = navigations;
    // A marker a reload would erase (a navigation event alone could be missed between polls).
    await page.evaluate(() => (window.consumerMarker = 'first-load'));

    const first = await page.evaluate(() => window.consumer.optInAndReport());
    if (first.sent !== 1 || first.dropped !== 0 || first.explanation !== 'string') fail(`optIn + report + flush gave ${JSON.stringify(first)}, expected one report sent`);
    await page.waitForTimeout(SETTLE_MS);
    const marker = await page.evaluate(() => window.consumerMarker);
    if (navigations !== loads || marker !== 'first-load') fail(`the page reloaded after the first optIn()/report() (${navigations - loads} navigation(s))`);

    const again = await page.evaluate(() => window.consumer.flushAgain());
    if (again.sent !== 0) fail(`a second delivery round sent ${again.sent} report(s) again`);
    const counts = await collector.counts(campaignId);
    if (counts.accepted !== 1 || counts.duplicates !== 0) fail(`the collector counted ${counts.accepted} accepted and ${counts.duplicates} duplicate report(s), expected 1 and 0`);

    if (missingWorker) {
      // A 10-minute handshake timeout: only the worker's load error can reject before the test ends,
      // and the message says which path was taken.
      const missing = await page.evaluate(() => window.consumer.startWithWorker('/no-such-worker.js'));
      if (missing.code !== 'WORKER_UNAVAILABLE' || !missing.message.includes('/no-such-worker.js') || !/failed to load/.test(missing.message)) {
        fail(`a worker URL answering 404 gave ${JSON.stringify(missing)}, expected WORKER_UNAVAILABLE naming the URL (failed to load)`);
      }
      // The page's own error reporting of the 404 itself is expected.
      for (let i = problems.length - 1; i >= 0; i -= 1) if (/no-such-worker|404/.test(problems[i])) problems.splice(i, 1);
    }
    if (problems.length > 0) fail(`the page reported errors:\n${problems.join('\n')}`);
    console.log(`consumers: ${what}: 1 report acknowledged, counted once by the collector, no reload${missingWorker ? '; 404 worker → WORKER_UNAVAILABLE from its load error (timeout set to 10 min)' : ''}`);
  } finally {
    await browser.close();
  }
}
