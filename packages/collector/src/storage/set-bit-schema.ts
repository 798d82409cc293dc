/**
 * Migration step 5 (issue 17 §2): per cell (campaign, version, question, day, level), how many
 * reports had each number of set bits — the aggregate the plausibility test needs (core's
 * integrity/), never a report. `level` is the index of the report's privacy level in the
 * question's `levels` (0 for a question without levels), `bits` the count (0..k), `n` the
 * reports. Written in the same transaction as the report's sums, deleted with the cells (campaign
 * purge, retention). Only questions whose mechanism has an honest set-bit law get rows (unary
 * encodings, RAPPOR).
 */
export const SET_BIT_COUNTS_SQLITE = `CREATE TABLE set_bit_counts (
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day TEXT NOT NULL,
     level INTEGER NOT NULL,
     bits INTEGER NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (campaign_id, version, question_id, day, level, bits)
   ) STRICT, WITHOUT ROWID;`;

export const SET_BIT_COUNTS_POSTGRES = `CREATE TABLE set_bit_counts (
     campaign_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     question_id TEXT NOT NULL,
     day DATE NOT NULL,
     level INTEGER NOT NULL,
     bits INTEGER NOT NULL,
     n BIGINT NOT NULL,
     PRIMARY KEY (campaign_id, version, question_id, day, level, bits)
   );`;
