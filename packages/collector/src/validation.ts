/**
 * Request validation with valibot, the project's validation library: a route (or a CLI command)
 * hands its raw input to the operation, which parses it with the operation's exported schema. The
 * first issue becomes a 400 with a stable code and the dotted path of the field, and nothing is
 * changed. The same schemas give the OpenAPI entries (src/openapi/json-schema.ts).
 */
import * as v from 'valibot';
import { HttpError } from './errors.ts';

export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, code = 'REQUEST_INVALID'): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  throw new HttpError(400, code, `${path === '' ? '(request)' : path}: ${issue.message}`, path === '' ? undefined : path);
}

/** Labels of tokens and ingest keys: what audit rows and the admin API name them by. */
export const LabelSchema = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 characters of A–Z a–z 0–9 . _ -, starting with a letter or digit'));

/** An instant with an explicit offset (`2027-01-31T00:00:00Z`), normalised to UTC ISO 8601. */
export const InstantSchema = v.pipe(
  v.string('must be an ISO 8601 date-time string'),
  v.isoTimestamp('must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T00:00:00Z'),
  v.transform((s) => Date.parse(s)),
  v.check((ms) => Number.isFinite(ms) && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(10000, 0, 1), 'must be a real instant between the years 2000 and 9999'),
  v.transform((ms) => new Date(ms).toISOString()),
);

/** A decimal integer in a query string (`?limit=50`), as a number. */
export const queryInteger = (min: number, max: number) =>
  v.pipe(v.string('must be given once, as a decimal integer'), v.regex(/^\d{1,16}$/, 'must be a decimal integer'), v.transform(Number), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
