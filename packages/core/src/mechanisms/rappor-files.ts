/**
 * Google's RAPPOR analysis input files, as pure string builders (the collector exports them so
 * google/rappor's R tools — `bin/decode-dist`, analysis/R/decode.R — can re-run the analysis).
 *
 * Formats, from google/rappor:
 *  - params.csv — header `k,h,m,p,q,f`, then one row (client/python/rappor.py `Params.from_csv`).
 *    We write the *implemented* f′, p′, q′ so Google's debiasing matches what devices did.
 *  - counts.csv — one row per cohort 0 … m−1 (cohorts without reports included, as zeros): the
 *    cohort's report count, then the number of reports with bit i set for i = 0 … k−1 (bit 0 first:
 *    bin/sum_bits_test.py, "NOTE: bit order is reversed" relative to the MSB-first bit string).
 *  - map.csv — one row per candidate: the candidate, then for each cohort c = 0 … m−1 and each hash
 *    j = 0 … h−1 the 1-based column c·k + bit + 1 (bin/hash_candidates.py; repeats are kept).
 * Rows end in "\r\n" and fields are quoted only when they contain `,`, `"`, CR or LF (quotes doubled),
 * which is what Python's csv.writer, used by those scripts, produces.
 */
import { parameterError } from '../errors.ts';
import type { RapporCandidateMap } from './rappor-decode.ts';

const EOL = '\r\n';

export interface RapporParamsRow {
  k: number;
  h: number;
  m: number;
  p: number;
  q: number;
  f: number;
}

export function rapporParamsCsv(params: RapporParamsRow): string {
  const { k, h, m, p, q, f } = params;
  return `k,h,m,p,q,f${EOL}${[k, h, m, p, q, f].map(String).join(',')}${EOL}`;
}

/** counts.csv from the mechanism's sums vector [n, per cohort: N_c, C_c0 … C_c(k−1)]. */
export function rapporCountsCsv(k: number, m: number, sums: ArrayLike<number>): string {
  if (sums.length !== 1 + m * (k + 1)) throw parameterError('sums', `must have length 1 + m(k + 1) = ${1 + m * (k + 1)}, got ${sums.length}`);
  let out = '';
  for (let c = 0; c < m; c++) {
    const row: string[] = [];
    for (let i = 0; i <= k; i++) row.push(String(sums[1 + c * (k + 1) + i]));
    out += row.join(',') + EOL;
  }
  return out;
}

export function rapporMapCsv(map: RapporCandidateMap): string {
  const { k, h, m, indices } = map;
  let out = '';
  map.candidates.forEach((candidate, s) => {
    const row = [csvField(candidate)];
    for (let c = 0; c < m; c++) {
      for (let j = 0; j < h; j++) row.push(String(c * k + indices[(s * m + c) * h + j]! + 1));
    }
    out += row.join(',') + EOL;
  });
  return out;
}

/** Python csv.QUOTE_MINIMAL quoting. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
