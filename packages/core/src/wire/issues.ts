/** Turns the first valibot issue into a PrivacyError with a dotted path (e.g. `reports.3.day`). */
import type * as v from 'valibot';
import { PrivacyError } from '../errors.ts';

export function issuePath(issue: v.BaseIssue<unknown>): string {
  return issue.path?.map((item) => String(item.key)).join('.') ?? '';
}

export function issuesToError(code: 'CAMPAIGN_INVALID' | 'REPORT_INVALID', issues: readonly v.BaseIssue<unknown>[], prefix = ''): PrivacyError {
  const issue = issues[0]!;
  const inner = issuePath(issue);
  const path = [prefix, inner].filter((s) => s !== '').join('.');
  return new PrivacyError(code, 'input', `${path === '' ? '(root)' : path}: ${issue.message}`, { path });
}
