/**
 * A client that sends its body slowly is cut off after the request timeout (issue #16.3): Node's
 * requestTimeout bounds the whole request, headers and body, however steadily the bytes trickle in.
 */
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { makeApp } from './helpers.ts';

let app: CollectorApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

it('PP_REQUEST_TIMEOUT_MS defaults to 30 s and is validated', () => {
  expect(loadConfig({}).requestTimeoutMs).toBe(30_000);
  expect(loadConfig({ PP_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs).toBe(5_000);
  expect(() => loadConfig({ PP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/PP_REQUEST_TIMEOUT_MS/);
});

it('a body sent one byte every 100 ms is cut off after the configured request timeout', async () => {
  app = await makeApp({ requestTimeoutMs: 600 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const started = Date.now();
  socket.write('POST /v1/reports HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{');
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write(' ');
  }, 100);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => {});
  const closedAfter = await new Promise<number>((resolve) => {
    socket.once('close', () => resolve(Date.now() - started));
    setTimeout(() => resolve(Number.POSITIVE_INFINITY), 8_000).unref();
  });
  clearInterval(trickle);
  socket.destroy();
  expect(closedAfter).toBeLessThan(4_000);
  expect(closedAfter).toBeGreaterThanOrEqual(500);
  if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408/);
});
