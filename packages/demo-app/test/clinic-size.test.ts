/**
 * The trade-off explorer's n: refused with a clear message when it is not a whole number from 1 to
 * 10⁹ (n ≤ 0 used to become 1 silently), and at n = 10⁷ a bounded amount of work (it used to run
 * 2·10⁸ randomizations on the page's thread, ~25 s). Work is counted as random bytes drawn, not
 * timed.
 */
import { seededRandomSource, type RandomSource } from '@practical-privacy/core';
import { describe, expect, it } from 'vitest';
import { ClinicSizeError, parseClinicSize } from '../src/sim/clinic-size.ts';
import { empiricalHalfWidth, MAX_SIMULATED_PATIENTS } from '../src/sim/empirical.ts';
import { predictedHalfWidth } from '../src/views/tradeoff-model.ts';

function countingSource(seed: string): RandomSource & { bytes: number } {
  const inner = seededRandomSource(seed);
  const source = {
    bytes: 0,
    fill(bytes: Uint8Array) {
      source.bytes += bytes.length;
      inner.fill(bytes);
    },
  };
  return source;
}

describe('clinic size', () => {
  it.each([
    ['0', 'at least 1 patient'],
    ['-5', 'at least 1 patient'],
    ['12.5', 'whole number'],
    ['', 'Enter the number of patients'],
    ['abc', 'is not a number'],
    ['1e12', 'At most 1,000,000,000'],
  ])('refuses %j (%s)', (text, message) => {
    const parsed = parseClinicSize(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(message);
  });

  it('accepts whole numbers, with thousands separators', () => {
    expect(parseClinicSize('10,000,000')).toEqual({ ok: true, n: 10_000_000 });
    expect(parseClinicSize(' 300 ')).toEqual({ ok: true, n: 300 });
  });

  it('the model refuses n ≤ 0 and non-integers instead of using 1', async () => {
    for (const q of ['yes-no', 'symptom', 'pain'] as const) {
      for (const n of [0, -1, 2.5, Number.NaN]) expect(() => predictedHalfWidth(q, 1, n, 0.2)).toThrow(ClinicSizeError);
      await expect(empiricalHalfWidth(q, 1, 0, 0.2)).rejects.toThrow(ClinicSizeError);
    }
  });
});

describe('bounded work at n = 10,000,000', () => {
  it.each(['yes-no', 'pain'] as const)('%s: the empirical check at n = 10⁷ draws exactly the random bytes of a capped clinic', async (question) => {
    const truth = question === 'pain' ? 3.5 : 0.2;
    const atCap = countingSource('bounded');
    const atTenMillion = countingSource('bounded');
    const capped = await empiricalHalfWidth(question, 1, MAX_SIMULATED_PATIENTS, truth, '', atCap);
    const large = await empiricalHalfWidth(question, 1, 10_000_000, truth, '', atTenMillion);
    expect(large.simulatedPatients).toBe(MAX_SIMULATED_PATIENTS);
    // The same clinics are simulated: the work is the same, not 200 times more.
    expect(atTenMillion.bytes).toBe(atCap.bytes);
    // And the scaled result is the one of 10⁷ patients: half-widths shrink by √(5·10⁴/10⁷).
    expect(large.empiricalHalfWidth / capped.empiricalHalfWidth).toBeCloseTo(Math.sqrt(MAX_SIMULATED_PATIENTS / 10_000_000), 10);
    const predicted = predictedHalfWidth(question, 1, 10_000_000, truth).halfWidth;
    expect(large.empiricalHalfWidth / predicted).toBeGreaterThan(question === 'pain' ? 0.5 : 0.7);
    expect(large.empiricalHalfWidth / predicted).toBeLessThan(1.3);
  });
});
