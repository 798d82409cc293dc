/**
 * The report day window as docs/protocol.md states it: days up to the UTC day of the collector's
 * clock plus one hour (devices whose clock runs ahead stamp the new UTC day first), and back to
 * PP_REPORT_WINDOW_DAYS before the collector's own UTC day.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { batch, makeApp, post, publish, report } from './helpers.ts';

const TODAY = '2026-03-15';
const dayOffset = (days: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function appAt(time: string): Promise<CollectorApp> {
  const app = await makeApp({ reportWindowDays: 30 }, { now: () => new Date(`${TODAY}T${time}Z`) });
  expect(await publish(app)).toBe(201);
  return app;
}

async function status(app: CollectorApp, day: string): Promise<number> {
  return (await post(app, batch([report('fever', 1, { day })]))).statusCode;
}

describe('report day window', () => {
  let app: CollectorApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('before 23:00 UTC: today and the window are accepted, tomorrow is refused', async () => {
    app = await appAt('22:59:59');
    expect(await status(app, TODAY)).toBe(202);
    expect(await status(app, dayOffset(1))).toBe(400);
    expect(await status(app, dayOffset(-30))).toBe(202);
    expect(await status(app, dayOffset(-31))).toBe(400);
  });

  it('in the last hour before 00:00 UTC: tomorrow is accepted, the day after is not, and the window still reaches 30 days back', async () => {
    app = await appAt('23:30:00');
    expect(await status(app, dayOffset(1))).toBe(202);
    expect(await status(app, dayOffset(2))).toBe(400);
    expect(await status(app, dayOffset(-30))).toBe(202);
    expect(await status(app, dayOffset(-31))).toBe(400);
  });
});
