/**
 * The patient's words: plain, in local time, no ε or codes (they are in "Details"), and a receipt
 * whose lines never contradict each other (a "Delivered" line above a red "Not sent" list for
 * answers that were simply already given today).
 */
import { describe, expect, it } from 'vitest';
import { lastCheckInDay, recordCheckInDay } from '../src/checkin-day.ts';
import { budgetPlain, doneText, listOf, localDate, nextCheckInText, outcomeLines, plainNote, SKIP_TEXT } from '../src/views/patient-text.ts';

const noTechnicalWords = (text: string) => expect(text).not.toMatch(/ε|epsilon|bits?\b|SNOMED|UTC|\d{4}-\d{2}-\d{2}/);

describe('patient text', () => {
  it('shows a UTC day boundary as the local date and time it falls on', () => {
    const now = new Date('2026-12-04T14:00:00Z');
    expect(nextCheckInText('2026-12-05', now, 'Europe/Berlin')).toBe('tomorrow at 01:00');
    expect(nextCheckInText('2026-12-05', now, 'America/New_York')).toBe('today at 19:00');
    expect(nextCheckInText('2026-12-07', now, 'Europe/Berlin')).toBe('on Monday 7 December at 01:00');
    expect(nextCheckInText('2026-12-04', now, 'Europe/Berlin')).toBe('now');
    expect(localDate(new Date('2026-12-04T23:30:00Z'), 'Asia/Tokyo')).toBe('Saturday 5 December');
  });

  it('says the check-in is done with the local date, and what the app remembered after opting out', () => {
    const now = new Date('2026-12-04T14:00:00Z');
    expect(doneText('2026-12-05', now, false, 'Europe/Berlin')).toBe('You have done today’s check-in (Friday 4 December). The next check-in opens tomorrow at 01:00.');
    const remembered = doneText('2026-12-05', now, true, 'Europe/Berlin');
    expect(remembered).toContain('remembered the day of your last check-in — never your answers');
    noTechnicalWords(remembered);
  });

  it('plain notes, the skip note and the budget carry no ε, bits, codes or UTC dates', () => {
    for (const tier of ['low', 'moderate', 'high', 'restricted'] as const) noTechnicalWords(plainNote({ tier }));
    expect(plainNote({ tier: 'high' })).toContain('scrambled more strongly');
    expect(SKIP_TEXT).toContain('can see that it was not answered today');
    noTechnicalWords(SKIP_TEXT);
    expect(budgetPlain(9, 100)).toBe('This app limits how much all your check-ins together can reveal about you. So far you have used 9% of that limit.');
    expect(budgetPlain(0.2, 100)).toContain('less than 1%');
  });

  it('receipt lines: already answered is not an error, skipped is said, nothing contradicts', () => {
    expect(outcomeLines({ sent: ['Pain score'], alreadyAnswered: ['Symptoms today', 'Low mood'], skipped: ['Most recent medication'] })).toEqual([
      'Sent, scrambled on this phone: Pain score. Your answers themselves are not stored or sent.',
      'Already answered today, so not sent again: Symptoms today and Low mood.',
      'Not answered today (nothing sent): Most recent medication.',
    ]);
    expect(outcomeLines({ sent: [], alreadyAnswered: [], skipped: [] })).toEqual(['Nothing was sent.']);
    expect(listOf(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('last check-in day (kept outside the SDK database)', () => {
  it('holds a day and nothing else', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(lastCheckInDay(storage)).toBeUndefined();
    recordCheckInDay('2026-12-04', storage);
    expect(lastCheckInDay(storage)).toBe('2026-12-04');
    expect([...map.values()]).toEqual(['2026-12-04']);
    expect(() => recordCheckInDay('headache', storage)).toThrow(RangeError);
    map.set('pp-demo-last-checkin-day', 'garbage');
    expect(lastCheckInDay(storage)).toBeUndefined();
  });
});
