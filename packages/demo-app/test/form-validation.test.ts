/** The simulator reports every problem with its field (it used to stop at the first, unattached). */
import { describe, expect, it } from 'vitest';
import { errorSummaryTitle, validateFields, type NumberRule } from '../src/sim/form-validation.ts';

const rules: NumberRule[] = [
  { id: 'sim-patients', label: 'Synthetic patients', min: 1000, max: 100_000, integer: true },
  { id: 'sim-days', label: 'Days', min: 1, max: 28, integer: true },
  { id: 'sim-pain', label: 'Mean pain', min: 0, max: 10 },
  { id: 'sim-med-a', label: 'a (weight)', min: 0, max: 1000 },
  { id: 'sim-med-b', label: 'b (weight)', min: 0, max: 1000 },
];
const weights = [{ ids: ['sim-med-a', 'sim-med-b'], message: 'Give at least one medication a weight above 0.' }];

describe('simulator form validation', () => {
  it('reports every invalid field, each with its own message, in field order', () => {
    const values: Record<string, string> = { 'sim-patients': '500', 'sim-days': '2.5', 'sim-pain': '', 'sim-med-a': '1', 'sim-med-b': '1' };
    const errors = validateFields(rules, (id) => values[id]!, weights);
    expect(errors).toEqual([
      { id: 'sim-patients', label: 'Synthetic patients', message: 'Enter a whole number from 1,000 to 100,000.' },
      { id: 'sim-days', label: 'Days', message: 'Enter a whole number from 1 to 28.' },
      { id: 'sim-pain', label: 'Mean pain', message: 'Enter a number.' },
    ]);
    expect(errorSummaryTitle(errors)).toBe('There are 3 problems with the form');
  });

  it('a group that must not be all zero is reported on its first field; valid input has no errors', () => {
    const values: Record<string, string> = { 'sim-patients': '2000', 'sim-days': '7', 'sim-pain': '11', 'sim-med-a': '0', 'sim-med-b': '0' };
    const errors = validateFields(rules, (id) => values[id]!, weights);
    expect(errors.map((e) => [e.id, e.message])).toEqual([
      ['sim-pain', 'Enter a number from 0 to 10.'],
      ['sim-med-a', 'Give at least one medication a weight above 0.'],
    ]);
    expect(errorSummaryTitle(errors.slice(0, 1))).toBe('There is 1 problem with the form');
    expect(validateFields(rules, (id) => ({ ...values, 'sim-pain': '3', 'sim-med-b': '5' })[id]!, weights)).toEqual([]);
  });
});
