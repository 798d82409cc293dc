/**
 * The collector's integrity signals (poisoning detection, issue 17 §2), with the collector's own
 * types (`@practical-privacy/collector/api`: `CellRelease.integrity`, `CellRelease.recovery`,
 * `EstimateRelease.defence`). Still checked at run time: a collector that sends none — an older
 * one — yields `undefined` and the dashboard shows nothing for them, and a status or defence this
 * dashboard does not know is ignored rather than guessed at (the dashboard never calls a cell "ok"
 * that the collector did not call ok).
 */
import type { CellRelease, EstimateRelease } from '@practical-privacy/collector/api';

export type CellIntegrity = NonNullable<CellRelease['integrity']>;
export type CellRecovery = NonNullable<CellRelease['recovery']>;
export type Defence = NonNullable<EstimateRelease['defence']>;

const STATUSES: ReadonlySet<string> = new Set<CellIntegrity['status']>(['ok', 'suspicious', 'not-applicable']);
const DEFENCES: ReadonlySet<string> = new Set<Defence>(['none', 'ldprecover']);

/** The cell's integrity signal, or undefined when the collector sent none (or one this dashboard does not know). */
export function integrityOf(cell: CellRelease): CellIntegrity | undefined {
  const raw = cell.integrity;
  if (typeof raw !== 'object' || raw === null || !STATUSES.has(raw.status)) return undefined;
  return { status: raw.status, reason: typeof raw.reason === 'string' ? raw.reason : '', score: typeof raw.score === 'number' && Number.isFinite(raw.score) ? raw.score : null };
}

/**
 * The cell's recovery note (only with `defence=ldprecover`): applied or not and why, the share of
 * reports taken as fake, the target values. Undefined when the collector sent none.
 */
export function recoveryOf(cell: CellRelease): CellRecovery | undefined {
  const raw = cell.recovery;
  if (typeof raw !== 'object' || raw === null || typeof raw.applied !== 'boolean') return undefined;
  return {
    applied: raw.applied,
    fakeShare: typeof raw.fakeShare === 'number' && Number.isFinite(raw.fakeShare) ? raw.fakeShare : null,
    targets: Array.isArray(raw.targets) ? raw.targets.filter((t) => typeof t === 'string') : [],
    note: typeof raw.note === 'string' ? raw.note : '',
  };
}

/** The defence the collector says it applied to this release, or undefined when it says nothing. */
export function defenceOf(release: EstimateRelease): Defence | undefined {
  const raw = release.defence;
  return typeof raw === 'string' && DEFENCES.has(raw) ? raw : undefined;
}

/**
 * The recovery in a few words for the table: "applied: 7.4% of reports taken as fake, target Rash"
 * or "not applied: <why>". Targets are value codes (as in the downloads); `label` names them as the
 * campaign does. The collector's full note goes into the downloads (recoveryNote).
 */
export function recoveryText(recovery: CellRecovery | undefined, label: (code: string) => string = (code) => code): string {
  if (recovery === undefined) return '';
  if (!recovery.applied) return recovery.note === '' ? 'not applied' : recovery.note;
  if (recovery.fakeShare === null || recovery.fakeShare === 0) return 'applied: nothing removed';
  const targets = recovery.targets.length === 0 ? '' : `, ${recovery.targets.length === 1 ? 'target' : 'targets'} ${recovery.targets.map(label).join(', ')}`;
  return `applied: ${(recovery.fakeShare * 100).toFixed(1)}% of reports taken as fake${targets}`;
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
