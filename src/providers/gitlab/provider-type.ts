import type { ProviderType } from '../provider-type.ts';
import { GitLabProvider } from './gitlab-provider.ts';
import { gitlabWebhook } from './webhook.ts';

/** gitlab.com and self-managed GitLab. */
export const gitlabType: ProviderType = {
  name: 'gitlab',
  publicHost: { webUrl: 'https://gitlab.com', apiUrl: 'https://gitlab.com/api/v4' },
  defaultApiUrl: (webUrl) => `${webUrl}/api/v4`,
  shape: {
    minSegments: 2,
    maxSegments: 20,
    pullMarker: ['-', 'merge_requests'],
    pullTails: ['diffs', 'commits', 'pipelines'],
  },
  rateLimitHeaders: { remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
  tokenEnv: 'GITLAB_TOKEN',
  webhook: gitlabWebhook,
  create: (config, deps) => new GitLabProvider(config, gitlabType, deps),
};
