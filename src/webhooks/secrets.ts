/** `WEBHOOK_SECRETS` (or the Secrets Manager value) cannot be used; the message says why, never the secret. */
export class WebhookSecretsError extends Error {
  readonly kind = 'webhook_secrets';
  constructor(problem: string) {
    super(`webhook secrets: ${problem}`);
    this.name = 'WebhookSecretsError';
  }
}

/** Host -> accepted secrets (current first, then the previous one during a rotation). */
export type WebhookSecrets = ReadonlyMap<string, readonly string[]>;

/** A host key that stands for every configured host without its own entry (the template's generated secret). */
export const ANY_HOST = '*';

/**
 * Parses `{"<provider host>": "<secret>" | ["<current>", "<previous>"], ...}`. Host keys are
 * compared lower-case, as hosts are everywhere else.
 */
export function parseWebhookSecrets(raw: string): WebhookSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WebhookSecretsError('not valid JSON (expected {"<host>": "<secret>" | ["<current>", "<previous>"]})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WebhookSecretsError('must be a JSON object of host -> secret');
  }
  const secrets = new Map<string, string[]>();
  for (const [host, value] of Object.entries(parsed)) {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (list.length < 1 || list.length > 2 || !list.every((s) => typeof s === 'string' && s.length > 0)) {
      throw new WebhookSecretsError(`the entry for ${host} must be a non-empty string or an array of one or two`);
    }
    secrets.set(host.toLowerCase(), list as string[]);
  }
  return secrets;
}

/** The secrets accepted for one configured host: its own entry, else the `*` entry, else none. */
export function secretsFor(secrets: WebhookSecrets, host: string): readonly string[] {
  return secrets.get(host) ?? secrets.get(ANY_HOST) ?? [];
}

/** Where the secrets come from: the environment locally, Secrets Manager on AWS. */
export interface WebhookSecretSource {
  get(): Promise<WebhookSecrets>;
}

export function staticSecretSource(raw: string): WebhookSecretSource {
  const secrets = parseWebhookSecrets(raw);
  return { get: async () => secrets };
}
