import type { ProviderType } from '../provider-type.ts';
import { NO_WEBHOOKS } from '../provider-webhook.ts';
import { BitbucketCloudProvider } from './bitbucket-cloud-provider.ts';

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
  rateLimitHeaders: { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
  tokenEnv: 'BITBUCKET_TOKEN',
  // Deliveries: the Bitbucket webhook part (issue 25) replaces this.
  webhook: NO_WEBHOOKS,
  create: (config, deps) => new BitbucketCloudProvider(config, bitbucketCloudType, deps),
};
