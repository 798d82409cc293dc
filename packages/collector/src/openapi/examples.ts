/**
 * The examples of the OpenAPI document, chosen so that Swagger UI's "Try it out" works end to end
 * on a fresh collector: publish EXAMPLE_CAMPAIGN (POST /v1/campaigns, admin token), then send the
 * example batch (POST /v1/reports) — 202 the first time, 202 with `duplicates: 1` after that (its
 * report id is fixed). test/openapi-responses.test.ts sends both.
 */
export const EXAMPLE_CAMPAIGN = {
  id: 'example',
  version: 1,
  title: 'Example check-in',
  questions: [{ id: 'fever', type: 'boolean', prompt: 'Did you have a fever today?', tier: 'high', epsilon: 1, minBatch: 20 }],
};

/**
 * A batch of one randomized report for EXAMPLE_CAMPAIGN (binary RR payload 0 or 1) dated `day`.
 * The document is built once, so the day is the collector's UTC day at start-up: after the report
 * window has passed (PP_REPORT_WINDOW_DAYS) the example is refused as too old until it is edited.
 */
export function exampleBatch(day: string) {
  return { protocol: 2, campaignId: EXAMPLE_CAMPAIGN.id, campaignVersion: EXAMPLE_CAMPAIGN.version, reports: [{ id: '0123456789abcdef0123456789abcdef', questionId: 'fever', day, payload: 1 }] };
}
