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

/**
 * Two tabs of the same origin over one database: B reports, A opts out, then B's page hides. B's
 * sendBeacon is replaced by a recorder; B also listens on the opt-out channel itself, created after
 * its client's, so by the time it hears the signal the SDK's listener has run (HTML: a broadcast is
 * delivered to the channels in creation order).
 */
export const optOutInOtherTab: BrowserCommand<[collectorUrl: string, campaign: unknown]> = async (ctx, collectorUrl, campaign) => {
  const context = (ctx as unknown as { context: { newPage(): Promise<Page> } }).context;
  const tester = (ctx as unknown as { page: { url(): string } }).page;
  const url = new URL('/test/browser/harness.html', tester.url()).href;
  const dbName = `pp-tabs-${Date.now()}`;
  const options = JSON.stringify({ collectorUrl, campaign, dbName, flushIntervalMs: 600_000 });
  const [a, b] = [await context.newPage(), await context.newPage()];
  try {
    for (const page of [a, b]) {
      await page.goto(url);
      await page.waitForFunction('window.ppReady === true');
    }
    await b.evaluate(`(async () => {
      window.beacons = [];
      Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: (_url, body) => (window.beacons.push(String(body)), true) });
      window.client = await window.ppCreateClient(${options});
      const channel = new BroadcastChannel('practical-privacy/opt-out/${dbName}');
      window.heard = new Promise((resolve) => (channel.onmessage = resolve));
      await window.client.optIn();
      await window.client.report('fever', true);
    })()`);
    const hide = `(() => { window.beacons.length = 0; dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false })); return window.beacons.length; })()`;
    const before = await b.evaluate<number>(hide);
    await a.evaluate(`(async () => {
      const c = await window.ppCreateClient(${options});
      await c.optOut();
      c.close();
    })()`);
    await b.evaluate('window.heard.then(() => undefined)');
    const after = await b.evaluate<number>(hide);
    const refused = await b.evaluate<string>(`window.client.report('pain', 3).then(() => 'ok', (e) => e.code)`);
    const consented = await b.evaluate<boolean>('window.client.consented()');
    await b.evaluate('window.client.close()');
    return { before, after, refused, consented };
  } finally {
    await a.close();
    await b.close();
  }
};
