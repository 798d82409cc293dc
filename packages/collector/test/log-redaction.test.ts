/**
 * At `trace`, a malformed HTTP request (Node's clientError) must not log its raw bytes: they hold
 * the bearer token and the ingest key (issue #16.4).
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { makeApp } from './helpers.ts';

const SECRET_TOKEN = 'sEcReT-bearer-token-0123456789';
const SECRET_KEY = 'pk_sEcReT_ingest_key_987654';

async function sendRaw(port: number, raw: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(raw);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    setTimeout(resolve, 3_000).unref();
  });
  socket.destroy();
  return answer;
}

it('a malformed request logged at trace holds neither its bearer token nor its ingest key', async () => {
  const lines: string[] = [];
  const app = await makeApp({ logLevel: 'trace' }, { logStream: { write: (line) => void lines.push(line) } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  // An invalid header value (a bare CR) makes Node's parser refuse the request after the secrets.
  const answers = [
    await sendRaw(port, `POST /v1/reports?key=${SECRET_KEY} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${SECRET_TOKEN}\r\nx-pp-ingest-key: ${SECRET_KEY}\r\nbad header\r\n\r\n`),
    await sendRaw(port, `GET /v1/campaigns/demo/estimates?key=${SECRET_KEY} HTTP/1.1\r\nauthorization: Bearer ${SECRET_TOKEN}\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n`),
  ];
  await app.close();
  for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 400/);
  const log = lines.join('');
  expect(log).toContain('client error');
  expect(log).not.toContain(SECRET_TOKEN);
  expect(log).not.toContain(SECRET_KEY);
  expect(log).not.toContain('rawPacket');
  for (const secret of [SECRET_TOKEN, SECRET_KEY]) expect(log).not.toContain([...Buffer.from(secret)].join(','));
});

it('requests logged at trace hold neither the authorization header nor ?key=', async () => {
  const lines: string[] = [];
  const app = await makeApp({ logLevel: 'trace' }, { logStream: { write: (line) => void lines.push(line) } });
  await app.inject({ method: 'GET', url: `/v1/campaigns/demo/estimates?question=fever&key=${SECRET_KEY}`, headers: { authorization: `Bearer ${SECRET_TOKEN}` } });
  await app.inject({ method: 'POST', url: `/v1/reports?key=${SECRET_KEY}`, headers: { authorization: `Bearer ${SECRET_TOKEN}`, 'x-pp-ingest-key': SECRET_KEY }, payload: '{' });
  await app.close();
  const log = lines.join('');
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(SECRET_TOKEN);
  expect(log).not.toContain(SECRET_KEY);
});
