/**
 * What every longitudinal (two-level) mechanism shares: the contract the SDK and the collector
 * read, and the exact-arithmetic helpers that pick the instantaneous level's integer threshold.
 *
 * Two levels (Erlingsson, Pihur, Korolova, CCS 2014 — RAPPOR's PRR/IRR; Arcolezi, Couchot,
 * Al Bouna, Xiao, "Longitudinal collection and analysis of mobile phone data with local
 * differential privacy", 2022 — L-GRR and the L-UE family):
 *
 *   answer ──slotOf──▶ slot ∈ [0, D) ──permanent (ε∞, drawn ONCE per slot)──▶ P ──instantaneous (fresh)──▶ report
 *
 * - The permanent response of a slot is a deterministic function of the device secret and the
 *   question's parameters (the SDK seeds its draw with HMAC(secret, parameterKey ‖ slot)), so the
 *   device stores nothing per answer and a republished campaign with the same parameters gives the
 *   same permanent responses (docs/privacy-model.md, "Longitudinal").
 * - The instantaneous level re-randomizes P on every report, so two reports of one answer are not
 *   byte-identical (no cross-day fingerprint).
 * - `implementedEpsilon` (ε₁) bounds ONE report: it is computed from the CHAINED distribution of
 *   both levels' integer thresholds, in BigInt (each file says how), and is ≤ the ε₁ asked for.
 * - `permanentEpsilon` (ε∞) bounds everything ever sent about one slot: every report of slot s is
 *   post-processing of P_s, which is ε∞-LDP in the answers mapped to s.
 *
 * What the two levels bound over time (proved in docs/privacy-model.md, checked by exact
 * enumeration in test/longitudinal-loss.test.ts): for two histories of answers that put the same
 * days into the same slots — i.e. that differ in WHICH answers were given, not in which days
 * shared an answer — the whole history of reports is at most (number of slots used)·ε∞ ≤ D·ε∞
 * apart. What they do NOT bound: whether two days had the same answer (the change pattern). Many
 * reports reveal the permanent responses, and thus which days shared one, so for histories with
 * different change patterns the loss grows with the number of reports (about ε_inst per report at
 * most, `instantaneousEpsilon`) without a lifetime limit. The SDK's ledger charges D·ε∞ and says so.
 *
 * Linkage: `linkageBits` is the entropy of whatever every report of this question carries
 * unchanged by design (LOLOHA's hash index); 0 when nothing is.
 */
import { parameterError } from '../../errors.ts';
import { expLowerBound, rationalLessOrEqual, type Rational } from '../../exact/rational.ts';
import type { RandomSampler } from '../../random/sampler.ts';
import type { LongitudinalFrequencyName, Randomizer } from '../types.ts';
import { MECHANISM_REGISTRY, type MechanismName, type MechanismWithLevels } from '../registry.ts';


/** The two-level frequency oracles, from the registry. */
export const LONGITUDINAL_FREQUENCY_NAMES: readonly LongitudinalFrequencyName[] = (Object.keys(MECHANISM_REGISTRY) as MechanismName[]).filter(
  (name): name is LongitudinalFrequencyName => MECHANISM_REGISTRY[name].levels === 2 && MECHANISM_REGISTRY[name].estimate === 'frequency',
);
export type LongitudinalMechanismName = MechanismWithLevels<2>;

/** The device half of a two-level mechanism. `Device` is what a device fixes once (a hash, an offset). */
export interface TwoLevelRandomizer<Input, Permanent, Report, Device = null> extends Randomizer<Input, Report> {
  readonly longitudinal: true;
  /** ε∞ asked for. */
  readonly epsilonPermanent: number;
  /** ε∞ implemented (integer thresholds), rounded up; ≤ epsilonPermanent. */
  readonly permanentEpsilon: number;
  /** ε of the instantaneous level alone, over any two permanent responses: what one report says about the change pattern. */
  readonly instantaneousEpsilon: number;
  /** D: how many distinct permanent responses the question can ever use. */
  readonly permanentCount: number;
  /** Bits per report that stay the same on every report of a device (a linkage identifier). */
  readonly linkageBits: number;
  /** Everything the permanent responses depend on, canonical: the SDK's PRF input (with campaign and question ids). */
  readonly parameterKey: string;
  /** Draws the device's constant (called with a sampler seeded from the device secret). */
  device(rng: RandomSampler): Device;
  /**
   * The slot in [0, D) an answer uses on this device. Throws INPUT_INVALID (nothing drawn) for a bad
   * answer. Deterministic but for padding-and-sampling, whose padding step draws from `rng` (fresh).
   */
  slotOf(input: Input, device: Device, rng: RandomSampler): number;
  /** The permanent response of a slot (called with a sampler seeded from the secret and the slot). */
  permanent(slot: number, rng: RandomSampler): Permanent;
  /** A fresh instantaneous response of a permanent response. */
  instantaneous(permanent: Permanent, device: Device, rng: RandomSampler): Report;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTwoLevelRandomizer = TwoLevelRandomizer<any, any, any, any>;

export function isTwoLevel(randomizer: unknown): randomizer is AnyTwoLevelRandomizer {
  return typeof randomizer === 'object' && randomizer !== null && (randomizer as { longitudinal?: unknown }).longitudinal === true;
}

/** One report with every level drawn afresh (what a device does the first time; for simulations). */
export function randomizeTwoLevel<I, P, R, D>(m: TwoLevelRandomizer<I, P, R, D>, input: I, rng: RandomSampler): R {
  const device = m.device(rng);
  return m.instantaneous(m.permanent(m.slotOf(input, device, rng), rng), device, rng);
}

/** `ratio ≤ e^ε` decided in exact arithmetic against a rational lower bound of e^ε. */
export function exactlyWithin(epsilon: number): (ratio: Rational) => boolean {
  const bound = expLowerBound(epsilon);
  return (ratio) => ratio.den > 0n && rationalLessOrEqual(ratio, bound);
}

/**
 * The largest integer t in [lo, hi] with ok(t), for ok monotone (true … true false … false);
 * undefined when ok(lo) is false. 32-odd BigInt checks: the instantaneous threshold is the least
 * noisy one whose chained ratio is within e^ε₁, found exactly rather than from a float formula.
 */
export function largestWith(lo: number, hi: number, ok: (t: number) => boolean): number | undefined {
  if (!ok(lo)) return undefined;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The smallest integer t in [lo, hi] with ok(t), for ok monotone (false … false true … true). */
export function smallestWith(lo: number, hi: number, ok: (t: number) => boolean): number | undefined {
  if (!ok(hi)) return undefined;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The larger of a/b and b/a. */
export function worseDirection(r: Rational): Rational {
  return r.num >= r.den ? r : { num: r.den, den: r.num };
}

export function checkLevels(epsilon: number, epsilonPermanent: number): void {
  if (!(epsilon < epsilonPermanent)) {
    throw parameterError('epsilonPermanent', `must exceed epsilon (ε₁ of one report, ${epsilon}): the permanent level's ε∞ bounds all reports of an answer, got ${epsilonPermanent}`);
  }
}
