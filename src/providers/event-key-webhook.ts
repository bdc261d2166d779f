import { sha256SignatureVerifier } from './hmac-signature.ts';
import type { ParsedDelivery, ProviderWebhook } from './provider-webhook.ts';

/** How one Bitbucket product names its deliveries. */
export interface EventKeyWebhookSpec {
  /** The header holding the delivery id; its presence (with `X-Event-Key`) says the product sent it. */
  deliveryIdHeader: string;
  /**
   * A header this product never sends but the other one does (Cloud's `X-Request-UUID`): its
   * presence says the other sent it. Absent for Cloud, whose id header a proxy's own
   * `X-Request-Id` must not hide.
   */
  notSentHeader?: string;
  /** `X-Event-Key` values gitsync acts on, by the name used in metrics; others are `other`. */
  events: Readonly<Record<string, string>>;
  parse(eventKey: string, payload: unknown): ParsedDelivery;
}

/**
 * Bitbucket's webhooks, Cloud and Data Center alike: the event in `X-Event-Key`, the raw body
 * signed with the hook's secret in `X-Hub-Signature: sha256=...`, the delivery id in a header
 * of each product's own.
 */
export function eventKeyWebhook(spec: EventKeyWebhookSpec): ProviderWebhook {
  return {
    recognises: (headers) =>
      headers['x-event-key'] !== undefined &&
      headers[spec.deliveryIdHeader] !== undefined &&
      (spec.notSentHeader === undefined || headers[spec.notSentHeader] === undefined),
    verifier: (headers, body) => sha256SignatureVerifier(headers['x-hub-signature'], body),
    identify(headers) {
      const deliveryId = headers[spec.deliveryIdHeader];
      return { event: spec.events[headers['x-event-key'] ?? ''] ?? 'other', ...(deliveryId ? { deliveryId } : {}) };
    },
    parse: (headers, payload) => spec.parse(headers['x-event-key'] ?? '', payload),
  };
}
