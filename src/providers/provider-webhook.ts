/** Request headers as the receiver passes them: names lower-case, nothing trusted before a verifier accepts. */
export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

/**
 * What a verified delivery says, read from its JSON: which repository and branch changed.
 * A delivery names the head repository and branch (for a PR from a fork, the fork's).
 */
export type ParsedDelivery =
  /** `otherBranches`: the further branches of a push that names several (Bitbucket's do); each is made due too. */
  | { kind: 'branch'; repoUrl: string; branch: string; otherBranches?: readonly string[] }
  | { kind: 'ping' }
  /**
   * A GitHub App was installed on (`installationId`) or removed from (null) these accounts,
   * or its repositories there changed: which token their rows use may have changed.
   */
  | { kind: 'installation'; accounts: string[]; installationId: number | null }
  /** A valid delivery gitsync has nothing to do for (another event, a tag, a deleted fork). */
  | { kind: 'ignored'; reason: string }
  /** Signed, but not the JSON its event promises. */
  | { kind: 'invalid'; reason: string };

/** One configured secret checked against a request, in constant time. */
export type SecretCheck = (secret: string) => boolean;

/**
 * How one provider type's webhooks look: the receiver (src/webhooks/receive.ts) asks each
 * type in `PROVIDER_TYPES` through this and names none of them.
 */
export interface ProviderWebhook {
  /** Whether the headers say the request is a delivery of this type (unauthenticated: only picks the type). */
  recognises(headers: WebhookHeaders): boolean;
  /**
   * The check of one secret against the request (signature or token), or null when the
   * request carries none that is well formed. The receiver tries every secret of every
   * configured host of this type (current and previous, during a rotation).
   */
  verifier(headers: WebhookHeaders, body: Uint8Array): SecretCheck | null;
  /**
   * The event's name in metrics (`other` for events gitsync does not use) and the delivery id
   * that deduplicates redeliveries, of an authenticated request. `payload` is the parsed JSON
   * body, undefined when the body is not JSON.
   */
  identify(headers: WebhookHeaders, payload: unknown): { event: string; deliveryId?: string };
  /** What an authenticated delivery's JSON body says changed. */
  parse(headers: WebhookHeaders, payload: unknown): ParsedDelivery;
}

/** A host type whose deliveries gitsync does not take: no request is recognised as one, so none changes a row. */
export const NO_WEBHOOKS: ProviderWebhook = {
  recognises: () => false,
  verifier: () => null,
  identify: () => ({ event: 'other' }),
  parse: () => ({ kind: 'ignored', reason: 'this host type takes no webhooks' }),
};
