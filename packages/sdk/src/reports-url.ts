/**
 * The collector's ingest URL. A campaign's publishable ingest key travels as `?key=` rather than a
 * header: a custom header would force a CORS preflight, and sendBeacon cannot set headers at all.
 */
export function reportsUrl(collectorUrl: string, ingestKey?: string): string {
  const base = `${collectorUrl.replace(/\/+$/, '')}/v1/reports`;
  return ingestKey === undefined ? base : `${base}?key=${encodeURIComponent(ingestKey)}`;
}
