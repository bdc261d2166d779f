import type { AwsAccess } from '../aws/json-call.ts';
import { secretString } from '../aws/secret-value.ts';
import type { Clock } from '../domain/clock.ts';
import { parseWebhookSecrets, WebhookSecretsError, type WebhookSecrets, type WebhookSecretSource } from './secrets.ts';

/** How long a read secret is reused: a rotated value is picked up within this time. */
export const SECRETS_CACHE_MS = 300_000;

/** The secrets JSON from Secrets Manager (one GetSecretValue call), kept for `SECRETS_CACHE_MS` per container; a failed read is tried again at the next delivery. */
export function secretsManagerSource(secretArn: string, aws: AwsAccess, clock: Clock): WebhookSecretSource {
  let cached: { secrets: Promise<WebhookSecrets>; readAt: number } | undefined;
  return {
    get() {
      const now = clock.now();
      if (!cached || now - cached.readAt >= SECRETS_CACHE_MS) {
        const read = { secrets: readSecrets(secretArn, aws), readAt: now };
        cached = read;
        read.secrets.catch(() => {
          if (cached === read) cached = undefined;
        });
      }
      return cached.secrets;
    },
  };
}

async function readSecrets(secretArn: string, aws: AwsAccess): Promise<WebhookSecrets> {
  const value = await secretString(aws, secretArn);
  if (value === undefined) throw new WebhookSecretsError('the secret has no string value');
  return parseWebhookSecrets(value);
}
