/**
 * What the dashboard says of a RAPPOR candidate the collector did not detect: "not detectable at
 * this n (below ≈ x%)" from the release's detectionLimit — not "0.0%" with a 0.0–0.0% interval
 * (the old dashboard's text for a dropped medication whose simulated share was 4.1%) — and the
 * same for a decoy. The release below is shaped as the collector's JSON.
 */
import { describe, expect, it } from 'vitest';
import type { ReleasedValue, UndetectedValue } from '@practical-privacy/collector/api';
import { formatLimit, isEstimated, isUndetected, undetectedSummary, undetectedText } from '../src/undetected-text.ts';

const undetected = (value: string, detectionLimit: number): UndetectedValue => ({
  value,
  detectable: false,
  detectionLimit,
  note: `not detectable at this n (below ≈ ${detectionLimit * 100}%)`,
  unbiased: null,
  standardError: null,
  ci95: null,
  consistent: null,
  estimate: null,
});

const VALUES: ReleasedValue[] = [
  { value: 'paracetamol', unbiased: 0.3, standardError: 0.02, ci95: [0.26, 0.34], consistent: 0.3, estimate: 0.3, detectable: true, detectionLimit: 0.0884 },
  undetected('salbutamol', 0.0884),
  undetected('amoxicillin', 0.0871),
];

describe('undetected RAPPOR candidates on the dashboard', () => {
  it('read "not detectable at this n (below ≈ x%)", never 0 ± 0', () => {
    const salbutamol = VALUES[1] as UndetectedValue;
    expect(undetectedText(salbutamol)).toBe('not detectable at this n (below ≈ 8.8%)');
    // A decoy (truth 0) reads the same way, with its own limit.
    expect(undetectedText(VALUES[2] as UndetectedValue)).toBe('not detectable at this n (below ≈ 8.7%)');
    expect(undetectedText(undetected('x', 1))).toBe('not detectable at this n (at any share)');
    expect(undetectedText(salbutamol)).not.toMatch(/0\.0%/);
  });

  it('split estimated values (bars) from undetected ones (a line under the chart)', () => {
    expect(VALUES.filter(isEstimated).map((v) => v.value)).toEqual(['paracetamol']);
    expect(VALUES.filter(isUndetected).map((v) => v.value)).toEqual(['salbutamol', 'amoxicillin']);
    const line = undetectedSummary(VALUES, (value) => value.toUpperCase());
    expect(line).toMatch(/^Not detectable at this n: SALBUTAMOL \(below ≈ 8\.8%\), AMOXICILLIN \(below ≈ 8\.7%\)\. /);
    expect(line).toContain('no estimate or interval is shown');
    expect(undetectedSummary(VALUES.slice(0, 1))).toBeNull();
  });

  it('prints limits with two significant digits', () => {
    expect([formatLimit(0.0884), formatLimit(0.00414), formatLimit(0.125), formatLimit(0.5)]).toEqual(['8.8%', '0.41%', '13%', '50%']);
  });
});
