/**
 * The empirical ε audits (test/*audit*.slow.test.ts) must together raise a false alarm with
 * probability ≤ 10^-6 (issue 2). Bonferroni: each file spends one share of AUDIT_FALSE_ALARM_BUDGET
 * over its own bounds, so the shares must sum to ≤ 10^-6 and every audit file must spend its own
 * share — not a budget of its own. This is a check of the test sources, kept in the fast project so
 * that a new audit file cannot quietly add another 10^-6.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_FALSE_ALARM_BUDGET, AUDIT_TOTAL_FALSE_ALARM } from './helpers/audit.ts';

const TEST_DIR = new URL('.', import.meta.url);
const auditFiles = readdirSync(TEST_DIR)
  .filter((name) => /audit.*\.slow\.test\.ts$/.test(name))
  .sort();

describe('false-alarm budget of the ε audits', () => {
  it('totals 10^-6 over all files', () => {
    expect(AUDIT_TOTAL_FALSE_ALARM).toBe(1e-6);
    const shares = Object.values(AUDIT_FALSE_ALARM_BUDGET);
    for (const share of shares) expect(share).toBeGreaterThan(0);
    expect(shares.reduce((total, share) => total + share, 0)).toBeLessThanOrEqual(AUDIT_TOTAL_FALSE_ALARM);
  });

  it('is spent once per audit file, each on its own share', () => {
    expect(auditFiles).toEqual(['epsilon-audit.slow.test.ts', 'longitudinal-epsilon-audit.slow.test.ts', 'numeric-epsilon-audit.slow.test.ts', 'rappor-epsilon-audit.slow.test.ts']);
    const owner = new Map<string, string>();
    for (const file of auditFiles) {
      const source = readFileSync(new URL(file, TEST_DIR), 'utf8');
      const keys = new Set([...source.matchAll(/AUDIT_FALSE_ALARM_BUDGET\.(\w+)/g)].map((match) => match[1]!));
      expect([...keys], `${file} must spend exactly one share of AUDIT_FALSE_ALARM_BUDGET`).toHaveLength(1);
      const [key] = [...keys] as [string];
      expect(Object.keys(AUDIT_FALSE_ALARM_BUDGET), file).toContain(key);
      expect(owner.get(key), `${file} and ${owner.get(key)} spend the same share`).toBeUndefined();
      owner.set(key, file);
      // No private budget next to the shared one (e.g. `const TOTAL_FALSE_ALARM = 1e-6`).
      expect(source, file).not.toMatch(/\b1e-6\b|10 \*\* -6/);
    }
    expect([...owner.keys()].sort()).toEqual(Object.keys(AUDIT_FALSE_ALARM_BUDGET).sort());
  });
});
