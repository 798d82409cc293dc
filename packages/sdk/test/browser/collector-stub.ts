/**
 * vitest globalSetup: a small HTTP endpoint standing in for the collector (issue #4) in the browser
 * suite. POST /v1/reports records every body and answers 202 {accepted, duplicates} (deduplicated by
 * report id, like the collector); while "offline" it destroys the connection (a network error in
 * the browser). GET /recorded returns what it saw; POST /offline and /online switch modes.
 * POST /campaign (a campaign's JSON, text/plain so the browser sends it without a preflight)
 * publishes it at GET /v1/campaigns/:id, which is "offline" too while the reports are;
 * `POST /campaign?cors=0` serves it without CORS headers, as a collector that does not list the
 * app's origin in PP_ALLOWED_ORIGINS does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    collectorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const bodies: Array<{ contentType: string | undefined; body: string }> = [];
  const seen = new Set<string>();
  const campaigns = new Map<string, { body: string; cors: boolean }>();
  let offline = false;
  const cors = { 'access-control-allow-origin': '*' };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/reports') {
        if (offline) return req.socket.destroy();
        bodies.push({ contentType: req.headers['content-type'], body });
        let accepted = 0;
        let duplicates = 0;
        for (const { id } of (JSON.parse(body) as { reports: Array<{ id: string }> }).reports) {
          if (seen.has(id)) duplicates++;
          else {
            seen.add(id);
            accepted++;
          }
        }
        res.writeHead(202, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates }));
      } else if (req.method === 'POST' && req.url?.startsWith('/campaign')) {
        campaigns.set((JSON.parse(body) as { id: string }).id, { body, cors: req.url !== '/campaign?cors=0' });
        res.writeHead(204, cors).end();
      } else if (req.method === 'GET' && req.url?.startsWith('/v1/campaigns/')) {
        if (offline) return req.socket.destroy();
        const campaign = campaigns.get(decodeURIComponent(req.url.slice('/v1/campaigns/'.length)));
        if (campaign === undefined) res.writeHead(404, { ...cors, 'content-type': 'application/json' }).end('{"error":{"code":"CAMPAIGN_UNKNOWN"}}');
        else res.writeHead(200, { ...(campaign.cors ? cors : {}), 'content-type': 'application/json' }).end(campaign.body);
      } else if (req.url === '/recorded') {
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ bodies, accepted: [...seen] }));
      } else if (req.url === '/offline' || req.url === '/online') {
        offline = req.url === '/offline';
        res.writeHead(204, cors).end();
      } else if (req.url === '/reset') {
        bodies.length = 0;
        seen.clear();
        offline = false;
        res.writeHead(204, cors).end();
      } else res.writeHead(404, cors).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('collectorUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
