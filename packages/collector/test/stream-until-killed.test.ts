/**
 * The crash test's sender (`streamUntilKilled`) must not hide server failures: only a connection
 * cut off by the kill is tolerated; an HTTP 5xx answered just before the kill fails the test.
 */
import { describe, expect, it } from 'vitest';
import { isConnectionError, streamUntilKilled } from './process-helpers.ts';

const connectionError = (code = 'UND_ERR_SOCKET') => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code }) });

/** A fake collector: requests hang until the kill, then each gets `answer()`; requests after the kill fail to connect. */
function fakeCollector(answer: () => Response | Error) {
  let killed = false;
  const pending: Array<() => void> = [];
  return {
    send: async (): Promise<Response> => {
      if (killed) throw connectionError('ECONNREFUSED');
      await new Promise<void>((resolve) => pending.push(resolve));
      const result = answer();
      if (result instanceof Error) throw result;
      return result;
    },
    kill: () => {
      killed = true;
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}

const run = (collector: ReturnType<typeof fakeCollector>) => streamUntilKilled({ ...collector, makeBatch: () => [1, 2], killAfterMs: 5, senders: 2 });

describe('streamUntilKilled', () => {
  it('tolerates connections cut off by the kill (nothing acknowledged)', async () => {
    expect(await run(fakeCollector(() => connectionError('ECONNRESET')))).toMatchObject({ acked: [] });
  });

  it('counts 202s answered around the kill as acknowledged', async () => {
    const { acked, attempted } = await run(fakeCollector(() => new Response('{}', { status: 202 })));
    expect(acked).toEqual(attempted);
  });

  it('fails on an HTTP 5xx answered just before the kill', async () => {
    await expect(run(fakeCollector(() => new Response('{"error":{"code":"INTERNAL"}}', { status: 500 })))).rejects.toThrow(/unexpected HTTP 500/);
  });

  it('fails on errors that are not a cut connection, and on connection errors before the kill', async () => {
    await expect(run(fakeCollector(() => new Error('boom')))).rejects.toThrow('boom');
    const refusedEarly = { send: async (): Promise<Response> => Promise.reject(connectionError('ECONNREFUSED')), kill: () => undefined };
    await expect(streamUntilKilled({ ...refusedEarly, makeBatch: () => [1], killAfterMs: 5, senders: 1 })).rejects.toThrow('fetch failed');
  });

  it('recognises fetch connection errors only', () => {
    expect(isConnectionError(connectionError('ECONNRESET'))).toBe(true);
    expect(isConnectionError(connectionError('ECONNREFUSED'))).toBe(true);
    expect(isConnectionError(new TypeError('fetch failed'))).toBe(false);
    expect(isConnectionError(new TypeError('x is not a function'))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
  });
});
