export { buildIssuerApp, type IssuerAppOptions } from './app.ts';
export { ACCOUNT_ID_PATTERN, IssuerInputError, TOKEN_REQUEST_BYTES, TokenIssuer, type IssueErrorCode, type IssueRequest, type IssueResult, type TokenIssuerOptions } from './issuer.ts';
export { BlindSigner, BlindSignError, generateSigningKey, MODULUS_BYTES, type SigningKey } from './signing-key.ts';
export { MemoryIssuerStore, SqliteIssuerStore, type ClaimOutcome, type IssuerStore, type StoredKey } from './store.ts';
