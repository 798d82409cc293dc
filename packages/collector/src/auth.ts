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

/** Throws 401 unless the request carries `Authorization: Bearer <expected>`; an unset token locks the route. */
export function requireBearer(request: FastifyRequest, expected: string | undefined, what: string): void {
  const header = request.headers.authorization;
  const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (expected === undefined || presented === undefined || !tokensEqual(presented, expected)) {
    throw new HttpError(401, 'UNAUTHORIZED', expected === undefined ? `${what} is disabled: set its token in the configuration` : `${what} needs a valid bearer token`);
  }
}
