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

/**
 * Opt-out deletes the database although another tab holds a connection to it: B opts in and reports
 * (its worker keeps the database open), A opts out. Returns what A's optOut() answered, which of
 * the databases exist afterwards (seen from both tabs), how B behaves without the database, and
 * whether B's opt-in again gives a different device secret (compared by what it computes).
 */
export const eraseWithOtherTab: BrowserCommand<[collectorUrl: string, campaign: unknown]> = async (ctx, collectorUrl, campaign) => {
  const context = (ctx as unknown as { context: { newPage(): Promise<Page> } }).context;
  const tester = (ctx as unknown as { page: { url(): string } }).page;
  const url = new URL('/test/browser/harness.html', tester.url()).href;
  const dbName = `pp-erase-${Date.now()}`;
  const options = JSON.stringify({ collectorUrl, campaign, dbName, flushIntervalMs: 600_000, eraseTimeoutMs: 3_000 });
  const [a, b] = [await context.newPage(), await context.newPage()];
  try {
    for (const page of [a, b]) {
      await page.goto(url);
      await page.waitForFunction('window.ppReady === true');
    }
    const before = await b.evaluate<{ names: string[]; fingerprint: string }>(`(async () => {
      window.client = await window.ppCreateClient(${options});
      await window.client.optIn();
      await window.client.report('fever', true);
      return { names: await window.ppDatabases('${dbName}'), fingerprint: await window.ppSecretFingerprint('${dbName}') };
    })()`);
    const optOut = await a.evaluate<{ result: unknown; ms: number; names: string[] }>(`(async () => {
      const c = await window.ppCreateClient(${options});
      const started = performance.now();
      const result = await c.optOut();
      const ms = performance.now() - started;
      c.close();
      return { result, ms, names: await window.ppDatabases('${dbName}') };
    })()`);
    // Not deleted: the rest would wait behind the pending deletion (an open queues behind it).
    if ((optOut.result as { database?: string }).database !== 'deleted') return { dbName, before, optOut };
    const other = await b.evaluate<{ consented: boolean; refused: string; names: string[] }>(`(async () => {
      const consented = await window.client.consented();
      const refused = await window.client.report('pain', 3).then(() => 'ok', (e) => e.code);
      return { consented, refused, names: await window.ppDatabases('${dbName}') };
    })()`);
    const again = await b.evaluate<{ consented: boolean; names: string[]; fingerprint: string; reported: boolean }>(`(async () => {
      await window.client.optIn();
      const reported = (await window.client.report('fever', false)).epsilonSpent > 0;
      const result = { consented: await window.client.consented(), names: await window.ppDatabases('${dbName}'), fingerprint: await window.ppSecretFingerprint('${dbName}'), reported };
      window.client.close();
      return result;
    })()`);
    return { dbName, before, optOut, other, again };
  } finally {
    await a.close();
    await b.close();
  }
};

/**
 * The refusal survives a reload: opt in, report, opt out, reload, start a client again. Returns
 * which databases exist after the opt-out and after the new client started (it must not re-create
 * the deleted one), and what that client says.
 */
export const optOutThenReload: BrowserCommand<[collectorUrl: string, campaign: unknown]> = async (ctx, collectorUrl, campaign) => {
  const context = (ctx as unknown as { context: { newPage(): Promise<Page> } }).context;
  const tester = (ctx as unknown as { page: { url(): string } }).page;
  const page = await context.newPage();
  const url = new URL('/test/browser/harness.html', tester.url()).href;
  const dbName = `pp-refusal-${Date.now()}`;
  const options = JSON.stringify({ collectorUrl, campaign, dbName, flushIntervalMs: 600_000 });
  try {
    await page.goto(url);
    await page.waitForFunction('window.ppReady === true');
    const before = await page.evaluate<{ optedIn: string[]; result: unknown; optedOut: string[] }>(`(async () => {
      const c = await window.ppCreateClient(${options});
      await c.optIn();
      await c.report('fever', true);
      const optedIn = await window.ppDatabases('${dbName}');
      const result = await c.optOut();
      c.close();
      return { optedIn, result, optedOut: await window.ppDatabases('${dbName}') };
    })()`);
    await page.reload();
    await page.waitForFunction('window.ppReady === true');
    const after = await page.evaluate<{ consented: boolean; refused: string; spent: number; names: string[] }>(`(async () => {
      const c = await window.ppCreateClient(${options});
      const consented = await c.consented();
      const refused = await c.report('fever', true).then(() => 'ok', (e) => e.code);
      const spent = (await c.budget()).spent.lifetime;
      c.close();
      return { consented, refused, spent, names: await window.ppDatabases('${dbName}') };
    })()`);
    return { dbName, before, after };
  } finally {
    await page.close();
  }
};
