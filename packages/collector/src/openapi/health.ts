/** Responses of the operations routes (routes/health.ts). */
import * as v from 'valibot';
import { AUTH_ERRORS, COMMON_ERRORS, ErrorBodySchema, json, text } from './responses.ts';

export const healthzResponses = {
  200: json('The process answers.', v.strictObject({ status: v.literal('ok') })),
  ...COMMON_ERRORS,
};

export const readyzResponses = {
  200: json('Ready: the database answered a ping and the collector is not shutting down.', v.strictObject({ status: v.literal('ready'), storage: v.picklist(['sqlite', 'postgres']) })),
  503: json(
    'Not ready: `closing` (draining before shutdown), `database unavailable`, or the error body with code OVERLOADED (load shedding). Take the instance out of rotation.',
    v.union([v.strictObject({ status: v.picklist(['closing', 'database unavailable']) }), ErrorBodySchema]),
  ),
};

export const metricsResponses = {
  200: text('Prometheus text exposition format (version 0.0.4).', 'text/plain'),
  401: AUTH_ERRORS[401],
  429: AUTH_ERRORS[429],
  ...COMMON_ERRORS,
};
