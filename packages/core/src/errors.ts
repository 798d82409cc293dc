/**
 * Typed errors with stable codes.
 *
 * Only `name` and `message` survive structured cloning across a Worker boundary, so every error
 * also carries a `code` that the SDK facade re-hydrates; callers branch on `code`, never on text.
 * The `phase` says when the problem was detected (OpenDP's convention): `configuration` (bad
 * parameters at construction), `input` (a bad answer or report), `accounting` (privacy budget),
 * `runtime` (environment failures such as a missing crypto source).
 */

export type ErrorCode =
  | 'PARAMETER_INVALID'
  | 'INPUT_INVALID'
  | 'PAYLOAD_INVALID'
  | 'CAMPAIGN_INVALID'
  /** The SDK could not fetch its campaign (offline, the collector down or not allowing the app's origin) and has none cached: retry later. */
  | 'CAMPAIGN_UNAVAILABLE'
  /** The collector says the campaign is closed (HTTP 409/410 `CAMPAIGN_CLOSED`): nothing more is reported for it. */
  | 'CAMPAIGN_CLOSED'
  | 'REPORT_INVALID'
  | 'BUDGET_EXCEEDED'
  | 'ALREADY_REPORTED'
  | 'TIER_CAP_EXCEEDED'
  | 'RANDOMNESS_UNAVAILABLE'
  | 'CONSENT_REQUIRED'
  | 'STORAGE_UNAVAILABLE'
  | 'WORKER_UNAVAILABLE'
  | 'NOT_SUPPORTED'
  | 'KEY_LIST_INVALID'
  | 'TOKEN_UNAVAILABLE'
  /** The campaign assigns the question's privacy level at random, so the patient's "more private" choice cannot be honoured for it: nothing was reported or charged. */
  | 'LEVEL_ASSIGNED';

export type ErrorPhase = 'configuration' | 'input' | 'accounting' | 'runtime';

export interface PrivacyErrorOptions {
  /** Where in a structured input the problem is, e.g. `reports.3.payload`. */
  path?: string;
  cause?: unknown;
}

export class PrivacyError extends Error {
  readonly code: ErrorCode;
  readonly phase: ErrorPhase;
  readonly path: string | undefined;

  constructor(code: ErrorCode, phase: ErrorPhase, message: string, options: PrivacyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PrivacyError';
    this.code = code;
    this.phase = phase;
    this.path = options.path;
  }
}

/** A constructor argument out of range: names the parameter, like noble's RangeError messages. */
export function parameterError(parameter: string, message: string): PrivacyError {
  return new PrivacyError('PARAMETER_INVALID', 'configuration', `${parameter}: ${message}`, { path: parameter });
}

export function inputError(message: string, path?: string): PrivacyError {
  return new PrivacyError('INPUT_INVALID', 'input', message, path === undefined ? {} : { path });
}

export function payloadError(message: string, path?: string): PrivacyError {
  return new PrivacyError('PAYLOAD_INVALID', 'input', message, path === undefined ? {} : { path });
}

export function isPrivacyError(value: unknown, code?: ErrorCode): value is PrivacyError {
  return value instanceof PrivacyError && (code === undefined || value.code === code);
}
