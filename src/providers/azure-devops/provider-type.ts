import { X_RATELIMIT_HEADERS } from '../http/rate-limit.ts';
import type { ProviderType } from '../provider-type.ts';
import { AzureDevOpsProvider } from './azure-devops-provider.ts';
import { azureDevOpsWebhook } from './webhook.ts';

/** Azure DevOps Services (dev.azure.com, every organization) and Azure DevOps Server (every collection of a host). */
export const azureDevOpsType: ProviderType = {
  name: 'azure-devops',
  publicHost: { webUrl: 'https://dev.azure.com', apiUrl: 'https://dev.azure.com' },
  // The REST API lives below the organization or collection, on the web host itself.
  defaultApiUrl: (webUrl) => webUrl,
  shape: {
    // org (or collection) / project / repository
    minSegments: 3,
    maxSegments: 3,
    pullMarker: ['pullrequest'],
    pullTails: [],
    repoMarker: ['_git'],
    spacedNames: true,
  },
  rateLimitHeaders: X_RATELIMIT_HEADERS,
  tokenEnv: 'AZURE_DEVOPS_TOKEN',
  webhook: azureDevOpsWebhook,
  create: (config, deps) => new AzureDevOpsProvider(config, azureDevOpsType, deps),
};
