/**
 * Argument checks at the boundary. Every check throws a PrivacyError naming the parameter.
 * Numbers are checked for type, finiteness and range separately so the message says which.
 */
import { parameterError } from './errors.ts';

/** Largest ε the library accepts: beyond this e^ε overflows the threshold grid's resolution. */
export const MAX_EPSILON = 20;

export function checkEpsilon(value: unknown, parameter = 'epsilon'): number {
  const epsilon = checkFiniteNumber(value, parameter);
  if (epsilon <= 0) throw parameterError(parameter, `must be > 0, got ${epsilon}`);
  if (epsilon > MAX_EPSILON) throw parameterError(parameter, `must be ≤ ${MAX_EPSILON}, got ${epsilon}`);
  return epsilon;
}

export function checkFiniteNumber(value: unknown, parameter: string): number {
  if (typeof value !== 'number') throw parameterError(parameter, `must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw parameterError(parameter, `must be finite, got ${value}`);
  return value;
}

export function checkInteger(value: unknown, parameter: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = checkFiniteNumber(value, parameter);
  if (!Number.isInteger(n)) throw parameterError(parameter, `must be an integer, got ${n}`);
  if (n < min || n > max) throw parameterError(parameter, `must be in [${min}, ${max}], got ${n}`);
  return n;
}

/** Domain size k of a categorical question. 2^16 keeps unary reports and server sums bounded. */
export const MAX_DOMAIN_SIZE = 65_536;

export function checkDomainSize(value: unknown, parameter = 'k'): number {
  return checkInteger(value, parameter, 2, MAX_DOMAIN_SIZE);
}

/** A probability strictly inside (0, 1). */
export function checkOpenProbability(value: unknown, parameter: string): number {
  const p = checkFiniteNumber(value, parameter);
  if (!(p > 0 && p < 1)) throw parameterError(parameter, `must be in (0, 1), got ${p}`);
  return p;
}

/** A probability in [0, 1]. */
export function checkProbability(value: unknown, parameter: string): number {
  const p = checkFiniteNumber(value, parameter);
  if (!(p >= 0 && p <= 1)) throw parameterError(parameter, `must be in [0, 1], got ${p}`);
  return p;
}
