import type { ProviderConfig } from '../providers/provider-config.ts';
import type { ProviderType } from '../providers/provider-type.ts';
import { PROVIDER_TYPES } from '../providers/provider-types.ts';
import type { WebhookHeaders } from '../providers/provider-webhook.ts';
import { secretsFor, type WebhookSecrets } from './secrets.ts';

/** Who may have sent an authenticated delivery: its provider type and the configured hosts whose secret fits. */
export interface DeliverySender {
  type: ProviderType;
  /**
   * Every configured host of that type whose current or previous secret signed the request (or
   * is its token), in configuration order; never empty. Several when hosts share a secret
   * (`"*"`): the delivery's repository then tells whose it is.
   */
  providers: ProviderConfig[];
}

/**
 * The sender of a request: the first provider type whose deliveries the headers claim it is,
 * and that type's configured hosts whose current or previous secret signed it (or is its
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
  const signed = providers.filter((provider) => {
    if (provider.type !== type.name) return false;
    let fits = false;
    for (const secret of secretsFor(secrets, provider.host)) if (check(secret)) fits = true;
    return fits;
  });
  return signed.length > 0 ? { type, providers: signed } : null;
}
