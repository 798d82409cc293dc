/** `@practical-privacy/sdk/tokens`: the Privacy Pass wallet (issue 17), a separate entry so the facade and worker bundles never include it. */
export { createTokenWallet, type HeldToken, type RefillResult, type TokenProvider, type TokenRequestItem, type TokenResponseItem, type TokenWallet, type TokenWalletOptions } from './tokens/wallet.ts';
