import { awsJsonCall, type AwsAccess } from './json-call.ts';

const GET_SECRET_VALUE = { service: 'secretsmanager', endpointPrefix: 'secretsmanager', target: 'secretsmanager.GetSecretValue' } as const;

/** A Secrets Manager secret's current `SecretString`; undefined for a binary secret. One GetSecretValue call. */
export async function secretString(aws: AwsAccess, secretId: string): Promise<string | undefined> {
  const out = (await awsJsonCall(aws, GET_SECRET_VALUE, { SecretId: secretId })) as { SecretString?: unknown };
  return typeof out.SecretString === 'string' ? out.SecretString : undefined;
}
