/**
 * valibot → JSON Schema for the OpenAPI document (OpenAPI 3.1, whose Schema Object is JSON Schema
 * 2020-12), with @valibot/to-json-schema. Requests are converted as what a client sends
 * (`typeMode: 'input'`: defaults optional), responses as what the collector sends (`'output'`).
 * Checks JSON Schema cannot say (a `v.check`, a transform) are left out (`errorMode: 'ignore'`):
 * the document may accept a little more than the validator, never less.
 */
import { isValidDay, ReportExtensionsSchema } from '@practical-privacy/core';
import { toJsonSchema, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';

/** core's report `ext` is `v.pipe(v.custom(isPlainObject), v.strictObject(…))`: the converter sees only the custom guard, the object is what to document. */
const extGuard = ReportExtensionsSchema.pipe[0];
const extObject = ReportExtensionsSchema.pipe[1];

const overrides = (typeMode: 'input' | 'output'): Pick<ConversionConfig, 'overrideSchema' | 'overrideAction'> => ({
  overrideSchema: (context) => (context.valibotSchema === extGuard ? convert(extObject, typeMode) : undefined),
  // A UTC day is checked by core's isValidDay (a real calendar date); JSON Schema's `date` format says the same.
  overrideAction: (context) => (context.valibotAction.type === 'check' && (context.valibotAction as unknown as { requirement: unknown }).requirement === isValidDay ? { ...context.jsonSchema, format: 'date' } : undefined),
});

function convert(schema: v.GenericSchema, typeMode: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'ignore', typeMode, ...overrides(typeMode) });
  return json;
}

/** The JSON Schema of what a client sends, for a route's `body`, `querystring` or `params`. */
export function requestSchema(schema: v.GenericSchema): Record<string, unknown> {
  return convert(schema, 'input') as Record<string, unknown>;
}

/** The JSON Schema of what the collector answers. */
export function responseSchema(schema: v.GenericSchema): Record<string, unknown> {
  return convert(schema, 'output') as Record<string, unknown>;
}
