import type { ProviderConfig } from '../providers/provider-config.ts';
import type { ProviderType } from '../providers/provider-type.ts';
import { PROVIDER_TYPES } from '../providers/provider-types.ts';
import type { WebhookHeaders } from '../providers/provider-webhook.ts';
import { secretsFor, type WebhookSecrets } from './secrets.ts';

/** Who sent an authenticated delivery: its provider type and configured host. */
export interface DeliverySender {
  type: ProviderType;
  provider: ProviderConfig;
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
  const type = PROVIDER_TYPES.find((t) => t.webhook.recognises(headers));
  const check = type?.webhook.verifier(headers, body);
  if (!type || !check) return null;
  let match: ProviderConfig | null = null;
  for (const provider of providers.filter((p) => p.type === type.name)) {
    for (const secret of secretsFor(secrets, provider.host)) {
      if (check(secret)) match ??= provider;
    }
  }
  return match ? { type, provider: match } : null;
}
