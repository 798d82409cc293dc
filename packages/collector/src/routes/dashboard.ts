/**
 * The dashboard's build (packages/dashboard, `pnpm --filter @practical-privacy/dashboard build`)
 * served at /dashboard/ when the operator names its directory (PP_DASHBOARD_DIR). The page then
 * talks to the collector it came from (the dashboard's default: its own origin), with no CORS.
 *
 * @fastify/static (send) confines every path to the directory: `..` segments, plain or
 * percent-encoded, are refused; dotfiles are not served; directories are not listed
 * (test/dashboard-static.test.ts). Every file carries a Content-Security-Policy that lets the page
 * load only its own files and connect only to this origin, so a script from elsewhere cannot run
 * beside the read token the page keeps in sessionStorage.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config.ts';

/** The dashboard's build needs nothing else: its own scripts, styles and data: icons, and fetch() to this origin. */
export const DASHBOARD_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export async function dashboardRoutes(app: FastifyInstance, dir: string): Promise<void> {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) throw new ConfigError(`PP_DASHBOARD_DIR ${dir}: no index.html there (build the dashboard: pnpm --filter @practical-privacy/dashboard build, then name its dist/)`);
  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard',
    // GET /dashboard → /dashboard/, so the build's relative paths resolve under it.
    redirect: true,
    index: ['index.html'],
    list: false,
    // (@fastify/static's default is 'allow'.)
    dotfiles: 'deny',
    // Swagger UI registers @fastify/static too; one reply decorator is enough.
    decorateReply: false,
    setHeaders: (reply) => {
      void reply.header('content-security-policy', DASHBOARD_CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    },
  });
}
