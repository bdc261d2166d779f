import { X_RATELIMIT_HEADERS } from '../http/rate-limit.ts';
import type { ProviderType } from '../provider-type.ts';
import { BitbucketCloudProvider } from './bitbucket-cloud-provider.ts';
import { bitbucketCloudWebhook } from './webhook.ts';

/** bitbucket.org. */
export const bitbucketCloudType: ProviderType = {
  name: 'bitbucket-cloud',
  publicHost: { webUrl: 'https://bitbucket.org', apiUrl: 'https://api.bitbucket.org/2.0' },
  defaultApiUrl: (webUrl) => (webUrl === 'https://bitbucket.org' ? 'https://api.bitbucket.org/2.0' : `${webUrl}/2.0`),
  shape: {
    minSegments: 2,
    maxSegments: 2,
    pullMarker: ['pull-requests'],
    pullTails: ['diff', 'commits', 'activity'],
  },
  rateLimitHeaders: X_RATELIMIT_HEADERS,
  // 1,000 requests an hour per user for repository data (Atlassian's default; some plans scale it up).
  hourlyRequestBudget: 1_000,
  tokenEnv: 'BITBUCKET_TOKEN',
  webhook: bitbucketCloudWebhook,
  create: (config, deps) => new BitbucketCloudProvider(config, bitbucketCloudType, deps),
};
