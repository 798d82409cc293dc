/* global fetch, Buffer */
// The demo's patient portal (issue 17 §1): a FAKE login and the portal's server side of Privacy
// Pass, as a Vite plugin, so the app and its "backend" share one origin (dev and preview).
//
// DEMO ONLY: there are no passwords. A patient picks or types a demo name; the portal keeps the
// session in memory (an HttpOnly, SameSite=Strict cookie holds its random id) and, for that
// session only, forwards the app's blinded token requests to the reference issuer
// (packages/token-issuer) with the portal-to-issuer secret and the patient's account id. The
// secret and the account never reach the page; the issuer sees the account and blinded requests,
// never a question, an answer or the collector's reports.
//
//   POST /portal/login           {"name"}      → 200 {"name"}; sets the session cookie
//   GET  /portal/session                       → 200 {"name"} | 401
//   POST /portal/logout                        → 204
//   POST /portal/token-requests  {"requests"}  → the issuer's answer (200 {"results"}) | 401 without a session
//
// Configured by scripts/stack.mjs through PP_DEMO_ISSUER_URL and PP_DEMO_ISSUER_SECRET (not
// VITE_-prefixed: never in the bundle). Without them every route answers 503.
import { createHash, randomBytes } from 'node:crypto';

const COOKIE = 'pp_demo_portal';
const MAX_BODY = 1_048_576;
// Letters (any script), digits, spaces and . ' - ; 1–40 characters after trimming.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} .'-]{0,39}$/u;

/**
 * The issuer's account id for a demo name: the same name (any case and spacing) is the same patient,
 * so a second phone shares the allowance. Opaque and ASCII, as a portal's account ids are.
 */
export function accountOf(name) {
  return `demo-${createHash('sha256').update(name.trim().toLowerCase().replace(/\s+/g, ' ')).digest('hex').slice(0, 32)}`;
}

/** A valid demo name (trimmed), or undefined. */
export function demoName(value) {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  return NAME.test(name) ? name : undefined;
}

/**
 * The portal's request handler (connect-style middleware).
 * @param {{ issuerUrl?: string, issuerSecret?: string, fetch?: typeof fetch }} options
 */
export function portalHandler(options) {
  const sessions = new Map();
  const doFetch = options.fetch ?? fetch;
  return async (req, res, next) => {
    const url = (req.url ?? '').split('?')[0];
    if (!url.startsWith('/portal/')) return next();
    res.setHeader('cache-control', 'no-store');
    if (options.issuerUrl === undefined || options.issuerSecret === undefined) return send(res, 503, { error: { code: 'PORTAL_UNCONFIGURED', message: 'no token issuer configured: start the demo with `pnpm demo`' } });
    const sid = cookieOf(req.headers.cookie ?? '', COOKIE);
    const session = sid === undefined ? undefined : sessions.get(sid);
    try {
      if (req.method === 'POST' && url === '/portal/login') {
        const name = demoName((await readJson(req))?.name);
        if (name === undefined) return send(res, 400, { error: { code: 'NAME_INVALID', message: 'a name of 1–40 letters, digits, spaces or . \' -' } });
        const id = randomBytes(32).toString('base64url');
        sessions.set(id, { name, account: accountOf(name) });
        if (sid !== undefined) sessions.delete(sid);
        res.setHeader('set-cookie', `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/portal`);
        return send(res, 200, { name });
      }
      if (req.method === 'GET' && url === '/portal/session') return session === undefined ? send(res, 401, { error: { code: 'SIGNED_OUT', message: 'not signed in' } }) : send(res, 200, { name: session.name });
      if (req.method === 'POST' && url === '/portal/logout') {
        if (sid !== undefined) sessions.delete(sid);
        res.setHeader('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/portal; Max-Age=0`);
        res.statusCode = 204;
        return res.end();
      }
      if (req.method === 'POST' && url === '/portal/token-requests') {
        if (session === undefined) return send(res, 401, { error: { code: 'SIGNED_OUT', message: 'sign in to get check-in passes' } });
        const body = await readJson(req);
        const answer = await doFetch(`${options.issuerUrl}/v1/token-requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.issuerSecret}` },
          body: JSON.stringify({ account: session.account, requests: body?.requests }),
        });
        res.statusCode = answer.status;
        res.setHeader('content-type', 'application/json');
        return res.end(await answer.text());
      }
      return send(res, 404, { error: { code: 'NOT_FOUND', message: `${req.method} ${url}` } });
    } catch (error) {
      return send(res, error instanceof BodyError ? 400 : 502, { error: { code: error instanceof BodyError ? 'BODY_INVALID' : 'ISSUER_UNAVAILABLE', message: error.message } });
    }
  };
}

/** The Vite plugin: the portal on the app's own origin, in `vite` (dev) and `vite preview`. */
export function demoPortal() {
  const handler = portalHandler({ issuerUrl: process.env.PP_DEMO_ISSUER_URL || undefined, issuerSecret: process.env.PP_DEMO_ISSUER_SECRET || undefined });
  return {
    name: 'pp-demo-portal',
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
  };
}

class BodyError extends Error {}

function cookieOf(header, name) {
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function send(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BodyError('body larger than 1 MB');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError('body is not JSON');
  }
}
