/**
 * The collector's integrity signals (poisoning detection), read defensively: a collector that
 * sends none — or an older one — yields `undefined` and the dashboard shows nothing for them.
 *
 * Shape, per released cell: `integrity: { status: 'ok' | 'suspicious' | 'not-applicable',
 * reason: string, score: number | null }`; per release: `defence: 'none' | 'ldprecover'`, the
 * defence the collector applied to the estimates it returned (requested with `defence=ldprecover`).
 * An unknown status or defence is ignored rather than guessed at: the dashboard never calls a
 * cell "ok" that the collector did not call ok.
 */
import type { CellRelease, EstimateRelease } from '@practical-privacy/collector/api';

export type IntegrityStatus = 'ok' | 'suspicious' | 'not-applicable';
export type Defence = 'none' | 'ldprecover';

export interface CellIntegrity {
  status: IntegrityStatus;
  reason: string;
  score: number | null;
}

const STATUSES: readonly string[] = ['ok', 'suspicious', 'not-applicable'];
const DEFENCES: readonly string[] = ['none', 'ldprecover'];

/** The cell's integrity signal, or undefined when the collector sent none (or one this dashboard does not know). */
export function integrityOf(cell: CellRelease): CellIntegrity | undefined {
  const raw = (cell as { integrity?: unknown }).integrity;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { status, reason, score } = raw as { status?: unknown; reason?: unknown; score?: unknown };
  if (typeof status !== 'string' || !STATUSES.includes(status)) return undefined;
  return { status: status as IntegrityStatus, reason: typeof reason === 'string' ? reason : '', score: typeof score === 'number' && Number.isFinite(score) ? score : null };
}

/** The defence the collector says it applied to this release, or undefined when it says nothing. */
export function defenceOf(release: EstimateRelease): Defence | undefined {
  const raw = (release as { defence?: unknown }).defence;
  return typeof raw === 'string' && DEFENCES.includes(raw) ? (raw as Defence) : undefined;
}

/** "suspicious: <reason>" for a flagged cell; nothing for ok, not-applicable or absent signals. */
export function suspiciousText(integrity: CellIntegrity | undefined): string | undefined {
  if (integrity?.status !== 'suspicious') return undefined;
  return integrity.reason === '' ? 'suspicious' : `suspicious: ${integrity.reason}`;
}

/**
 * One line for a question: how many of its cells the collector flagged, and why (each distinct
 * reason once), or undefined when none is flagged.
 */
export function questionSuspicion(release: EstimateRelease): string | undefined {
  const flagged = release.cells.flatMap((cell) => {
    const integrity = integrityOf(cell);
    return integrity?.status === 'suspicious' ? [integrity] : [];
  });
  if (flagged.length === 0) return undefined;
  const reasons = [...new Set(flagged.map((i) => i.reason).filter((r) => r !== ''))];
  // Withheld cells carry no estimate and no signal: the count is of the released ones.
  const released = release.cells.filter((c) => !c.suppressed).length;
  const cells = `${flagged.length} of ${released} released ${released === 1 ? 'cell' : 'cells'}`;
  return `Suspicious: ${cells} flagged by the collector's poisoning check${reasons.length === 0 ? '' : ` — ${reasons.join('; ')}`}.`;
}

/** The words above the estimates for the defence actually applied (the collector's answer, not the request). */
export function defenceLabel(requested: boolean, applied: Defence | undefined): string | undefined {
  if (applied === 'ldprecover') return 'Recovered estimates (LDPRecover): the collector corrected these for suspected poisoned reports; figures and intervals are as it returned them.';
  if (requested) return applied === 'none' ? 'Recovered estimates were asked for, but the collector applied no defence: these are the estimates as reported.' : 'Recovered estimates were asked for, but this collector does not state a defence: these are the estimates as reported.';
  return undefined;
}
