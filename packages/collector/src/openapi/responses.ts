/**
 * Building blocks of the routes' `response` maps. Fastify serializes nothing with them (app.ts sets
 * a JSON.stringify serializer): they exist for the OpenAPI document, and test/openapi-responses.test.ts
 * validates every real answer of every route against the published document.
 */
import * as v from 'valibot';
import { responseSchema } from './json-schema.ts';

/** The one error body of the collector (src/errors.ts, HttpError.body()). */
export const ErrorBodySchema = v.strictObject({
  error: v.strictObject({
    code: v.pipe(v.string(), v.description('Stable machine-readable code a client can branch on (src/errors.ts lists them).')),
    message: v.pipe(v.string(), v.description('What went wrong, for a person. Never echoes a token or key.')),
    path: v.optional(v.pipe(v.string(), v.description('Dotted path of the offending field, e.g. `reports.3.payload` or `version`.'))),
  }),
});

type Response = Record<string, unknown> & { description: string };

/**
 * A compile-time check, `Documents<typeof Schema, TheTypeTheHandlerReturns>`: every value of the
 * TypeScript type must be one the schema describes, so a documented field the code stops sending,
 * or sends with another type, fails the typecheck. The type may have more fields (a field missing
 * from a closed schema fails test/openapi-responses.test.ts instead).
 */
export type Documents<S extends v.GenericSchema, T extends v.InferOutput<S>> = [S, T];

/** Response headers, name → description; each is sent with every answer of that status (the test checks it). */
type Headers = Record<string, string>;

function headersOf(headers: Headers | undefined): Record<string, unknown> {
  if (headers === undefined) return {};
  return { headers: Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { type: 'string', description }])) };
}

/** A JSON answer described by a valibot schema of what the collector sends. */
export function json(description: string, schema: v.GenericSchema, headers?: Headers): Response {
  return { description, ...headersOf(headers), ...responseSchema(schema) };
}

/** A text answer (CSV, Prometheus exposition): `content` keeps its media type in the document. */
export function text(description: string, mediaType: string, headers?: Headers): Response {
  return { description, ...headersOf(headers), content: { [mediaType]: { schema: { type: 'string' } } } };
}

/** An error answer: `{ error: { code, message, path? } }`, with the codes this status carries on this route. */
export function error(codes: string): Response {
  return json(`Error body; code ${codes}.`, ErrorBodySchema);
}

/** What every route may answer whatever it does: an unexpected failure and load shedding. */
export const COMMON_ERRORS = {
  500: error('INTERNAL (nothing was acknowledged; retry the request)'),
  503: json('Error body; code OVERLOADED (load shedding).', ErrorBodySchema, { 'retry-after': 'Seconds to wait: 5.' }),
} as const;

/** What a route that needs a bearer token may answer besides its own answers. */
export const AUTH_ERRORS = {
  401: error('UNAUTHORIZED (no, unknown, revoked or expired bearer token)'),
  403: error('FORBIDDEN (a valid token of the other role)'),
  429: json('Error body; code RATE_LIMITED (too many failed authentications from this address in a minute).', ErrorBodySchema, { 'retry-after': 'Seconds until the address’s one-minute window ends.' }),
} as const;
