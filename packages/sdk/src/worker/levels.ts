/**
 * The device path of a two-level (longitudinal) question, stateless (docs/privacy-model.md,
 * "Longitudinal"; core's mechanisms/longitudinal/two-level.ts for the contract):
 *
 *   device constant  = device(PRF(secret, 'device/v2' ‖ campaign ‖ question ‖ parameterKey))
 *   slot             = slotOf(answer, device)                      (padding: a fresh draw)
 *   permanent        = permanent(slot, PRF(secret, 'prr/v2' ‖ campaign ‖ question ‖ parameterKey ‖ slot))
 *   report           = instantaneous(permanent, device, fresh CSPRNG)
 *
 * PRF = HMAC-SHA256 with the non-extractable device key, expanded by core's derivedRandomSource.
 * Nothing here is stored: the same answer gives the same permanent response on every day without a
 * memo row, so storage holds nothing that is a function of the answers (no answer oracle, issue 13
 * §3). The campaign VERSION is not an input: a republished campaign whose question keeps its
 * mechanism and parameters (the same parameterKey) keeps its permanent responses (§4); a changed
 * mechanism or parameters is a new parameterKey, hence new permanent responses AND a new charge in
 * the ledger (charges.ts), never a free reset.
 */
import { RandomSampler, derivedRandomSource, type AnyTwoLevelRandomizer, type EncodedReport } from '@practical-privacy/core';
import { framed, hmac } from './secret.ts';

export interface QuestionRef {
  campaignId: string;
  questionId: string;
}

async function prf(secret: CryptoKey, fields: string[]): Promise<RandomSampler> {
  return new RandomSampler(derivedRandomSource(await hmac(secret, framed(fields))));
}

/** One report of a two-level question: permanent level from the secret, instantaneous level from `fresh`. */
export async function twoLevelReport(mechanism: AnyTwoLevelRandomizer, input: unknown, secret: CryptoKey, ref: QuestionRef, fresh: RandomSampler): Promise<EncodedReport> {
  const key = mechanism.parameterKey;
  const device = mechanism.device(await prf(secret, ['device/v2', ref.campaignId, ref.questionId, key]));
  const slot = mechanism.slotOf(input, device, fresh);
  const permanent = mechanism.permanent(slot, await prf(secret, ['prr/v2', ref.campaignId, ref.questionId, key, String(slot)]));
  return mechanism.encodeReport(mechanism.instantaneous(permanent, device, fresh));
}
