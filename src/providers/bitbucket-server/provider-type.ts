import { X_RATELIMIT_HEADERS } from '../http/rate-limit.ts';
import type { ProviderType } from '../provider-type.ts';
import { BitbucketServerProvider } from './bitbucket-server-provider.ts';
import { bitbucketServerWebhook } from './webhook.ts';

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
  rateLimitHeaders: X_RATELIMIT_HEADERS,
  tokenEnv: 'BITBUCKET_SERVER_TOKEN',
  webhook: bitbucketServerWebhook,
  create: (config, deps) => new BitbucketServerProvider(config, bitbucketServerType, deps),
};
