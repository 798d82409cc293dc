/**
 * The token spend table (issue 17), one migration step per dialect (appended in storage/migrations.ts).
 * A row is (nonce, last day of the token's period window): nothing that names a report, so the table
 * cannot be joined with report rows, and under one-token-per-question no two rows of one device share
 * anything either (docs/privacy-model.md, "The allowance").
 */
export const TOKEN_SPENDS_SQLITE = `CREATE TABLE token_spends (
     nonce TEXT PRIMARY KEY,
     period_end TEXT NOT NULL
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX token_spends_period_end ON token_spends (period_end);`;

export const TOKEN_SPENDS_POSTGRES = `CREATE TABLE token_spends (
     nonce TEXT PRIMARY KEY,
     period_end DATE NOT NULL
   );
   CREATE INDEX token_spends_period_end ON token_spends (period_end);`;
