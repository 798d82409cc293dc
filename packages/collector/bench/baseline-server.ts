/**
 * The baseline of the ingest benchmark: a bare Fastify endpoint that only parses the JSON body
 * (Fastify's default parser, secure-json-parse, as the collector uses) and answers 202 with the
 * same shape as the collector — no validation, no storage, no logging, no plugins. Run as its own
 * process, like the collector, and given the same requests by the same load generator.
 * Prints `{"port": n}` on stdout once listening.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024, logger: false });
app.post<{ Body: { reports: unknown[] } }>('/v1/reports', async (request, reply) => reply.code(202).send({ accepted: request.body.reports.length, duplicates: 0 }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
