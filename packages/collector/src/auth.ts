/**
 * Bearer tokens. Two sources, checked together on every authenticated request:
 * - the configured PP_ADMIN_TOKEN / PP_READ_TOKEN, labelled `env:PP_ADMIN_TOKEN` / `env:PP_READ_TOKEN`
 *   (compared in constant time with tokensEqual, both always compared);
 * - tokens created through the admin API (operations/tokens.ts), stored as SHA-256 only, with a
 *   label, optional expiry, revocation and (read tokens) a campaign scope. The presented token's
 *   SHA-256 is looked up by index: the lookup's timing can only depend on the hash, and learning
 *   about the hash of a guess tells nothing about a 256-bit random token (preimage resistance), so
 *   no byte of a stored token leaks (the tokens the API creates are 256 random bits).
 * Revoked and expired tokens get 401 like unknown ones (and count as failed attempts); a valid
 * token of the wrong role gets 403 FORBIDDEN.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import type { TokenRole } from './storage/repository.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** SHA-256 of a token as 64 lowercase hex digits: the only form a token is stored in. */
export function tokenSha256(token: string): string {
  return digest(token).toString('hex');
}

/** Who made an authenticated request: the token's label (what the audit log records), role and read scope. */
export interface Principal {
  label: string;
  role: TokenRole;
  /** Campaign ids this token may read; null = every campaign. */
  campaigns: readonly string[] | null;
}

export const ENV_ADMIN_LABEL = 'env:PP_ADMIN_TOKEN';
export const ENV_READ_LABEL = 'env:PP_READ_TOKEN';

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/**
 * The principal behind the request's bearer token, which must have `role`; 401 UNAUTHORIZED (and a
 * failed attempt for the throttle) for no, unknown, revoked or expired token, 403 FORBIDDEN for a
 * valid token of the other role.
 */
export async function authenticate(request: FastifyRequest, ctx: AppContext, role: TokenRole, what: string): Promise<Principal> {
  ctx.authThrottle.check(request.ip);
  const presented = bearerOf(request);
  const principal = presented === undefined ? undefined : await principalOf(presented, ctx);
  if (principal === undefined) {
    ctx.authThrottle.fail(request.ip);
    throw new HttpError(401, 'UNAUTHORIZED', `${what} needs a valid ${role} bearer token (unknown, revoked and expired tokens are refused)`);
  }
  if (principal.role !== role) throw new HttpError(403, 'FORBIDDEN', `${what} needs a ${role} token; token ${principal.label} is a ${principal.role} token`);
  return principal;
}

async function principalOf(presented: string, ctx: AppContext): Promise<Principal | undefined> {
  // Both configured tokens are always compared, so the time does not say which one matched.
  const { adminToken, readToken } = ctx.config;
  const isAdmin = adminToken !== undefined && tokensEqual(presented, adminToken);
  const isRead = readToken !== undefined && tokensEqual(presented, readToken);
  if (isAdmin) return { label: ENV_ADMIN_LABEL, role: 'admin', campaigns: null };
  if (isRead) return { label: ENV_READ_LABEL, role: 'read', campaigns: null };
  const hash = tokenSha256(presented);
  const stored = await ctx.repository.findToken(hash);
  if (stored === undefined || stored.revokedAt !== null) return undefined;
  if (stored.expiresAt !== null && Date.parse(stored.expiresAt) <= ctx.now().getTime()) return undefined;
  return { label: stored.label, role: stored.role, campaigns: stored.campaigns };
}

/** Whether `principal` may read `campaignId`. A campaign outside a token's scope is answered like one never published (404). */
export function mayRead(principal: Pick<Principal, 'campaigns'>, campaignId: string): boolean {
  return principal.campaigns === null || principal.campaigns.includes(campaignId);
}

export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Failed bearer-token attempts per client address, in fixed one-minute windows (memory only; the
 * map is dropped at each window, so it holds at most one minute of addresses). Past the limit, the
 * address gets 429 on every authenticated route, right token or not, until the window ends.
 */
export class AuthThrottle {
  private failures = new Map<string, number>();
  private windowStart = 0;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  private roll(): void {
    const now = this.clock();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.failures = new Map();
    }
  }

  check(address: string): void {
    this.roll();
    if ((this.failures.get(address) ?? 0) >= this.maxFailures) {
      const wait = Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.clock()) / 1000));
      throw new HttpError(429, 'RATE_LIMITED', `more than ${this.maxFailures} failed authentications per minute from this address; retry in ${wait} s`, undefined, wait);
    }
  }

  fail(address: string): void {
    this.roll();
    this.failures.set(address, (this.failures.get(address) ?? 0) + 1);
  }
}

/** Throws 401 unless the request carries `Authorization: Bearer <expected>`; an unset token locks the route. */
export function requireBearer(request: FastifyRequest, expected: string | undefined, what: string, throttle?: AuthThrottle): void {
  throttle?.check(request.ip);
  const header = request.headers.authorization;
  const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (expected === undefined || presented === undefined || !tokensEqual(presented, expected)) {
    throttle?.fail(request.ip);
    throw new HttpError(401, 'UNAUTHORIZED', expected === undefined ? `${what} is disabled: set its token in the configuration` : `${what} needs a valid bearer token`);
  }
}
