/**
 * The simulator form's checks (no DOM, so unit tests run in Node): every field is checked and every
 * problem reported with the field it belongs to — the view shows each message under its field
 * (aria-invalid, aria-describedby) and all of them in a summary at the top. The old form stopped
 * at the first problem and said it at the bottom of the page.
 */

export interface NumberRule {
  /** The input's id: what the message is attached to. */
  id: string;
  /** The field's label as shown, for the summary. */
  label: string;
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
}

export interface FieldError {
  id: string;
  label: string;
  message: string;
}

function numberError(rule: NumberRule, raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return 'Enter a number.';
  const value = Number(text);
  if (!Number.isFinite(value)) return `“${text}” is not a number.`;
  const range = `${rule.integer === true ? 'a whole number' : 'a number'} from ${rule.min.toLocaleString('en')} to ${rule.max.toLocaleString('en')}`;
  if ((rule.integer === true && !Number.isInteger(value)) || value < rule.min || value > rule.max) return `Enter ${range}.`;
  return undefined;
}

/**
 * Every problem of the form, in the order of the fields. `groups`: fields that must not all be zero
 * (the medication weights), reported on the first field of the group.
 */
export function validateFields(rules: readonly NumberRule[], read: (id: string) => string, groups: ReadonlyArray<{ ids: readonly string[]; message: string }> = []): FieldError[] {
  const errors = new Map<string, FieldError>();
  for (const rule of rules) {
    const message = numberError(rule, read(rule.id));
    if (message !== undefined) errors.set(rule.id, { id: rule.id, label: rule.label, message });
  }
  for (const group of groups) {
    const first = rules.find((r) => r.id === group.ids[0]);
    if (first === undefined || group.ids.some((id) => errors.has(id))) continue;
    if (group.ids.every((id) => Number(read(id)) === 0)) errors.set(first.id, { id: first.id, label: first.label, message: group.message });
  }
  return rules.flatMap((r) => (errors.has(r.id) ? [errors.get(r.id)!] : []));
}

/** The summary's heading: how many problems, in words. */
export function errorSummaryTitle(errors: readonly FieldError[]): string {
  return errors.length === 1 ? 'There is 1 problem with the form' : `There are ${errors.length} problems with the form`;
}
