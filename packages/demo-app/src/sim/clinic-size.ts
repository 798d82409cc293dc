/**
 * The explorer's n: how many patients a clinic has. Read from a text field, so every way it can be
 * wrong gets its own plain message and nothing is computed from it (n ≤ 0 used to become 1
 * silently).
 */

/** More patients than any clinic or health system pools: a typo, not a plan. */
export const MAX_CLINIC_SIZE = 1_000_000_000;

export class ClinicSizeError extends RangeError {
  readonly code = 'CLINIC_SIZE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ClinicSizeError';
  }
}

/** The n in `text`, or the message saying what is wrong with it. */
export function parseClinicSize(text: string): { ok: true; n: number } | { ok: false; error: string } {
  const trimmed = text.trim().replace(/[,_\s]/g, '');
  if (trimmed === '') return { ok: false, error: 'Enter the number of patients (a whole number, at least 1).' };
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return { ok: false, error: `“${text.trim()}” is not a number of patients.` };
  try {
    checkClinicSize(n);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return { ok: true, n };
}

/** Throws ClinicSizeError unless n is a whole number from 1 to MAX_CLINIC_SIZE. */
export function checkClinicSize(n: number): void {
  if (typeof n !== 'number' || Number.isNaN(n)) throw new ClinicSizeError('The number of patients must be a number.');
  if (n <= 0) throw new ClinicSizeError(`A clinic needs at least 1 patient (got ${n}).`);
  if (!Number.isInteger(n)) throw new ClinicSizeError(`The number of patients must be a whole number (got ${n}).`);
  if (n > MAX_CLINIC_SIZE) throw new ClinicSizeError(`At most ${MAX_CLINIC_SIZE.toLocaleString('en')} patients (got ${n.toLocaleString('en')}).`);
}
