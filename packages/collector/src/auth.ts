/** Bearer-token checks in constant time (the token length is not secret: it is ≥ 16 by configuration). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
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
    if ((this.failures.get(address) ?? 0) >= this.maxFailures) throw new HttpError(429, 'RATE_LIMITED', `more than ${this.maxFailures} failed authentications per minute from this address; retry later`);
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
