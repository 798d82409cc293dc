/**
 * How the dashboard shows a RAPPOR candidate the collector's decoding did not detect (no DOM, so
 * unit tests run in Node). The release gives it no estimate and no interval, only
 * `detectionLimit` — core's detectionLimit, the function behind the planner's detectable share:
 * a share at least that large would have been detected 95% of the time. So the candidate reads
 * "not detectable at this n (below ≈ x%)" — never "0.0%" with a 0.0–0.0% interval, which claimed a
 * certainty the data do not give (a dropped medication whose simulated share was 4.1% showed so),
 * and the same for a decoy nobody holds.
 */
import type { ReleasedValue, UndetectedValue, ValueEstimate } from '@practical-privacy/collector/api';

export function isUndetected(v: ReleasedValue): v is UndetectedValue {
  return v.detectable === false;
}

export function isEstimated(v: ReleasedValue): v is ValueEstimate {
  return v.detectable !== false;
}

/** A limit as the dashboard prints it: two significant digits, in percent ("8.8%", "0.41%", "12%"). */
export function formatLimit(share: number): string {
  return `${Number((share * 100).toPrecision(2))}%`;
}

/** The text in place of an estimate: "not detectable at this n (below ≈ 8.8%)". */
export function undetectedText(v: Pick<UndetectedValue, 'detectionLimit'>): string {
  return v.detectionLimit >= 1 ? 'not detectable at this n (at any share)' : `not detectable at this n (below ≈ ${formatLimit(v.detectionLimit)})`;
}

/**
 * The line under the chart, which draws bars for detected candidates only:
 * "Not detectable at this n: salbutamol (below ≈ 8.8%), amoxicillin (below ≈ 8.8%). …", or null.
 */
export function undetectedSummary(values: readonly ReleasedValue[], label: (value: string) => string = (value) => value): string | null {
  const undetected = values.filter(isUndetected);
  if (undetected.length === 0) return null;
  const items = undetected.map((v) => `${label(v.value)} (${v.detectionLimit >= 1 ? 'at any share' : `below ≈ ${formatLimit(v.detectionLimit)}`})`);
  return `Not detectable at this n: ${items.join(', ')}. Each may be held by no one or by up to about that share of patients; the decoding cannot tell, so no estimate or interval is shown. More reports lower the limit.`;
}
