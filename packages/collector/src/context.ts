import type { CampaignCache } from './campaigns/model.ts';
import type { AuthThrottle } from './auth.ts';
import type { CollectorConfig } from './config.ts';
import type { CollectorMetrics } from './metrics.ts';
import type { Repository } from './storage/repository.ts';
import type { TokenKeyRing } from './privacy-pass/key-ring.ts';

/** What every route needs, passed explicitly (no decorators to look up). */
export interface AppContext {
  config: CollectorConfig;
  /** Failed bearer-token attempts per client address (429 past the limit). */
  authThrottle: AuthThrottle;
  repository: Repository;
  campaigns: CampaignCache;
  metrics: CollectorMetrics;
  /** True once shutdown began: /readyz answers 503 so the load balancer drains this instance. */
  state: { closing: boolean };
  now: () => Date;
  /** Issue 17: the published token keys (PP_TOKEN_KEYS), served at GET /v1/token-keys. */
  tokenKeys: TokenKeyRing;
}
