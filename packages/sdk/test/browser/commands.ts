/**
 * A vitest browser command (runs in Node with Playwright): opens the SDK harness page in a new tab,
 * reports with it, RELOADS the page, and reads consent, budget and the outbox count back through a
 * fresh client — IndexedDB state must survive the reload.
 */
import type { BrowserCommand } from 'vitest/node';

interface Page {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  waitForFunction(fn: string): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  close(): Promise<void>;
}

export const reportThenReload: BrowserCommand<[collectorUrl: string, campaign: unknown]> = async (ctx, collectorUrl, campaign) => {
  const context = (ctx as unknown as { context: { newPage(): Promise<Page> } }).context;
  const tester = (ctx as unknown as { page: { url(): string } }).page;
  const page = await context.newPage();
  const url = new URL('/test/browser/harness.html', tester.url()).href;
  const options = JSON.stringify({ collectorUrl, campaign, dbName: 'pp-reload', flushIntervalMs: 600_000 });
  try {
    await page.goto(url);
    await page.waitForFunction('window.ppReady === true');
    const before = await page.evaluate<{ spent: number; reportId: string }>(`(async () => {
      const c = await window.ppCreateClient(${options});
      await c.optIn();
      const r = await c.report('fever', true);
      const b = await c.budget();
      c.close();
      return { spent: b.spent.lifetime, reportId: r.reportId };
    })()`);
    await page.reload();
    await page.waitForFunction('window.ppReady === true');
    const after = await page.evaluate<{ consented: boolean; spent: number; resent: number }>(`(async () => {
      const c = await window.ppCreateClient(${options});
      const consented = await c.consented();
      const b = await c.budget();
      const f = await c.flush();
      c.close();
      return { consented, spent: b.spent.lifetime, resent: f.sent };
    })()`);
    return { before, after };
  } finally {
    await page.close();
  }
};
