import type { AwsCredentialIdentityProvider, Provider } from '@smithy/types';
import type { HttpAgent } from '../providers/http/agent.ts';
import type { AwsAccess } from './json-call.ts';

/** What an SDK client's resolved config holds once it has resolved its region and credential providers. */
export interface ResolvedSdkConfig {
  region: Provider<string>;
  credentials: AwsCredentialIdentityProvider;
}

/**
 * A client's region and credentials (its providers, so they resolve, cache and refresh as
 * that client's do) for the AWS calls of json-call.ts. A client made without an explicit
 * region or credentials (the functions' DynamoDB client) holds the SDK's default chain: what
 * the EventBridge and Secrets Manager clients made with `{}` resolved before.
 */
export function accessOf(client: { config: ResolvedSdkConfig }, http?: HttpAgent): AwsAccess {
  return { region: () => client.config.region(), credentials: () => client.config.credentials(), ...(http ? { http } : {}) };
}
