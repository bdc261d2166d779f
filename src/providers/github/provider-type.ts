import { X_RATELIMIT_HEADERS } from '../http/rate-limit.ts';
import type { ProviderType } from '../provider-type.ts';
import { parseAppConfig } from './app/app-config.ts';
import { GitHubProvider } from './github-provider.ts';
import { githubWebhook } from './webhook.ts';

/** github.com and GitHub Enterprise Server. */
export const githubType: ProviderType = {
  name: 'github',
  publicHost: { webUrl: 'https://github.com', apiUrl: 'https://api.github.com' },
  defaultApiUrl: (webUrl) => (webUrl === 'https://github.com' ? 'https://api.github.com' : `${webUrl}/api/v3`),
  shape: {
    minSegments: 2,
    maxSegments: 2,
    pullMarker: ['pull'],
    pullTails: ['files', 'commits', 'checks'],
  },
  rateLimitHeaders: X_RATELIMIT_HEADERS,
  tokenEnv: 'GITHUB_TOKEN',
  webhook: githubWebhook,
  create: (config, deps) => new GitHubProvider(config, githubType, deps),
  parseApp: parseAppConfig,
};
