import { azureDevOpsType } from './azure-devops/provider-type.ts';
import { bitbucketCloudType } from './bitbucket-cloud/provider-type.ts';
import { bitbucketServerType } from './bitbucket-server/provider-type.ts';
import { githubType } from './github/provider-type.ts';
import { gitlabType } from './gitlab/provider-type.ts';
import type { ProviderType } from './provider-type.ts';

/** Every provider type gitsync knows: a new kind of host is one folder and one line here. */
export const PROVIDER_TYPES: readonly ProviderType[] = [
  githubType,
  gitlabType,
  bitbucketCloudType,
  bitbucketServerType,
  azureDevOpsType,
];

/** The type named `name`, or undefined when gitsync knows none by that name. */
export function providerType(name: string): ProviderType | undefined {
  return PROVIDER_TYPES.find((type) => type.name === name);
}
