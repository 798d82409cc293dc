/**
 * Errors across the worker boundary. Structured cloning keeps only `name` and `message` of an
 * Error, so the worker returns failures as data — `{ ok: false, error: { code, phase, message, path } }`
 * — and the facade re-creates a PrivacyError with the same stable `code`.
 */
import { PrivacyError, type ErrorCode, type ErrorPhase } from '@practical-privacy/core';

export interface SerializedError {
  code: ErrorCode;
  phase: ErrorPhase;
  message: string;
  path?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export async function settle<T>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof PrivacyError) {
    const out: SerializedError = { code: error.code, phase: error.phase, message: error.message };
    if (error.path !== undefined) out.path = error.path;
    return out;
  }
  const name = error instanceof Error ? error.name : 'Error';
  // IndexedDB failures (QuotaExceededError, InvalidStateError, …) mean storage is not usable.
  const storage = /^(QuotaExceeded|InvalidState|Version|Unknown|Data|Abort|NotFound|Transaction)/.test(name);
  return { code: storage ? 'STORAGE_UNAVAILABLE' : 'NOT_SUPPORTED', phase: 'runtime', message: `${name}: ${error instanceof Error ? error.message : String(error)}` };
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { code, phase, message, path } = result.error;
  throw new PrivacyError(code, phase, message, path === undefined ? {} : { path });
}
