/**
 * The device path of a two-level (longitudinal) question, stateless (docs/privacy-model.md,
 * "Longitudinal"; core's mechanisms/longitudinal/two-level.ts for the contract):
 *
 *   device constant  = device(PRF(secret, 'device/v2' ‖ campaign ‖ question ‖ permanentKey))
 *   slot             = slotOf(answer, device)        (padding's pick: PRF(secret, 'pick/v2' ‖ … ‖ the set))
 *   permanent        = permanent(slot, PRF(secret, 'prr/v2' ‖ campaign ‖ question ‖ permanentKey ‖ slot))
 *
 * permanentKey = the mechanism's parameterKey ‖ SHA-256 of the question's ordered options
 * (campaign.ts): what the slots are and what they mean.
 *   report           = instantaneous(permanent, device, fresh CSPRNG)
 *
 * PRF = HMAC-SHA256 with the non-extractable device key, expanded by core's derivedRandomSource.
 * Nothing here is stored: the same answer gives the same permanent response on every day without a
 * memo row, so storage holds nothing that is a function of the answers (no answer oracle, issue 13
 * §3). The campaign VERSION is not an input: a republished campaign whose question keeps its
 * mechanism, parameters and options (the same permanentKey) keeps its permanent responses (§4); a
 * changed mechanism, parameters or option order is a new permanentKey, hence new permanent
 * responses AND a new charge in the ledger (charges.ts), never a free reset.
 */
import { RandomSampler, derivedRandomSource, type AnyTwoLevelRandomizer, type EncodedReport } from '@practical-privacy/core';
import { framed, hmac } from './secret.ts';

export interface QuestionRef {
  campaignId: string;
  questionId: string;
  /** campaign.ts's permanentKeyOf (defaults to the mechanism's parameterKey). */
  permanentKey?: string;
}

async function prf(secret: CryptoKey, fields: string[]): Promise<RandomSampler> {
  return new RandomSampler(derivedRandomSource(await hmac(secret, framed(fields))));
}

/** The device's constant for the question (a LOLOHA hash, an α-rounding offset; null for most). */
export async function deviceConstant(mechanism: AnyTwoLevelRandomizer, secret: CryptoKey, ref: QuestionRef): Promise<unknown> {
  return mechanism.device(await prf(secret, ['device/v2', ref.campaignId, ref.questionId, ref.permanentKey ?? mechanism.parameterKey]));
}

/** The permanent response of a slot: the same on every call for the same key and parameters. */
export async function permanentOf(mechanism: AnyTwoLevelRandomizer, secret: CryptoKey, ref: QuestionRef, slot: number): Promise<unknown> {
  return mechanism.permanent(slot, await prf(secret, ['prr/v2', ref.campaignId, ref.questionId, ref.permanentKey ?? mechanism.parameterKey, String(slot)]));
}

/**
 * The coins of slotOf. Padding-and-sampling picks one of the answer's items (or a dummy) for the slot;
 * a fresh pick on every report would move an unchanged answer between slots and reveal, over many
 * reports, how its items collide under the inner oracle (an unbounded leak the review measured:
 * 15.7 nats after 60 reports of one unchanged set, against a lifetime charge of 6). So the pick is a
 * PRF of the device key and the set: the same set always uses the same slot, and across devices the
 * pick is still uniform (the estimator is unchanged). Nothing is stored. Other mechanisms' slotOf
 * draws nothing.
 */
async function slotCoins(mechanism: AnyTwoLevelRandomizer, input: unknown, secret: CryptoKey, ref: QuestionRef, fresh: RandomSampler): Promise<RandomSampler> {
  if (mechanism.name !== 'padding-sampling') return fresh;
  const items = [...(input as number[])].sort((a, b) => a - b);
  return prf(secret, ['pick/v2', ref.campaignId, ref.questionId, ref.permanentKey ?? mechanism.parameterKey, items.join(',')]);
}

/** The slot an answer uses on this device (deterministic for every two-level mechanism here). */
export async function slotFor(mechanism: AnyTwoLevelRandomizer, input: unknown, secret: CryptoKey, ref: QuestionRef): Promise<number> {
  const device = await deviceConstant(mechanism, secret, ref);
  return mechanism.slotOf(input, device, await slotCoins(mechanism, input, secret, ref, undefined as unknown as RandomSampler));
}

/** One report of a two-level question: permanent level from the secret, instantaneous level from `fresh`. */
export async function twoLevelReport(mechanism: AnyTwoLevelRandomizer, input: unknown, secret: CryptoKey, ref: QuestionRef, fresh: RandomSampler): Promise<EncodedReport> {
  const device = await deviceConstant(mechanism, secret, ref);
  const slot = mechanism.slotOf(input, device, await slotCoins(mechanism, input, secret, ref, fresh));
  const permanent = await permanentOf(mechanism, secret, ref, slot);
  return mechanism.encodeReport(mechanism.instantaneous(permanent, device, fresh));
}
