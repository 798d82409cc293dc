/**
 * One answer → one encoded report, by the question's mechanism:
 *  - two-level: permanent level derived from the device key, instantaneous level fresh (levels.ts);
 *  - RAPPOR: Bloom filter and permanent response with WebCrypto (rappor-bloom.ts, rappor-prr.ts),
 *    instantaneous response fresh, the device's cohort;
 *  - any other one-level mechanism: a fresh draw on every report (charged ε₁ each: charges.ts).
 * Nothing here is stored; the raw answer goes no further than this call.
 */
import { isTwoLevel, stringIndex, type AnyRandomizer, type EncodedReport, type Question, type RandomSampler, type Randomizer, type RapporRandomizer } from '@practical-privacy/core';
import { twoLevelReport } from './levels.ts';
import { bloomFilter } from './rappor-bloom.ts';
import { permanentResponse } from './rappor-prr.ts';

export interface EncodeInput {
  question: Question;
  mechanism: AnyRandomizer;
  /** The parsed answer (answers.ts). */
  input: number | number[] | string;
  secret: CryptoKey;
  campaignId: string;
  /** A two-level question's permanent key (campaign.ts). */
  permanentKey?: string;
  /** The CSPRNG for every fresh draw. */
  fresh: RandomSampler;
  /** The device's RAPPOR cohort for the question (drawn once, stored: it does not depend on the answer). */
  cohortOf: (m: number) => Promise<number>;
}

export async function encodeAnswer(x: EncodeInput): Promise<EncodedReport> {
  const { question: q, mechanism } = x;
  if (isTwoLevel(mechanism)) {
    const input = q.type === 'string' ? stringIndex(q, x.input as string) : x.input;
    return twoLevelReport(mechanism, input, x.secret, { campaignId: x.campaignId, questionId: q.id, ...(x.permanentKey === undefined ? {} : { permanentKey: x.permanentKey }) }, x.fresh);
  }
  if (mechanism.name === 'rappor') {
    const rappor = mechanism as RapporRandomizer;
    const cohort = await x.cohortOf(rappor.m);
    const prr = await permanentResponse(rappor, await bloomFilter(rappor, x.input as string, cohort), x.secret);
    return rappor.encodeReport({ cohort, bits: rappor.instantaneousResponse(prr, x.fresh) });
  }
  const randomizer = mechanism as Randomizer<unknown, unknown>;
  return randomizer.encodeReport(randomizer.randomize(x.input, x.fresh));
}
