/**
 * HTTP errors with a stable machine-readable body `{ error: { code, message, path } }`.
 * Codes a client can branch on: REPORT_INVALID, REQUEST_INVALID (a malformed query or path parameter), PAYLOAD_INVALID, CAMPAIGN_INVALID, CAMPAIGN_UNKNOWN,
 * QUESTION_UNKNOWN, PLAN_INSUFFICIENT, WEIGHTING_UNAVAILABLE (inverse-variance weights for levels not assigned at random), INGEST_KEY_INVALID, BATCH_TOO_LARGE, BODY_TOO_LARGE,
 * UNSUPPORTED_MEDIA_TYPE, JSON_INVALID, UNAUTHORIZED, NOT_FOUND, CAMPAIGN_IMMUTABLE, RATE_LIMITED,
 * OVERLOADED, INTERNAL; and for the admin API and lifecycle: FORBIDDEN (a valid token of the other
 * role), CAMPAIGN_CLOSED (410 on ingest, 409 on publish), CAMPAIGN_OPEN, CONFIRMATION_REQUIRED,
 * LABEL_TAKEN, TOKEN_UNKNOWN, INGEST_KEY_UNKNOWN; VERSIONS_DIFFER (versions=merge over changed
 * definitions), NOT_SUPPORTED (a rappor-* export of a question that is not RAPPOR),
 * TOKEN_KEYS_UNCONFIGURED (GET /v1/token-keys without a key list). A 429 carries Retry-After
 * (`retryAfterSeconds`). BODY_INCOMPLETE (the connection closed mid-body) is
 * never read by a client; it names the refusal in pp_batches_rejected_total.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    /** Sent as Retry-After (whole seconds) by the error handler. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): { error: { code: string; message: string; path?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.path === undefined ? {} : { path: this.path }) } };
  }
}
