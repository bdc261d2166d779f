import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseWebhookSecrets, WebhookSecretsError, type WebhookSecretSource } from './secrets.ts';

/** How long a read secret is reused: a rotated value is picked up within this time. */
const CACHE_SECONDS = 300;

/** The secrets JSON from Secrets Manager through Powertools Parameters, cached per container. */
export function secretsManagerSource(secretArn: string): WebhookSecretSource {
  return {
    async get() {
      const value = await getSecret(secretArn, { maxAge: CACHE_SECONDS });
      if (typeof value !== 'string') throw new WebhookSecretsError('the secret has no string value');
      return parseWebhookSecrets(value);
    },
  };
}
