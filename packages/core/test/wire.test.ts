import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeneralizedRandomizedResponse, isPrivacyError, RandomSampler, seededRandomSource } from '../src/index.ts';
import { OptimizedUnaryEncoding } from '../src/mechanisms/oue.ts';
import { addDays, isoWeekStart, isValidDay, newReportId, utcDay } from '../src/wire/ids.ts';
import { MAX_BATCH_REPORTS } from '../src/wire/schema.ts';
import { decodeWithMechanism, encodedOf, reportsOfBatch, toWireReport, validateBatch, validateReport } from '../src/wire/validate.ts';
import { FIXED_NOW, hostileBatches, hostileReports, materialize, validBatch, validReport } from './hostile-inputs.ts';

const now = FIXED_NOW;

describe('report and batch validators', () => {
  it('accept the valid fixtures and return fresh objects', () => {
    const input = validReport();
    const report = validateReport(input, { now });
    expect(report).toEqual(input);
    expect(report).not.toBe(input);
    expect(validateBatch(validBatch(), { now }).reports).toHaveLength(1);
  });

  it.each(hostileReports().map((c) => [c.name, c] as const))('rejects report: %s', (_name, c) => {
    let error: unknown;
    try {
      validateReport(materialize(c), { now });
    } catch (e) {
      error = e;
    }
    expect(isPrivacyError(error, 'REPORT_INVALID'), String(error)).toBe(true);
  });

  it.each(hostileBatches().map((c) => [c.name, c] as const))('rejects batch: %s', (_name, c) => {
    expect(() => validateBatch(materialize(c), { now })).toThrow(expect.objectContaining({ code: 'REPORT_INVALID' }));
  });

  it('names the path of the problem', () => {
    const batch = validBatch();
    const reports = batch.reports as Record<string, unknown>[];
    batch.reports = [reports[0], { ...reports[0], day: '2026-02-30' }];
    expect(() => validateBatch(batch, { now })).toThrow(expect.objectContaining({ path: 'reports.1.day' }));
    batch.reports = [reports[0], { ...reports[0], day: '2026-03-16' }];
    expect(() => validateBatch(batch, { now })).toThrow(expect.objectContaining({ path: 'reports.1.day', message: expect.stringMatching(/future/) }));
  });

  it('enforces the age window when asked', () => {
    expect(() => validateReport({ ...validReport(), day: '2026-03-01' }, { now, maxAgeDays: 7 })).toThrow(/older than 7 days/);
    expect(validateReport({ ...validReport(), day: '2026-03-08' }, { now, maxAgeDays: 7 }).day).toBe('2026-03-08');
  });

  it('does not pollute prototypes', () => {
    const json = JSON.stringify(validReport()).replace('{', '{"__proto__":{"polluted":true},');
    expect(() => validateReport(JSON.parse(json), { now })).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('allows exactly MAX_BATCH_REPORTS reports', () => {
    const batch = validBatch();
    const report = (batch.reports as unknown[])[0];
    expect(validateBatch({ ...batch, reports: new Array(MAX_BATCH_REPORTS).fill(report) }, { now }).reports).toHaveLength(MAX_BATCH_REPORTS);
  });
});

describe('ids and days', () => {
  it('isoWeekStart gives the Monday of the ISO week, across month, year and leap-day edges', () => {
    expect(isoWeekStart('2026-11-23')).toBe('2026-11-23'); // a Monday
    expect(isoWeekStart('2026-11-29')).toBe('2026-11-23'); // its Sunday
    expect(isoWeekStart('2026-01-01')).toBe('2025-12-29'); // Thursday of ISO week 2026-W01
    expect(isoWeekStart('2024-03-03')).toBe('2024-02-26'); // Sunday after a leap day
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    // Every day of a week maps to that week's Monday, and a Monday is 7 days after the previous one.
    fc.assert(fc.property(fc.integer({ min: 0, max: 3_000 }), (n) => {
      const day = addDays('2020-01-01', n);
      const monday = isoWeekStart(day);
      const gap = (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${monday}T00:00:00Z`)) / 86_400_000;
      return new Date(`${monday}T00:00:00Z`).getUTCDay() === 1 && gap >= 0 && gap < 7;
    }));
  });

  it('newReportId gives 32 lowercase hex digits from the sampler', () => {
    const rng = new RandomSampler(seededRandomSource('ids'));
    const ids = new Set(Array.from({ length: 1000 }, () => newReportId(rng)));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('days are real UTC calendar days', () => {
    expect(utcDay(new Date('2026-03-15T23:59:59.999Z'))).toBe('2026-03-15');
    expect(isValidDay('2024-02-29')).toBe(true);
    expect(isValidDay('2025-02-29')).toBe(false);
    expect(isValidDay('2026-04-31')).toBe(false);
    expect(isValidDay('2026-12-31')).toBe(true);
  });
});

describe('wire round trip (fast-check)', () => {
  const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: now, noInvalidDate: true }).map(utcDay);
  const hex = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
  const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

  it('GRR and OUE reports survive encode → JSON → validate → decode', () => {
    const grr = new GeneralizedRandomizedResponse({ k: 7, epsilon: 1 });
    const oue = new OptimizedUnaryEncoding({ k: 37, epsilon: 1.5 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 36 }), hex, id, fc.integer({ min: 1, max: 2 ** 31 - 1 }), id, day, fc.integer(), (a, b, reportId, campaignId, campaignVersion, questionId, d, seed) => {
        const rng = new RandomSampler(seededRandomSource(seed));
        for (const [mechanism, value] of [[grr, a], [oue, b]] as const) {
          const report = (mechanism as GeneralizedRandomizedResponse).randomize(value, rng);
          const wire = toWireReport({ id: reportId, campaignId, campaignVersion, questionId, day: d }, mechanism.encodeReport(report as never));
          const parsed = validateReport(JSON.parse(JSON.stringify(wire)), { now });
          expect(parsed).toEqual(wire);
          expect(decodeWithMechanism(parsed, mechanism as GeneralizedRandomizedResponse)).toEqual(report);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('batches survive JSON and expand to self-contained reports', () => {
    const entry = fc.record({ id: hex, questionId: id, day, payload: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 50 }), fc.array(fc.integer(), { maxLength: 4 })) });
    fc.assert(
      fc.property(id, fc.integer({ min: 1, max: 1000 }), fc.array(entry, { minLength: 1, maxLength: 20 }), (campaignId, campaignVersion, reports) => {
        const batch = validateBatch(JSON.parse(JSON.stringify({ campaignId, campaignVersion, reports })), { now });
        expect(batch.reports).toEqual(reports);
        for (const r of reportsOfBatch(batch)) expect(validateReport(r, { now })).toEqual(r);
      }),
      { numRuns: 200 },
    );
  });

  it('a payload the mechanism refuses becomes REPORT_INVALID with its path', () => {
    const grr = new GeneralizedRandomizedResponse({ k: 3, epsilon: 1 });
    expect(() => decodeWithMechanism({ payload: 3 }, grr, 'reports.4')).toThrow(expect.objectContaining({ code: 'REPORT_INVALID', path: 'reports.4.payload' }));
    expect(() => decodeWithMechanism({ payload: 1, cohort: 2 }, grr)).toThrow(expect.objectContaining({ code: 'REPORT_INVALID', path: 'cohort' }));
    expect(encodedOf({ payload: 2 })).toEqual({ payload: 2 });
  });
});

describe('protocol versions', () => {
  const report = { id: '3f2a9c0d5b7e41c8a0f1d2e3c4b5a697', questionId: 'q', day: '2026-03-15', payload: 2 };
  const batch = (extra: Record<string, unknown>, reportExtra: Record<string, unknown> = {}) => ({ campaignId: 'c', campaignVersion: 1, ...extra, reports: [{ ...report, ...reportExtra }] });
  const now = { now: new Date('2026-03-16T00:00:00Z') };

  it('accepts v1 batches from devices in the field (no protocol field) and v2 batches', () => {
    expect(validateBatch(batch({}), now).protocol).toBeUndefined();
    expect(validateBatch(batch({ protocol: 1 }), now).protocol).toBe(1);
    expect(validateBatch(batch({ protocol: 2 }, { ext: {} }), now).reports[0]!.ext).toEqual({});
    // The privacy-level extension (issue 14 §2): the ε₁ the report used; the collector checks it against the question.
    expect(validateBatch(batch({ protocol: 2 }, { ext: { level: 0.5 } }), now).reports[0]!.ext).toEqual({ level: 0.5 });
  });

  it('rejects an unknown protocol, extensions on v1, and unregistered extensions', () => {
    for (const [bad, path] of [
      [batch({ protocol: 3 }), 'protocol'],
      [batch({}, { ext: {} }), 'reports'],
      [batch({ protocol: 2 }, { ext: { level: 'high' } }), 'reports.0.ext.level'],
      [batch({ protocol: 2 }, { ext: [] }), 'reports.0.ext'],
      [batch({ protocol: 2 }, { ext: { level: 0 } }), 'reports.0.ext.level'],
      [batch({ protocol: 2 }, { ext: { level: -1 } }), 'reports.0.ext.level'],
      [batch({ protocol: 2 }, { ext: { level: 21 } }), 'reports.0.ext.level'],
      [batch({ protocol: 2 }, { ext: { tier: 'low' } }), 'reports.0.ext.tier'],
      [batch({}, { ext: { level: 1 } }), 'reports'],
    ] as const) {
      expect(() => validateBatch(bad, now), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'REPORT_INVALID', path }));
    }
  });
});
