import { azureDevOpsDialect } from './azure-devops-dialect.ts';
import { bitbucketCloudDialect } from './bitbucket-cloud-dialect.ts';
import { bitbucketServerDialect } from './bitbucket-server-dialect.ts';
import type { HostDialect } from './dialect.ts';
import { githubDialect } from './github-dialect.ts';

/** Every host the simulator speaks, by the provider type gitsync configures for it. */
export const SIM_DIALECTS: readonly HostDialect[] = [githubDialect, bitbucketCloudDialect, bitbucketServerDialect, azureDevOpsDialect];

/** The dialect of provider type `type`, or undefined when the simulator speaks none by that name. */
export function simDialect(type: string): HostDialect | undefined {
  return SIM_DIALECTS.find((d) => d.type === type);
}
