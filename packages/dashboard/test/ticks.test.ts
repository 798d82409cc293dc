import { describe, expect, it } from 'vitest';
import { dayTicks, labelSpace, shortUtcDay, tickStride, valueSpace } from '../src/charts/ticks.ts';

const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 10, 7 + i)).toISOString().slice(0, 10));

describe('axis ticks thinned by width', () => {
  it('labels every day when they fit, and no two labels closer than a label’s width on a phone', () => {
    expect(dayTicks(days(5), 700)).toEqual(days(5));
    for (const [n, width] of [[28, 260], [28, 320], [90, 320], [7, 120], [365, 1100]] as const) {
      const ticks = dayTicks(days(n), width);
      const stride = ticks.length < 2 ? n : days(n).indexOf(ticks[1]!) - days(n).indexOf(ticks[0]!);
      // Pixels between neighbouring labels ≥ the widest label plus its gap.
      expect((width / n) * stride).toBeGreaterThanOrEqual(labelSpace(6));
      expect(ticks.at(-1)).toBe(days(n).at(-1));
      expect(ticks.length).toBeLessThanOrEqual(Math.floor(width / labelSpace(6)));
    }
  });

  it('names UTC days without a time-zone shift', () => {
    expect(shortUtcDay('2026-12-04')).toBe('Dec 4');
    expect(shortUtcDay('2026-01-31')).toBe('Jan 31');
  });

  it('strides and spacing', () => {
    expect(tickStride(1, 10, 50)).toBe(1);
    expect(tickStride(10, 100, 50)).toBe(5);
    expect(valueSpace(['0%', '100%'])).toBe(labelSpace(4));
  });
});
