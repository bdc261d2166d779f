import type { ProviderConfig } from '../providers/provider-config.ts';
import { PROVIDER_TYPES } from '../providers/provider-types.ts';
import type { ProviderWebhook, WebhookHeaders } from '../providers/provider-webhook.ts';
import { secretsFor, type WebhookSecrets } from './secrets.ts';

/** Who sent an authenticated delivery: its configured host, and its type's webhook part that reads it. */
export interface DeliverySender {
  provider: ProviderConfig;
  webhook: ProviderWebhook;
}

/**
 * The sender of a request: the first provider type whose deliveries the headers claim it is,
 * and that type's configured host whose current or previous secret signed it (or is its
 * token); null when none did. Every candidate secret is checked, each in constant time.
 */
export function authenticateDelivery(
  headers: WebhookHeaders,
  body: Uint8Array,
  providers: readonly ProviderConfig[],
  secrets: WebhookSecrets,
): DeliverySender | null {
  const type = PROVIDER_TYPES.find((t) => t.webhook?.recognises(headers));
  const webhook = type?.webhook;
  const check = webhook?.verifier(headers, body);
  if (!type || !webhook || !check) return null;
  let match: ProviderConfig | null = null;
  for (const provider of providers.filter((p) => p.type === type.name)) {
    for (const secret of secretsFor(secrets, provider.host)) {
      if (check(secret)) match ??= provider;
    }
  }
  return match ? { provider: match, webhook } : null;
}
