import type { ProviderType } from '../provider-type.ts';
import { NO_WEBHOOKS } from '../provider-webhook.ts';
import { BitbucketServerProvider } from './bitbucket-server-provider.ts';

/** Bitbucket Data Center (formerly Server): self-hosted only, so no public host. */
export const bitbucketServerType: ProviderType = {
  name: 'bitbucket-server',
  defaultApiUrl: (webUrl) => `${webUrl}/rest/api/latest`,
  contextPath: true,
  // Repository paths are `KEY/slug`; the URLs around them are laid out in `urls.ts`.
  shape: {
    minSegments: 2,
    maxSegments: 2,
    pullMarker: ['pull-requests'],
    pullTails: ['overview', 'diff', 'commits'],
  },
  // The admin's token bucket answers 429 with Retry-After only.
  rateLimitHeaders: { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
  tokenEnv: 'BITBUCKET_SERVER_TOKEN',
  // Deliveries: the Bitbucket webhook part (issue 25) replaces this.
  webhook: NO_WEBHOOKS,
  create: (config, deps) => new BitbucketServerProvider(config, bitbucketServerType, deps),
};
