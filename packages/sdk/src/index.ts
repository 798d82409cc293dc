export { createClient, type Client, type ClientOptions, type PatientFacingError, type TokenSource } from './client.ts';
export { ENGLISH as englishMessages, type MessageKey, type MessageParams, type Messages } from './messages.ts';
export { defineCampaign, type AnswerOf, type AnswersOf, type CampaignDefinition } from './typed-campaign.ts';
export { DEFAULT_CAPS, type Caps, type CapsInput } from './caps.ts';
export type { Availability, BudgetLine, BudgetSummary, Details, Explanation, LevelFacts, OptOutResult, Receipt, WorkerConfig } from './worker/api.ts';
export type { FlushResult, TransportEvent } from './worker/transport.ts';
export { PrivacyError, isPrivacyError, type ErrorCode } from '@practical-privacy/core';
