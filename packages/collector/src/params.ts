/**
 * Boundary checks for query and path parameters, shared by the routes so that both stores see
 * only values they can hold (PostgreSQL's integer is 32-bit, its text refuses NUL): a version is
 * 1 … 2³¹ − 1, a campaign id has no control characters. Days are checked with core's isValidDay,
 * the rule reports' days already follow.
 */
import { HttpError } from './errors.ts';

/** The largest campaign version either store holds (PostgreSQL `integer`). */
export const MAX_VERSION = 2_147_483_647;

/** `version` from a query string as a number, or undefined when absent; 400 REQUEST_INVALID otherwise. */
export function parseVersion(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value) || Number(value) > MAX_VERSION) {
    throw new HttpError(400, 'REQUEST_INVALID', `version: must be an integer from 1 to ${MAX_VERSION}`, 'version');
  }
  return Number(value);
}

/** A campaign id from a path: one with control characters (NUL included) names no campaign, 404 on both stores. */
export function requireCampaignId(id: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new HttpError(404, 'CAMPAIGN_UNKNOWN', 'campaign id with control characters is not published');
  return id;
}
